package normalize

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// parseLEEF maps an IBM QRadar LEEF message to a CommonSecurityLog row:
//
//	LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value...
//	LEEF:2.0|Vendor|Product|Version|EventID|DelimiterChar|key=value<DELIM>key=value...
//
// LEEF 2.0's delimiter is one character or its hexadecimal code (x5E or 0x5E); without one it
// is a tab, as in LEEF 1.0. A piece without '=' continues the previous value (senders that do
// not escape the delimiter inside values).
func (p *Parser) parseLEEF(b []byte, h *Header, peer string, now time.Time) ([]schema.Value, *ParseError) {
	fields, rest, err := splitHeader(b, "LEEF", 5)
	if err != nil {
		return nil, err
	}
	ver := fields[0][len("LEEF:"):]
	if !validLEEFVersion(ver) {
		return nil, &ParseError{Format: "leef", Offset: 5, Reason: "invalid version " + quote(ver) + ": want 1.0 or 2.0"}
	}
	delim := byte('\t')
	if ver[0] == '2' {
		off := len(b) - len(rest)
		var perr *ParseError
		if delim, rest, perr = leefDelimiter(rest); perr != nil {
			perr.Offset = off
			return nil, perr
		}
	}
	row := p.newCSLRow(h, peer, now)
	c := &p.cc
	for i, col := range [...]int{c.vendor, c.product, c.version, c.classID} {
		setString(row, col, string(fields[i+1]))
	}
	var ex extras
	for _, kv := range leefAttributes(rest, delim) {
		if ts, ok := p.leef[kv[0]]; ok && setFields(row, ts, kv[1], now) {
			continue
		}
		ex.add(kv[0], kv[1])
	}
	ex.set(row, c.additional)
	return row, nil
}

func validLEEFVersion(v []byte) bool {
	dot := bytes.IndexByte(v, '.')
	if dot < 0 {
		return allDigits(v) && (v[0] == '1' || v[0] == '2')
	}
	return allDigits(v[:dot]) && allDigits(v[dot+1:]) && (v[0] == '1' || v[0] == '2')
}

// leefDelimiter reads LEEF 2.0's "DelimiterChar|" field, if there is one.
func leefDelimiter(b []byte) (byte, []byte, *ParseError) {
	k := bytes.IndexByte(b, '|')
	if k < 0 || k > 6 || bytes.IndexByte(b[:k], '=') >= 0 {
		return '\t', b, nil // no delimiter field
	}
	spec, rest := string(b[:k]), b[k+1:]
	switch {
	case spec == "":
		return '\t', rest, nil
	case len(spec) == 1:
		return spec[0], rest, nil
	}
	hex := strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(spec), "0"), "x")
	n, err := strconv.ParseUint(hex, 16, 8)
	if err != nil || !strings.HasPrefix(strings.ToLower(spec), "x") && !strings.HasPrefix(strings.ToLower(spec), "0x") {
		return 0, nil, &ParseError{Format: "leef", Reason: "invalid delimiter " + strconv.Quote(spec) + ": want one character or its hex code such as x09 or 0x5E"}
	}
	return byte(n), rest, nil
}

// leefAttributes splits key=value attributes on delim.
func leefAttributes(b []byte, delim byte) [][2]string {
	var out [][2]string
	for len(b) > 0 {
		piece := b
		if i := bytes.IndexByte(b, delim); i >= 0 {
			piece, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(piece) == 0 {
			continue
		}
		eq := bytes.IndexByte(piece, '=')
		switch {
		case eq > 0:
			out = append(out, [2]string{string(trimSpace(piece[:eq])), string(piece[eq+1:])})
		case len(out) > 0:
			out[len(out)-1][1] += string(delim) + string(piece)
		case len(trimSpace(piece)) > 0:
			out = append(out, [2]string{"", string(piece)})
		}
	}
	return out
}

package normalize

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// parseCEF maps an ArcSight CEF message
//
//	CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
//
// to a CommonSecurityLog row. Header fields escape '|' and '\' with a backslash; the
// extension is space-separated key=value pairs whose values escape '=', '\' and newlines
// (\n, \r) and may contain unescaped spaces.
func (p *Parser) parseCEF(b []byte, h *Header, peer string, now time.Time) ([]schema.Value, *ParseError) {
	fields, ext, err := splitHeader(b, "CEF", 7)
	if err != nil {
		return nil, err
	}
	if v := fields[0][len("CEF:"):]; !allDigits(v) {
		return nil, &ParseError{Format: "cef", Offset: 4, Reason: "invalid version " + quote(v) + ": want digits after CEF:"}
	}
	row := p.newCSLRow(h, peer, now)
	c := &p.cc
	for i, col := range [...]int{c.vendor, c.product, c.version, c.classID, c.activity, c.severity} {
		setString(row, col, unescapeHeader(fields[i+1]))
	}
	var ex extras
	if err := p.cefExtension(row, ext, len(b)-len(ext), &ex, now); err != nil {
		return nil, err
	}
	ex.set(row, c.additional)
	return row, nil
}

// splitHeader splits n '|'-separated header fields (honouring '\|' escapes) from the rest.
// A message with one field fewer (the trailing '|' before an empty extension missing) is
// accepted too.
func splitHeader(b []byte, format string, n int) (fields [][]byte, rest []byte, err *ParseError) {
	fields = make([][]byte, 0, n)
	start := 0
	for i := 0; i < len(b) && len(fields) < n; i++ {
		switch b[i] {
		case '\\':
			i++
		case '|':
			fields = append(fields, b[start:i])
			start = i + 1
		}
	}
	if len(fields) == n {
		return fields, b[start:], nil
	}
	if len(fields) == n-1 {
		return append(fields, b[start:]), nil, nil
	}
	return nil, nil, &ParseError{Format: strings.ToLower(format), Offset: len(b), Reason: format + " header has " + strconv.Itoa(len(fields)+1) + " of " + strconv.Itoa(n+1) + " '|'-separated fields"}
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func unescapeHeader(b []byte) string {
	if !containsByte(b, '\\') {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == '\\' || b[i+1] == '|') {
			i++
		}
		sb.WriteByte(b[i])
	}
	return sb.String()
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// cefExtension parses the extension into row; off is its offset in the CEF message.
func (p *Parser) cefExtension(row []schema.Value, ext []byte, off int, ex *extras, now time.Time) *ParseError {
	keys := cefKeyStarts(ext)
	if len(keys) == 0 {
		if len(trimSpace(ext)) > 0 {
			return &ParseError{Format: "cef", Offset: off, Reason: "extension has no key=value pair"}
		}
		return nil
	}
	if lead := trimSpace(ext[:keys[0].start]); len(lead) > 0 {
		return &ParseError{Format: "cef", Offset: off, Reason: "extension has text before its first key: " + quote(lead)}
	}
	for i, k := range keys {
		end := len(ext)
		if i+1 < len(keys) {
			end = keys[i+1].start
		}
		key := ext[k.start:k.eq]
		val := unescapeValue(trimRightSpace(ext[k.eq+1 : end]))
		if ts, ok := p.cef[string(key)]; ok && setFields(row, ts, val, now) {
			continue
		}
		ex.add(string(key), val)
	}
	return nil
}

type keyPos struct{ start, eq int }

// cefKeyStarts finds each "key=" in an extension: an unescaped '=' preceded by key
// characters that start the extension or follow a space.
func cefKeyStarts(ext []byte) []keyPos {
	out := make([]keyPos, 0, 32)
	for i := 0; i < len(ext); i++ {
		switch ext[i] {
		case '\\':
			i++
		case '=':
			j := i
			for j > 0 && isKeyChar(ext[j-1]) {
				j--
			}
			if j < i && (j == 0 || ext[j-1] == ' ') {
				out = append(out, keyPos{start: j, eq: i})
			}
		}
	}
	return out
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '[' || c == ']'
}

// unescapeValue resolves \= \\ \| \n \r in a CEF extension value; other backslashes stay.
func unescapeValue(b []byte) string {
	if !containsByte(b, '\\') {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case '=', '\\', '|':
				c = b[i+1]
				i++
			case 'n':
				c = '\n'
				i++
			case 'r':
				c = '\r'
				i++
			}
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

func trimSpace(b []byte) []byte { return trimRightSpace(trimLeftSpace(b)) }

func trimLeftSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// quote renders b for an error message, cut to 40 bytes.
func quote(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "..."
	}
	return strconv.Quote(string(b))
}

package normalize

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Table names the parser fills.
const (
	SyslogTable = "Syslog"
	CEFTable    = "CommonSecurityLog"
)

// ParseError is a message the parser could not map to a row.
type ParseError struct {
	Format string // syslog, rfc5424, cef or leef
	Offset int    // byte offset of the fault in the message
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: offset %d: %s", e.Format, e.Offset, e.Reason)
}

// Record is one parsed message: the table it belongs to and, unless Err is set, its row.
type Record struct {
	Table *schema.Table
	Row   []schema.Value // as wide as Table.Columns; nil when Err is set
	Err   *ParseError
}

// Parser maps syslog, CEF and LEEF messages to rows. It is immutable and safe for concurrent use.
type Parser struct {
	syslog *schema.Table
	csl    *schema.Table
	sc     syslogCols
	cc     cslCols
	cef    map[string][]target // CEF extension key (short and full name) -> columns
	leef   map[string][]target // LEEF attribute -> columns
	auth   *authDeriver        // DeviceLogonEvents and DeviceProcessEvents rows of sshd and sudo lines
}

// target is one column a source key fills.
type target struct {
	col int
	typ schema.Type
}

// NewParser resolves every column the parser fills in reg's Syslog and CommonSecurityLog
// tables. It fails if one is missing or has an unexpected type.
func NewParser(reg *schema.Registry) (*Parser, error) {
	p := &Parser{}
	var ok bool
	if p.syslog, ok = reg.Table(SyslogTable); !ok {
		return nil, fmt.Errorf("normalize: table %s is not in the registry", SyslogTable)
	}
	if p.csl, ok = reg.Table(CEFTable); !ok {
		return nil, fmt.Errorf("normalize: table %s is not in the registry", CEFTable)
	}
	r := resolver{}
	p.sc = r.syslogCols(p.syslog)
	p.cc = r.cslCols(p.csl)
	p.cef = r.keyMap(p.csl, cefKeys())
	p.leef = r.keyMap(p.csl, leefKeys)
	if r.err != nil {
		return nil, fmt.Errorf("normalize: %w", r.err)
	}
	auth, err := newAuthDeriver(reg)
	if err != nil {
		return nil, err
	}
	p.auth = auth
	return p, nil
}

// Parse maps one message (without its transport framing) received at now from the peer
// address peer. A message holding "CEF:" or "LEEF:", with or without a syslog header before
// it, becomes a CommonSecurityLog row; any other becomes a Syslog row.
func (p *Parser) Parse(msg []byte, peer string, now time.Time) Record {
	now = now.UTC()
	msg = bytes.TrimRight(msg, "\r\n\x00")
	if len(msg) == 0 {
		return Record{Table: p.syslog, Err: &ParseError{Format: "syslog", Reason: "empty message"}}
	}
	if i, kind := findMarker(msg); kind != markerNone {
		var h Header
		if i > 0 {
			if hh, err := ParseSyslog(msg[:i], now); err == nil {
				h = hh
			}
		}
		var row []schema.Value
		var err *ParseError
		if kind == markerCEF {
			row, err = p.parseCEF(msg[i:], &h, peer, now)
		} else {
			row, err = p.parseLEEF(msg[i:], &h, peer, now)
		}
		if err != nil {
			err.Offset += i
			return Record{Table: p.csl, Err: err}
		}
		return Record{Table: p.csl, Row: row}
	}
	h, err := ParseSyslog(msg, now)
	if err != nil {
		return Record{Table: p.syslog, Err: err}
	}
	return Record{Table: p.syslog, Row: p.syslogRow(&h, peer, now)}
}

type markerKind int

const (
	markerNone markerKind = iota
	markerCEF
	markerLEEF
)

// findMarker finds "CEF:<digits>|" or "LEEF:<digits>" at the start of msg or after a space.
func findMarker(msg []byte) (int, markerKind) {
	for off := 0; off < len(msg); {
		i := bytes.IndexAny(msg[off:], "CL")
		if i < 0 {
			return -1, markerNone
		}
		i += off
		off = i + 1
		if i > 0 && msg[i-1] != ' ' {
			continue
		}
		rest := msg[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("CEF:")) && len(rest) > 4 && isDigit(rest[4]):
			return i, markerCEF
		case bytes.HasPrefix(rest, []byte("LEEF:")) && len(rest) > 5 && isDigit(rest[5]):
			return i, markerLEEF
		}
	}
	return -1, markerNone
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// syslogRow maps a parsed syslog message to a Syslog row.
func (p *Parser) syslogRow(h *Header, peer string, now time.Time) []schema.Value {
	row := make([]schema.Value, len(p.syslog.Columns))
	c := &p.sc
	row[c.timeGenerated] = now
	if !h.Time.IsZero() {
		row[c.timeGenerated], row[c.eventTime] = h.Time, h.Time
	}
	row[c.timeCollected] = now
	host := h.Hostname
	if host == "" {
		host = peer
	}
	setString(row, c.computer, host)
	setString(row, c.hostName, host)
	setString(row, c.hostIP, peer)
	setString(row, c.facility, FacilityName(h.Facility))
	setString(row, c.severity, SeverityName(h.Severity))
	setString(row, c.processName, h.AppName)
	if pid, err := strconv.ParseInt(h.ProcID, 10, 32); err == nil {
		row[c.processID] = int32(pid)
	}
	msg := string(h.Msg)
	if h.SD != "" {
		msg = h.SD + " " + msg
	}
	row[c.message] = strings.ToValidUTF8(msg, "\uFFFD")
	row[c.sourceSystem] = "Linux"
	return row
}

// newCSLRow starts a CommonSecurityLog row with what the syslog header and the peer tell.
func (p *Parser) newCSLRow(h *Header, peer string, now time.Time) []schema.Value {
	row := make([]schema.Value, len(p.csl.Columns))
	c := &p.cc
	row[c.timeGenerated] = now
	if !h.Time.IsZero() {
		row[c.timeGenerated] = h.Time
	}
	host := h.Hostname
	if host == "" {
		host = peer
	}
	setString(row, c.computer, host)
	row[c.sourceSystem] = "OpsManager"
	return row
}

// setString sets a string cell, leaving empty strings null and replacing invalid UTF-8.
func setString(row []schema.Value, col int, s string) {
	if s == "" {
		return
	}
	row[col] = strings.ToValidUTF8(s, "\uFFFD")
}

// convert turns the text of a source field into a value of a column's type.
func convert(typ schema.Type, s string, now time.Time) (schema.Value, bool) {
	switch typ {
	case schema.TypeString:
		return strings.ToValidUTF8(s, "\uFFFD"), true
	case schema.TypeInt:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
		return int32(n), err == nil
	case schema.TypeLong:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil
	case schema.TypeReal:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil && !isNaNOrInf(f)
	case schema.TypeDatetime:
		return parseEventTime(s, now)
	default:
	}
	return nil, false
}

func isNaNOrInf(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// eventTimeLayouts are the timestamp forms the CEF standard allows (and RFC 3339).
var eventTimeLayouts = []string{
	"Jan 2 2006 15:04:05.000 MST", "Jan 2 2006 15:04:05.000", "Jan 2 2006 15:04:05 MST", "Jan 2 2006 15:04:05",
	"Jan 2 15:04:05.000 MST", "Jan 2 15:04:05.000", "Jan 2 15:04:05 MST", "Jan 2 15:04:05",
	time.RFC3339Nano,
}

// parseEventTime parses milliseconds since the epoch or one of eventTimeLayouts (a missing
// year is now's).
func parseEventTime(s string, now time.Time) (schema.Value, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		t := time.UnixMilli(ms).UTC()
		return t, validYear(t)
	}
	for _, l := range eventTimeLayouts {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if t.Year() == 0 {
			t = t.AddDate(now.Year(), 0, 0)
		}
		t = t.UTC()
		return t, validYear(t)
	}
	return nil, false
}

// extras collects the fields that have no column, as "key=value" pairs joined by ';'
// (the AdditionalExtensions format of CommonSecurityLog).
type extras struct{ b strings.Builder }

func (e *extras) add(k, v string) {
	if e.b.Len() > 0 {
		e.b.WriteByte(';')
	}
	e.b.WriteString(k)
	e.b.WriteByte('=')
	e.b.WriteString(v)
}

func (e *extras) set(row []schema.Value, col int) {
	setString(row, col, e.b.String())
}

// setFields converts v into every target column; it reports whether any took it.
func setFields(row []schema.Value, ts []target, v string, now time.Time) bool {
	took := false
	for _, t := range ts {
		if val, ok := convert(t.typ, v, now); ok {
			if s, isStr := val.(string); !isStr || s != "" {
				row[t.col] = val
			}
			took = true
		}
	}
	return took
}

// SyslogTable returns the Syslog table the parser fills (where unframed garbage belongs).
func (p *Parser) SyslogTable() *schema.Table { return p.syslog }

package hec

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// HEC status codes, as Splunk documents them.
const (
	CodeSuccess       = 0
	CodeTokenRequired = 2
	CodeInvalidToken  = 4
	CodeNoData        = 5
	CodeInvalidFormat = 6
	CodeServerBusy    = 9
	CodeEventRequired = 12
	CodeEventBlank    = 13
	CodeHealthy       = 17
)

// Event is one HEC event.
type Event struct {
	Time       time.Time // zero when the event had none
	Host       string
	Source     string
	Sourcetype string
	Index      string
	Table      string // fields.vigil_table
	Text       string // the event: a JSON string's value, or the JSON text of any other value
	Object     []byte // the event's JSON text when it is an object, else nil
	Raw        []byte // the whole event as sent, for IngestionErrors
}

// FormatError is a body that is not a sequence of HEC events; nothing in it is accepted.
type FormatError struct {
	Event  int // 0-based index of the faulty event (Splunk's invalid-event-number)
	Code   int // CodeInvalidFormat, CodeEventRequired or CodeEventBlank
	Offset int // byte offset of the faulty event in the body
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("event %d (byte %d): %s", e.Event, e.Offset, e.Msg)
}

// Decode parses a /services/collector/event body: JSON objects one after another, with or
// without whitespace between them. The returned events alias nothing in body.
func Decode(body []byte) ([]Event, error) {
	var (
		events []Event
		p      fastjson.Parser
	)
	off := 0
	for n := 0; ; n++ {
		off += len(body[off:]) - len(bytes.TrimLeft(body[off:], " \t\r\n"))
		if off >= len(body) {
			return events, nil
		}
		end, msg := objectEnd(body[off:])
		if msg != "" {
			return nil, &FormatError{Event: n, Code: CodeInvalidFormat, Offset: off, Msg: msg}
		}
		raw := body[off : off+end]
		ev, ferr := decodeEvent(&p, raw)
		if ferr != nil {
			ferr.Event, ferr.Offset = n, off
			return nil, ferr
		}
		events = append(events, ev)
		off += end
	}
}

// objectEnd returns the length of the JSON object at the start of b, found by matching braces
// outside strings; the object's content is validated later.
func objectEnd(b []byte) (int, string) {
	if b[0] != '{' {
		return 0, fmt.Sprintf("want a JSON object, found %q", b[0])
	}
	depth, inStr := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr && c == '\\':
			i++
		case inStr:
			inStr = c != '"'
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return i + 1, ""
			}
		}
	}
	return 0, "unterminated JSON object"
}

func decodeEvent(p *fastjson.Parser, raw []byte) (Event, *FormatError) {
	if err := fastjson.ValidateBytes(raw); err != nil {
		return Event{}, &FormatError{Code: CodeInvalidFormat, Msg: "invalid JSON: " + err.Error()}
	}
	v, err := p.ParseBytes(raw)
	if err != nil {
		return Event{}, &FormatError{Code: CodeInvalidFormat, Msg: "invalid JSON: " + err.Error()}
	}
	ev := Event{Raw: append([]byte(nil), raw...)}
	e := v.Get("event")
	switch {
	case e == nil:
		return Event{}, &FormatError{Code: CodeEventRequired, Msg: "event field is required"}
	case e.Type() == fastjson.TypeString:
		ev.Text = string(e.GetStringBytes())
	case e.Type() == fastjson.TypeObject:
		ev.Object = e.MarshalTo(nil)
		ev.Text = string(ev.Object)
	default:
		ev.Text = string(e.MarshalTo(nil))
	}
	if ev.Text == "" || e.Type() == fastjson.TypeNull {
		return Event{}, &FormatError{Code: CodeEventBlank, Msg: "event field cannot be blank"}
	}
	if t := v.Get("time"); t != nil && t.Type() != fastjson.TypeNull {
		if ev.Time, err = epoch(t); err != nil {
			return Event{}, &FormatError{Code: CodeInvalidFormat, Msg: err.Error()}
		}
	}
	ev.Host, ev.Source = str(v, "host"), str(v, "source")
	ev.Sourcetype, ev.Index = str(v, "sourcetype"), str(v, "index")
	if f := v.Get("fields"); f != nil && f.Type() != fastjson.TypeObject && f.Type() != fastjson.TypeNull {
		return Event{}, &FormatError{Code: CodeInvalidFormat, Msg: "fields must be an object"}
	}
	ev.Table = str(v, "fields", "vigil_table")
	return ev, nil
}

// str returns the string at path, or the JSON text of a non-string value there.
func str(v *fastjson.Value, path ...string) string {
	x := v.Get(path...)
	if x == nil || x.Type() == fastjson.TypeNull {
		return ""
	}
	if x.Type() == fastjson.TypeString {
		return string(x.GetStringBytes())
	}
	return string(x.MarshalTo(nil))
}

// epoch reads "time": epoch seconds as a JSON number or string.
func epoch(v *fastjson.Value) (time.Time, error) {
	var s string
	switch v.Type() {
	case fastjson.TypeNumber:
		s = string(v.MarshalTo(nil))
	case fastjson.TypeString:
		s = strings.TrimSpace(string(v.GetStringBytes()))
	default:
		return time.Time{}, fmt.Errorf("time must be epoch seconds, got %s", v.Type())
	}
	return ParseEpoch(s)
}

// ParseEpoch parses epoch seconds with an optional fraction of up to nanosecond precision,
// exactly ("1700000000.123456789"); other number forms (exponents) go through float64.
func ParseEpoch(s string) (time.Time, error) {
	bad := fmt.Errorf("time must be epoch seconds, got %q", s)
	whole, frac, hasFrac := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || (hasFrac && !digits(frac)) || whole == "" || whole[0] == '-' || whole[0] == '+' {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f < 0 || f > 1e11 || math.IsNaN(f) {
			return time.Time{}, bad
		}
		return time.Unix(0, int64(f*1e9)).UTC(), nil
	}
	if sec > 1e11 { // past year 5138: not seconds
		return time.Time{}, bad
	}
	var ns int64
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(frac) {
			ns += int64(frac[i] - '0')
		}
	}
	return time.Unix(sec, ns).UTC(), nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Meta is the metadata of raw events, from the request's query string.
type Meta struct {
	Host       string
	Source     string
	Sourcetype string
	Index      string
}

// DecodeRaw splits a /services/collector/raw body into one event a line; blank lines are
// skipped and a trailing carriage return is dropped.
func DecodeRaw(body []byte, m Meta) []Event {
	var events []Event
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		events = append(events, Event{
			Host: m.Host, Source: m.Source, Sourcetype: m.Sourcetype, Index: m.Index,
			Text: string(line), Raw: append([]byte(nil), line...),
		})
	}
	return events
}

package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/schema"
)

// RowError says why one row was rejected and where it was in the body.
type RowError struct {
	Row    int    `json:"row"`              // 0-based index among the body's rows
	Line   int    `json:"line"`             // 1-based line of the body where the row starts
	Offset int    `json:"offset"`           // byte offset in the body where the row starts
	Column string `json:"column,omitempty"` // the column at fault, if one is
	Reason string `json:"reason"`
	Raw    []byte `json:"-"` // the rejected payload, kept in IngestionErrors
}

// SyntaxError is a body that is not JSON, a JSON array or NDJSON; nothing in it was accepted.
type SyntaxError struct {
	Offset int // byte offset of the fault
	Line   int
	Col    int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d (byte %d): %s", e.Line, e.Col, e.Offset, e.Msg)
}

// Decoded holds a body's rows: the accepted ones, each as wide as the table with the ingest
// columns unset, and the rejected ones.
type Decoded struct {
	Rows   [][]schema.Value
	Errors []RowError
}

// Decode parses body — a JSON array of objects, one JSON object, or NDJSON (one object a line)
// — into rows of table t. A row that does not fit is rejected alone with the reason; a body
// that is not JSON at all is a *SyntaxError.
func Decode(t *schema.Table, body []byte) (*Decoded, error) {
	d := &Decoded{}
	if bytes.HasPrefix(body, []byte("\ufeff")) {
		// Keep offsets: blank the byte order mark rather than cut it.
		body = append([]byte("   "), body[3:]...)
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return d, nil
	}
	start := len(body) - len(trimmed)
	if trimmed[0] == '[' {
		return d, decodeArray(t, body, start, d)
	}
	if bytes.IndexByte(bytes.TrimSpace(trimmed), '\n') < 0 {
		return d, decodeSingle(t, body, start, d)
	}
	// A pretty-printed single object spans lines too: it is one when its first line is not a
	// JSON value by itself (an NDJSON body's first line always is).
	if trimmed[0] == '{' {
		first := trimmed
		if i := bytes.IndexByte(trimmed, '\n'); i >= 0 {
			first = trimmed[:i]
		}
		if fastjson.ValidateBytes(bytes.TrimSpace(first)) != nil {
			return d, decodeSingle(t, body, start, d)
		}
	}
	decodeLines(t, body, d)
	return d, nil
}

// parseStrict parses b as JSON. The parser alone is lenient (it takes NaN, +5, 1.2.3 as
// numbers), so b is validated first.
func parseStrict(p *fastjson.Parser, b []byte) (*fastjson.Value, error) {
	if err := fastjson.ValidateBytes(b); err != nil {
		return nil, err
	}
	return p.ParseBytes(b)
}

func decodeArray(t *schema.Table, body []byte, start int, d *Decoded) error {
	var p fastjson.Parser
	v, err := parseStrict(&p, body[start:])
	if err != nil {
		return syntaxError(body, err)
	}
	items, _ := v.Array()
	rd := rowDecoder{t: t}
	// Offsets of array elements are not kept by the parser; report the array's start.
	line := 1 + bytes.Count(body[:start], []byte{'\n'})
	for i, it := range items {
		row, rerr := rd.decode(it)
		if rerr != nil {
			rerr.Row, rerr.Line, rerr.Offset = i, line, start
			rerr.Raw = it.MarshalTo(nil)
			d.Errors = append(d.Errors, *rerr)
			continue
		}
		d.Rows = append(d.Rows, row)
	}
	return nil
}

func decodeSingle(t *schema.Table, body []byte, start int, d *Decoded) error {
	var p fastjson.Parser
	v, err := parseStrict(&p, body[start:])
	if err != nil {
		return syntaxError(body, err)
	}
	rd := rowDecoder{t: t}
	row, rerr := rd.decode(v)
	if rerr != nil {
		rerr.Line, rerr.Offset = 1+bytes.Count(body[:start], []byte{'\n'}), start
		rerr.Raw = bytes.TrimSpace(body)
		d.Errors = append(d.Errors, *rerr)
		return nil
	}
	d.Rows = append(d.Rows, row)
	return nil
}

func decodeLines(t *schema.Table, body []byte, d *Decoded) {
	var p fastjson.Parser
	rd := rowDecoder{t: t}
	off, row := 0, 0
	for line := 1; off < len(body); line++ {
		end := bytes.IndexByte(body[off:], '\n')
		if end < 0 {
			end = len(body) - off
		}
		lineText := body[off : off+end]
		text := bytes.TrimSpace(lineText)
		if len(text) > 0 {
			at := off + bytes.Index(lineText, text[:1]) // the row's first byte
			v, err := parseStrict(&p, text)
			var rerr *RowError
			if err != nil {
				se := syntaxError(text, err)
				rerr = &RowError{Reason: fmt.Sprintf("invalid JSON at column %d: %s", se.Col, se.Msg)}
			} else if r, e := rd.decode(v); e != nil {
				rerr = e
			} else {
				d.Rows = append(d.Rows, r)
			}
			if rerr != nil {
				rerr.Row, rerr.Line, rerr.Offset, rerr.Raw = row, line, at, text
				d.Errors = append(d.Errors, *rerr)
			}
			row++
		}
		off += end + 1
	}
}

// syntaxError locates a JSON fault with encoding/json, which reports offsets (the fast parser
// does not); it runs only on the error path.
func syntaxError(body []byte, perr error) *SyntaxError {
	off := len(body)
	msg := perr.Error()
	var any json.RawMessage
	err := json.Unmarshal(body, &any)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off, msg = int(se.Offset), se.Error()
	} else if err != nil {
		msg = err.Error()
	}
	off = min(max(off-1, 0), len(body))
	line := 1 + bytes.Count(body[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(body[:off], '\n')
	return &SyntaxError{Offset: off, Line: line, Col: col, Msg: msg}
}

// rowDecoder turns one JSON object into a row of its table.
type rowDecoder struct {
	t *schema.Table
}

func (rd *rowDecoder) decode(v *fastjson.Value) ([]schema.Value, *RowError) {
	obj, err := v.Object()
	if err != nil {
		return nil, &RowError{Reason: fmt.Sprintf("want a JSON object, got %s", kind(v))}
	}
	t := rd.t
	row := make([]schema.Value, len(t.Columns))
	var extra []byte
	var rerr *RowError
	obj.Visit(func(key []byte, fv *fastjson.Value) {
		if rerr != nil {
			return
		}
		i, ok := t.ColumnBytes(key)
		if !ok || t.Columns[i].Hidden {
			extra, rerr = rd.extraField(extra, key, fv)
			return
		}
		val, cerr := convert(t.Columns[i].Type, fv)
		if cerr != nil {
			rerr = &RowError{Column: t.Columns[i].Name, Reason: fmt.Sprintf("column %s (%s): %v", t.Columns[i].Name, t.Columns[i].Type, cerr)}
			return
		}
		row[i] = val
	})
	if rerr != nil {
		return nil, rerr
	}
	if extra != nil {
		if err := mergeExtra(t, row, extra); err != nil {
			return nil, err
		}
	}
	return row, finishRow(t, row)
}

// extraField keeps a field that names no column in AdditionalFields when the table allows it.
func (rd *rowDecoder) extraField(extra, key []byte, fv *fastjson.Value) ([]byte, *RowError) {
	if _, ok := rd.t.AcceptsExtraFields(); !ok {
		msg := fmt.Sprintf("unknown column %q: table %s has no such column", key, rd.t.Name)
		if s := nearestColumn(rd.t, string(key)); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return extra, &RowError{Column: string(key), Reason: msg}
	}
	if extra == nil {
		extra = append(extra, '{')
	} else {
		extra = append(extra, ',')
	}
	kb, _ := json.Marshal(string(key))
	extra = append(extra, kb...)
	extra = append(extra, ':')
	return fv.MarshalTo(extra), nil
}

// mergeExtra folds the extra fields into AdditionalFields, keeping the row's own keys first.
func mergeExtra(t *schema.Table, row []schema.Value, extra []byte) *RowError {
	i, _ := t.AcceptsExtraFields()
	merged := map[string]json.RawMessage{}
	if err := json.Unmarshal(append(extra, '}'), &merged); err != nil {
		return &RowError{Column: schema.ColAdditional, Reason: "extra fields: " + err.Error()}
	}
	var own string
	switch v := row[i].(type) {
	case string:
		own = v
	case schema.Dynamic:
		own = string(v)
	}
	if strings.TrimSpace(own) != "" {
		ownMap := map[string]json.RawMessage{}
		if err := json.Unmarshal([]byte(own), &ownMap); err != nil {
			return &RowError{Column: schema.ColAdditional, Reason: "AdditionalFields must be a JSON object when the row also has fields that name no column"}
		}
		for k, v := range ownMap {
			merged[k] = v
		}
	}
	b, _ := json.Marshal(merged)
	if t.Columns[i].Type == schema.TypeDynamic {
		row[i] = schema.Dynamic(b)
	} else {
		row[i] = string(b)
	}
	return nil
}

// finishRow fills the time columns from each other and the Type column, and rejects a row with
// no time at all.
func finishRow(t *schema.Table, row []schema.Value) *RowError {
	tg, _ := t.Column(schema.ColTimeGenerated)
	et := t.EventTimeColumn()
	switch {
	case row[tg] == nil && row[et] == nil:
		if et != tg {
			return &RowError{Column: schema.ColTimeGenerated, Reason: fmt.Sprintf("missing required time: %s or %s", t.Columns[et].Name, schema.ColTimeGenerated)}
		}
		return &RowError{Column: schema.ColTimeGenerated, Reason: "missing required time: " + schema.ColTimeGenerated}
	case row[tg] == nil:
		row[tg] = row[et]
	case row[et] == nil:
		row[et] = row[tg]
	}
	if i, ok := t.Column(schema.ColType); ok && row[i] == nil && t.Columns[i].Type == schema.TypeString {
		row[i] = t.Name
	}
	return nil
}

func nearestColumn(t *schema.Table, name string) string {
	best, bestD := "", 4
	l := strings.ToLower(name)
	for _, c := range t.Columns {
		if c.Hidden {
			continue
		}
		if d := schema.EditDistance(l, strings.ToLower(c.Name)); d < bestD {
			best, bestD = c.Name, d
		}
	}
	return best
}

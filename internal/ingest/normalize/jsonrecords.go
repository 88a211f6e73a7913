package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// jsonItem is one record of a JSON input: an object, or the reason none could be read.
type jsonItem struct {
	Offset int    // byte offset of the record (of its envelope, for records inside one)
	Raw    []byte // the record's text
	Obj    jobj
	Err    error
}

// maxJSONItems bounds the records read from one input, so that a hostile body of tiny values
// cannot make unbounded work.
const maxJSONItems = 1 << 20

// splitJSON reads the records of data: a JSON array of objects, a sequence of objects (NDJSON,
// concatenated or pretty-printed), or objects whose member named one of envelopes holds an
// array of records (CloudTrail's {"Records":[...]}, Azure Monitor's {"records":[...]}, Graph's
// {"value":[...]}). A value that is not JSON becomes an error item and reading resumes on the
// next line.
func splitJSON(data []byte, envelopes []string) []jsonItem {
	var out []jsonItem
	for start := skipJSONSpace(data, 0); start < len(data) && len(out) < maxJSONItems; start = skipJSONSpace(data, start) {
		d := json.NewDecoder(bytes.NewReader(data[start:]))
		d.UseNumber()
		next := len(data)
		for len(out) < maxJSONItems {
			off := skipJSONSpace(data, start+int(d.InputOffset()))
			if off >= len(data) {
				break
			}
			v, err := decodeJValue(d, 0)
			if err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					err = errors.New("unexpected end of input")
				}
				end := len(data)
				if nl := bytes.IndexByte(data[off:], '\n'); nl >= 0 {
					end = off + nl + 1
				}
				out = append(out, jsonItem{Offset: off, Raw: data[off:end], Err: fmt.Errorf("json: %w", err)})
				next = end
				break
			}
			out = expandJSON(out, v, data[off:start+int(d.InputOffset())], off, envelopes)
		}
		start = next
	}
	return out
}

func skipJSONSpace(data []byte, off int) int {
	for off < len(data) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	if bytes.HasPrefix(data[off:], []byte("\ufeff")) {
		return skipJSONSpace(data, off+3)
	}
	return off
}

// expandJSON appends the records of one top-level value.
func expandJSON(out []jsonItem, v any, raw []byte, off int, envelopes []string) []jsonItem {
	elems, isArray := v.([]any)
	key := ""
	if o, ok := v.(jobj); ok {
		for _, e := range envelopes {
			if a, ok := o.get(e).([]any); ok {
				elems, isArray, key = a, true, e
				break
			}
		}
		if !isArray {
			return append(out, jsonItem{Offset: off, Raw: raw, Obj: o})
		}
	}
	if !isArray {
		return append(out, jsonItem{Offset: off, Raw: raw, Err: errors.New("not a JSON object")})
	}
	offs := elementOffsets(raw, key)
	for i, e := range elems {
		at := off
		if len(offs) == len(elems) {
			at += offs[i]
		}
		text := []byte(jsonText(e))
		if o, ok := e.(jobj); ok {
			out = append(out, jsonItem{Offset: at, Raw: text, Obj: o})
			continue
		}
		out = append(out, jsonItem{Offset: at, Raw: text, Err: fmt.Errorf("record %d is not a JSON object", i)})
	}
	return out
}

// elementOffsets returns the offsets in raw of the elements of the array raw is (key "") or
// that its member key holds, or nil.
func elementOffsets(raw []byte, key string) []int {
	d := json.NewDecoder(bytes.NewReader(raw))
	if key != "" && !findMember(d, key) {
		return nil
	}
	if t, err := d.Token(); err != nil || t != json.Delim('[') {
		return nil
	}
	var offs []int
	for d.More() {
		offs = append(offs, skipJSONSpace(raw, int(d.InputOffset())))
		var skip json.RawMessage
		if d.Decode(&skip) != nil {
			return nil
		}
	}
	return offs
}

// findMember reads an object's tokens up to the value of its first member named key.
func findMember(d *json.Decoder, key string) bool {
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return false
		}
		if k, _ := kt.(string); k == key {
			return true
		}
		var skip json.RawMessage
		if d.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// path returns the value at a dotted path of member names ("status.errorCode"), or nil.
func (o jobj) path(p string) any {
	var v any = o
	for p != "" {
		var k string
		k, p, _ = strings.Cut(p, ".")
		obj, ok := v.(jobj)
		if !ok {
			return nil
		}
		v = obj.get(k)
	}
	return v
}

// text returns the value at path p as text ("" for null or missing).
func (o jobj) text(p string) string { return jsonText(o.path(p)) }

// jrow builds one row of a table from JSON values.
type jrow struct{ *winRow }

// put converts the JSON value v into column col; null and "" stay null. It reports whether the
// value fit the column's type.
func (r jrow) put(col string, v any) bool {
	tg, ok := r.wt.cols[col]
	if !ok {
		if r.bad == "" {
			r.bad = col
		}
		return false
	}
	val, ok := jsonConvert(tg.typ, v)
	if ok && val != nil {
		r.row[tg.col] = val
	}
	return ok
}

// putPath puts the value at path p of o into col.
func (r jrow) putPath(col string, o jobj, p string) bool { return r.put(col, o.path(p)) }

// jsonConvert converts a decoded JSON value to a value of typ: objects and arrays become
// compact JSON text in string columns, numbers and booleans their text; nil means null.
func jsonConvert(typ schema.Type, v any) (schema.Value, bool) {
	if v == nil {
		return nil, true
	}
	switch typ {
	case schema.TypeString:
		if s := jsonText(v); s != "" {
			return strings.ToValidUTF8(s, "\uFFFD"), true
		}
		return nil, true
	case schema.TypeDynamic:
		return jsonDynamic(v), true
	case schema.TypeReal:
		f, err := strconv.ParseFloat(strings.TrimSpace(jsonText(v)), 64)
		return f, err == nil && !isNaNOrInf(f)
	case schema.TypeDatetime:
		if _, ok := v.(string); !ok {
			return nil, false
		}
	default:
	}
	switch v.(type) {
	case jobj, []any:
		return nil, false
	}
	s := jsonText(v)
	if strings.TrimSpace(s) == "" {
		return nil, true
	}
	return winConvert(typ, s)
}

// jsonDynamic renders a value for a dynamic column; a string holding a JSON object or array
// is kept as that object or array (sources often double-encode them).
func jsonDynamic(v any) schema.Dynamic {
	if s, ok := v.(string); ok {
		t := strings.TrimSpace(s)
		if (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
			var b bytes.Buffer
			if json.Compact(&b, []byte(t)) == nil {
				return schema.Dynamic(b.String())
			}
		}
	}
	var b strings.Builder
	writeJSON(&b, v)
	return schema.Dynamic(b.String())
}

// jsonList renders values as a JSON array of strings, skipping empty ones.
func jsonList(vals ...string) string {
	var b strings.Builder
	b.WriteByte('[')
	n := 0
	for _, v := range vals {
		if v == "" {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, v)
		n++
	}
	b.WriteByte(']')
	return b.String()
}

// requireTime parses the record time at the first of paths that is set; a record without one
// is rejected rather than stamped with the ingest time.
func requireTime(o jobj, paths ...string) (schema.Value, error) {
	for _, p := range paths {
		s := o.text(p)
		if s == "" {
			continue
		}
		t, err := parseWinTime(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("missing time (%s)", strings.Join(paths, " or "))
}

package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Zeek TSV: the default output of Zeek's ASCII log writer.
//
//	#separator \x09
//	#set_separator	,
//	#empty_field	(empty)
//	#unset_field	-
//	#path	conn
//	#fields	ts	uid	id.orig_h	...
//	#types	time	string	addr	...
//	1710065730.123456	CHhAvVGS1DHFjwGM9	192.168.1.10	...
//	#close	2024-03-10-11-00-00
//
// Each data line becomes the record Zeek's JSON writer would have written for it (with _path
// set), so both forms map the same way: unset fields ("-") are left out, "(empty)" is an empty
// string or set, sets and vectors become arrays, bools T/F, numbers stay numbers. Separators and
// unprintable bytes inside values are \xNN escapes.

// zeekTSVHeader is the state the # lines of one log set.
type zeekTSVHeader struct {
	sep, setSep, empty, unset string
	path                      string
	fields, types             []string
}

// splitZeek reads Zeek logs line by line: a line starting with # is a TSV header, one starting
// with { a Zeek JSON record, any other a TSV record of the header in force. So TSV logs, JSON
// logs and a mix of both (several logs, or the JSON forms `vigil ingest` sends) read alike. The
// Raw of a TSV record is its JSON form, so that it can be sent on as one Zeek JSON record. A
// body that is a JSON array is read as an array of records.
func splitZeek(data []byte) []jsonItem {
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '[' {
		return splitJSON(data, nil)
	}
	h := zeekTSVHeader{sep: "\t", setSep: ",", empty: "(empty)", unset: "-"}
	var out []jsonItem
	for off := 0; off < len(data) && len(out) < maxJSONItems; {
		end := len(data)
		if nl := bytes.IndexByte(data[off:], '\n'); nl >= 0 {
			end = off + nl + 1
		}
		raw := bytes.TrimRight(data[off:end], "\r\n")
		line := strings.TrimRight(string(raw), "\r\n")
		if off == 0 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		switch t := strings.TrimLeft(line, " "); {
		case strings.TrimSpace(t) == "":
		case t[0] == '#':
			h.directive(line)
		case t[0] == '{':
			o, err := decodeJObj([]byte(t))
			out = append(out, jsonItem{Offset: off, Raw: raw, Obj: o, Err: err})
		default:
			o, err := h.record(line)
			if err != nil {
				out = append(out, jsonItem{Offset: off, Raw: raw, Err: err})
				break
			}
			var b strings.Builder
			writeJSON(&b, o)
			out = append(out, jsonItem{Offset: off, Raw: []byte(b.String()), Obj: o})
		}
		off = end
	}
	return out
}

// directive applies one # header line. An empty #separator (which Zeek never writes) keeps
// the separator in force; the data lines after it then fail with their field count.
func (h *zeekTSVHeader) directive(line string) {
	if v, ok := strings.CutPrefix(line, "#separator "); ok {
		if sep := unescapeZeek(strings.TrimSpace(v)); sep != "" {
			h.sep = sep
		}
		h.fields, h.types = nil, nil
		return
	}
	name, val, _ := strings.Cut(line[1:], h.sep)
	switch name {
	case "set_separator":
		h.setSep = unescapeZeek(val)
	case "empty_field":
		h.empty = unescapeZeek(val)
	case "unset_field":
		h.unset = unescapeZeek(val)
	case "path":
		h.path, h.fields, h.types = unescapeZeek(val), nil, nil
	case "fields":
		h.fields = strings.Split(val, h.sep)
	case "types":
		h.types = strings.Split(val, h.sep)
	default: // #open, #close and comments
	}
}

// record turns one data line into a Zeek JSON record.
func (h *zeekTSVHeader) record(line string) (jobj, error) {
	if len(h.fields) == 0 {
		return nil, fmt.Errorf("neither a JSON object nor a TSV line after a #fields header")
	}
	vals := strings.Split(line, h.sep)
	if len(vals) != len(h.fields) {
		return nil, fmt.Errorf("tsv: %d fields, #fields names %d", len(vals), len(h.fields))
	}
	o := make(jobj, 0, len(vals)+1)
	if h.path != "" {
		o = append(o, jfield{k: "_path", v: h.path})
	}
	for i, raw := range vals {
		if raw == h.unset {
			continue
		}
		typ := ""
		if i < len(h.types) {
			typ = h.types[i]
		}
		v, err := h.value(typ, raw)
		if err != nil {
			return nil, fmt.Errorf("tsv: field %s: %w", h.fields[i], err)
		}
		o = append(o, jfield{k: h.fields[i], v: v})
	}
	return o, nil
}

// value converts a field's text to the JSON value Zeek's JSON writer gives its type.
func (h *zeekTSVHeader) value(typ, raw string) (any, error) {
	if elem, ok := containerElem(typ); ok {
		out := []any{}
		if raw == h.empty {
			return out, nil
		}
		for _, e := range strings.Split(raw, h.setSep) {
			v, err := h.value(elem, e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	if raw == h.empty {
		return "", nil
	}
	switch typ {
	case "bool":
		switch raw {
		case "T":
			return true, nil
		case "F":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not T or F", clip(raw))
	case "count", "int", "port", "double", "time", "interval":
		if !isJSONNumber(raw) {
			return nil, fmt.Errorf("%q is not a %s", clip(raw), typ)
		}
		return json.Number(raw), nil
	}
	return unescapeZeek(raw), nil
}

// containerElem returns the element type of set[T] and vector[T].
func containerElem(typ string) (string, bool) {
	for _, p := range [...]string{"set[", "vector["} {
		if e, ok := strings.CutPrefix(typ, p); ok && strings.HasSuffix(e, "]") {
			return e[:len(e)-1], true
		}
	}
	return "", false
}

// unescapeZeek resolves the \xNN escapes Zeek writes for separators and unprintable bytes.
func unescapeZeek(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isJSONNumber reports whether s is a number as JSON writes it.
func isJSONNumber(s string) bool {
	return s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && json.Valid([]byte(s))
}

// zeekItems reads a Zeek body (TSV or JSON) and maps each record.
func (n *Normalizer) zeekItems(data []byte, _ string) []Item {
	its := splitZeek(data)
	out := make([]Item, 0, len(its))
	for _, it := range its {
		item := Item{Offset: it.Offset, Raw: it.Raw}
		if it.Err != nil {
			item.Records = []Record{n.fail(zeekFormat, asimNetTable, it.Err.Error())}
		} else {
			item.Records = n.zeekRecords(it.Obj)
		}
		out = append(out, item)
	}
	return out
}

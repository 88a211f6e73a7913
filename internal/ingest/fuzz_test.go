package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/schema"
)

// decodeSeeds are realistic bodies for FuzzDecode; the unit-test bodies are added too.
var decodeSeeds = []string{
	`{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","ProcessId":42,"FileName":"cmd.exe","ProcessCommandLine":"cmd.exe /c whoami"}`,
	`[{"Timestamp":"2024-05-01T10:00:00Z","ProcessId":"7"},{"TimeGenerated":"2024-05-01","Extra":{"a":[1,2]}},{"DeviceName":"x"}]`,
	"{\"Timestamp\":\"2024-05-01T10:00:00Z\"}\r\n\r\n{\"ProcessId\":\"nope\"}\n  {broken\n{\"AdditionalFields\":\"x\",\"y\":1}",
	"\ufeff\n{\n  \"TimeGenerated\": \"2024-05-01T10:00:00+02:00\",\n  \"AdditionalFields\": {\"k\": 1},\n  \"k2\": null\n}\n",
	`{"TimeGenerated":"2024-05-01T00:00:00Z","Str":1,"L":"9223372036854775807","I":-2147483648,"R":"NaN","B":"TRUE","Dt":"1969-07-20 20:17:40","Dyn":"{\"a\":[1]}","G":"{6F9619FF-8B86-D011-B42D-00C04FC964FF}","Ts":"-1.02:03:04.5","Dec":"-12.5"}`,
	`{"timegenerated":"2024-05-01T00:00:00Z","ts":"100ms","dec":1e3,"dyn":[1,{"b":null}],"b":0,"r":-1e308}`,
	"[\n  {\"N\":1},\n  {\"N\":2,}\n]",
	"",
	"   \n\t",
	`"just a string"`,
	`[1, "a", null, true, [], {}]`,
}

// decodeTables are the tables FuzzDecode decodes every body into.
func decodeTables(tb testing.TB) []*schema.Table {
	return []*schema.Table{builtinTable(tb, "DeviceProcessEvents"), allTypesTable(tb), dynExtraTable(tb)}
}

func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	for _, c := range convertCases {
		f.Add([]byte(`{"TimeGenerated":"2024-05-01T00:00:00Z","` + c.col + `":` + c.json + "}\n{\"" + c.col + `":` + c.json + "}"))
	}
	f.Add(processEventsBody(3))
	tables := decodeTables(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tab := range tables {
			checkDecode(t, tab, body)
		}
	})
}

// decodeRecovered is Decode, turning a panic into a failure that shows the stack.
func decodeRecovered(t *testing.T, tab *schema.Table, body []byte) (d *Decoded, err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			t.Fatalf("Decode(%q) panicked: %v\n%s", body, r, stack)
		}
	}()
	return Decode(tab, body)
}

// isNDJSON reports whether Decode takes body as NDJSON, as decode.go decides it.
func isNDJSON(body []byte) bool {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\ufeff")), " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] == '[' || bytes.IndexByte(bytes.TrimSpace(trimmed), '\n') < 0 {
		return false
	}
	if trimmed[0] != '{' {
		return true
	}
	first, _, _ := bytes.Cut(trimmed, []byte{'\n'})
	return fastjson.ValidateBytes(bytes.TrimSpace(first)) == nil
}

func checkDecode(t *testing.T, tab *schema.Table, body []byte) {
	d, err := decodeRecovered(t, tab, body)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("%s: error %T %v is not a *SyntaxError", tab.Name, err, err)
		}
		if se.Offset < 0 || se.Offset > len(body) || se.Line != 1+bytes.Count(body[:se.Offset], []byte{'\n'}) || se.Col < 1 {
			t.Fatalf("%s: syntax error position %+v out of body of %d bytes", tab.Name, *se, len(body))
		}
		if isNDJSON(body) {
			t.Fatalf("%s: NDJSON body rejected whole: %v", tab.Name, err)
		}
		return
	}
	checkRows(t, tab, d)
	prev := -1
	for _, e := range d.Errors {
		if e.Row <= prev && prev >= 0 || e.Row < 0 || e.Line < 1 || e.Offset < 0 || e.Offset > len(body) || e.Reason == "" {
			t.Fatalf("%s: bad row error %+v after row %d", tab.Name, e, prev)
		}
		prev = e.Row
	}
	if isNDJSON(body) {
		lines := 0
		for _, l := range bytes.Split(bytes.TrimPrefix(body, []byte("\ufeff")), []byte{'\n'}) {
			if len(bytes.TrimSpace(l)) > 0 {
				lines++
			}
		}
		if len(d.Rows)+len(d.Errors) != lines {
			t.Fatalf("%s: %d rows + %d errors for %d non-blank lines", tab.Name, len(d.Rows), len(d.Errors), lines)
		}
		for _, e := range d.Errors {
			if e.Row >= lines || e.Line != 1+bytes.Count(body[:e.Offset], []byte{'\n'}) || len(bytes.TrimSpace(bytes.TrimPrefix(body[bytes.LastIndexByte(body[:e.Offset], '\n')+1:e.Offset], []byte("\ufeff")))) != 0 {
				t.Fatalf("%s: row error %+v does not start a line", tab.Name, e)
			}
		}
	}
	checkRoundTrip(t, tab, d.Rows)
}

// checkRows checks every accepted row against its table.
func checkRows(t *testing.T, tab *schema.Table, d *Decoded) {
	tg, _ := tab.Column(schema.ColTimeGenerated)
	et := tab.EventTimeColumn()
	for r, row := range d.Rows {
		if len(row) != len(tab.Columns) {
			t.Fatalf("%s: row %d has %d cells for %d columns", tab.Name, r, len(row), len(tab.Columns))
		}
		for i, c := range tab.Columns {
			if !schema.ValidateValue(c.Type, row[i]) {
				t.Fatalf("%s: row %d column %s (%s) holds %T %#v", tab.Name, r, c.Name, c.Type, row[i], row[i])
			}
			if c.Hidden && row[i] != nil {
				t.Fatalf("%s: row %d sets hidden column %s", tab.Name, r, c.Name)
			}
			if dyn, ok := row[i].(schema.Dynamic); ok && !json.Valid([]byte(dyn)) {
				t.Fatalf("%s: row %d dynamic %s holds invalid JSON %s", tab.Name, r, c.Name, dyn)
			}
		}
		if row[tg] == nil || row[et] == nil {
			t.Fatalf("%s: row %d lacks a time", tab.Name, r)
		}
		if i, ok := tab.Column(schema.ColType); ok && row[i] == nil {
			t.Fatalf("%s: row %d lacks Type", tab.Name, r)
		}
		if i, ok := tab.AcceptsExtraFields(); ok {
			if s, ok := row[i].(string); ok && strings.HasPrefix(s, "{") && !json.Valid([]byte(s)) {
				t.Fatalf("%s: row %d AdditionalFields %q is not JSON", tab.Name, r, s)
			}
		}
	}
}

// checkRoundTrip sends rows through the codec and expects them back, datetimes to the
// microsecond.
func checkRoundTrip(t *testing.T, tab *schema.Table, rows [][]schema.Value) {
	if len(rows) == 0 {
		return
	}
	var got [][]schema.Value
	for _, m := range encodeRows("fuzz", tab, ingestTime, rows, 4096) {
		b, err := DecodeBatch(m)
		if err != nil {
			t.Fatalf("%s: DecodeBatch of encodeRows: %v", tab.Name, err)
		}
		for _, r := range b.Rows {
			row := make([]schema.Value, len(tab.Columns))
			for j, c := range b.Columns {
				k, _ := tab.Column(c.Name)
				row[k] = r[j]
			}
			got = append(got, row)
		}
	}
	if len(got) != len(rows) {
		t.Fatalf("%s: %d rows after the codec, want %d", tab.Name, len(got), len(rows))
	}
	for i := range rows {
		for j, c := range tab.Columns {
			if !c.Hidden && !sameValue(got[i][j], afterCodec(rows[i][j])) {
				t.Fatalf("%s: row %d %s = %#v after the codec, want %#v", tab.Name, i, c.Name, got[i][j], rows[i][j])
			}
		}
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(validMessage(f))
	tab, rows := splitRows(f)
	for _, m := range encodeRows("t", tab, ingestTime, rows[:20], 600) {
		f.Add(m)
	}
	f.Add([]byte("VB1"))
	f.Add([]byte(header(schema.Column{Name: "B", Type: schema.TypeBool}).uv(2).raw(1, 7, 0)))
	f.Add([]byte(header(schema.Column{Name: "X", Type: 99}).uv(1).raw(0)))
	f.Add([]byte(header().uv(3)))
	f.Fuzz(func(t *testing.T, msg []byte) {
		b, err := DecodeBatch(msg)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || b != nil {
				t.Fatalf("DecodeBatch = %v, %v; want nil and ErrCorrupt", b, err)
			}
			return
		}
		if len(b.Rows) > schema.MaxRowsPerBatch {
			t.Fatalf("%d rows", len(b.Rows))
		}
		defs := make([]schema.ColumnDef, len(b.Columns))
		for i, c := range b.Columns {
			if len(b.Rows) > 0 && len(b.Rows[0]) != len(b.Columns) {
				t.Fatalf("row of %d cells for %d columns", len(b.Rows[0]), len(b.Columns))
			}
			defs[i] = schema.ColumnDef{Name: c.Name, Type: c.Type.String()}
		}
		for _, r := range b.Rows {
			for i, c := range b.Columns {
				if !schema.ValidateValue(c.Type, r[i]) {
					t.Fatalf("column %s (%s) holds %T", c.Name, c.Type, r[i])
				}
			}
		}
		// Round trip: a batch whose columns make a valid table encodes back to itself.
		tab, err := schema.NewTable(b.Table, schema.KindCustom, defs)
		if err != nil {
			return // names or types no table can have
		}
		rows := make([][]schema.Value, len(b.Rows))
		for ri, r := range b.Rows {
			rows[ri] = make([]schema.Value, len(tab.Columns))
			for i, c := range b.Columns {
				k, _ := tab.Column(c.Name)
				rows[ri][k] = r[i]
			}
		}
		var got [][]schema.Value
		for _, m := range encodeRows(b.Tenant, tab, b.IngestTime, rows, 1<<16) {
			b2, err := DecodeBatch(m)
			if err != nil {
				t.Fatalf("re-encoded batch: %v", err)
			}
			if b2.Tenant != b.Tenant || b2.Table != b.Table || !b2.IngestTime.Equal(b.IngestTime) {
				t.Fatalf("header %q %q %v, want %q %q %v", b2.Tenant, b2.Table, b2.IngestTime, b.Tenant, b.Table, b.IngestTime)
			}
			for _, r := range b2.Rows {
				row := make([]schema.Value, len(tab.Columns))
				for j, c := range b2.Columns {
					k, _ := tab.Column(c.Name)
					row[k] = r[j]
				}
				got = append(got, row)
			}
		}
		if len(got) != len(rows) {
			t.Fatalf("%d rows after the round trip, want %d", len(got), len(rows))
		}
		for i := range got {
			for j := range tab.Columns {
				if !sameValue(got[i][j], rows[i][j]) {
					t.Fatalf("row %d %s = %#v, want %#v", i, tab.Columns[j].Name, got[i][j], rows[i][j])
				}
			}
		}
	})
}

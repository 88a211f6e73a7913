package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

var ingestTime = time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)

// newRow returns a row of t with the named cells set.
func newRow(tb testing.TB, t *schema.Table, cells map[string]schema.Value) []schema.Value {
	tb.Helper()
	row := make([]schema.Value, len(t.Columns))
	for name, v := range cells {
		row[col(tb, t, name)] = v
	}
	return row
}

// decodeMessages decodes every message and returns the rows laid out as t's columns, checking
// the header of each message.
func decodeMessages(tb testing.TB, t *schema.Table, tenant string, msgs [][]byte) [][]schema.Value {
	tb.Helper()
	var rows [][]schema.Value
	for i, m := range msgs {
		b, err := DecodeBatch(m)
		if err != nil {
			tb.Fatalf("message %d: %v", i, err)
		}
		if b.Tenant != tenant || b.Table != t.Name || !b.IngestTime.Equal(ingestTime.Truncate(time.Microsecond)) {
			tb.Fatalf("message %d header = %q %q %v", i, b.Tenant, b.Table, b.IngestTime)
		}
		for _, r := range b.Rows {
			if len(r) != len(b.Columns) {
				tb.Fatalf("message %d: row of %d cells for %d columns", i, len(r), len(b.Columns))
			}
			row := make([]schema.Value, len(t.Columns))
			for j, c := range b.Columns {
				k := col(tb, t, c.Name)
				if t.Columns[k].Type != c.Type {
					tb.Fatalf("column %s carried as %s, is %s", c.Name, c.Type, t.Columns[k].Type)
				}
				row[k] = r[j]
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// afterCodec is v as it comes out of the codec: datetimes keep microseconds.
func afterCodec(v schema.Value) schema.Value {
	if tm, ok := v.(time.Time); ok {
		return tm.Truncate(time.Microsecond)
	}
	return v
}

func TestCodecRoundTrip(t *testing.T) {
	tab := allTypesTable(t)
	tg := mustTime("2024-05-01T10:00:00Z")
	rows := [][]schema.Value{
		newRow(t, tab, map[string]schema.Value{
			"Str": "héllo ☃ 日本\x00\n\"q\"", "L": int64(math.MaxInt64), "I": int32(math.MaxInt32), "R": math.NaN(),
			"B": true, "Dt": mustTime("1969-07-20T20:17:40.123456789Z"), "Dyn": schema.Dynamic(`{"a":[1,2],"b":"ü"}`),
			"G": guid1, "Ts": -(26*time.Hour + 3*time.Minute + 4500*time.Millisecond + 100), "Dec": schema.Decimal("12.500000000000000000"),
			"TenantId": "tenant-1", "TimeGenerated": tg,
		}),
		newRow(t, tab, map[string]schema.Value{
			"Str": "", "L": int64(math.MinInt64), "I": int32(math.MinInt32), "R": math.Inf(1),
			"B": false, "Dt": mustTime("0001-01-01T00:00:00Z"), "Dyn": schema.Dynamic(""),
			"G": schema.GUID{}, "Ts": time.Duration(math.MinInt64), "Dec": schema.Decimal("-0.100000000000000000"),
			"TenantId": "", "TimeGenerated": mustTime("1900-01-01T00:00:00.000000999Z"),
		}),
		newRow(t, tab, map[string]schema.Value{"TimeGenerated": tg}), // every other cell null
		newRow(t, tab, map[string]schema.Value{
			"L": int64(0), "I": int32(-1), "R": math.Inf(-1), "Dt": mustTime("9999-12-31T23:59:59.999999999Z"),
			"Ts": time.Duration(math.MaxInt64), "Str": strings.Repeat("x", 300), "TimeGenerated": tg,
		}),
		newRow(t, tab, map[string]schema.Value{"R": math.Copysign(0, -1), "Dyn": schema.Dynamic(`null`), "TimeGenerated": tg}),
		newRow(t, tab, map[string]schema.Value{"R": 1e-320, "Dt": mustTime("1969-12-31T23:59:59.9999995Z"), "TimeGenerated": tg}),
	}
	msgs := encodeRows("tenant-1", tab, ingestTime, rows, 1<<20)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	b, err := DecodeBatch(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range b.Columns {
		names = append(names, c.Name+":"+c.Type.String())
	}
	wantCols := "Str:string L:long I:int R:real B:bool Dt:datetime Dyn:dynamic G:guid Ts:timespan Dec:decimal TenantId:string TimeGenerated:datetime"
	if got := strings.Join(names, " "); got != wantCols {
		t.Errorf("columns = %s\nwant      %s", got, wantCols)
	}
	got := decodeMessages(t, tab, "tenant-1", msgs)
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		for j, c := range tab.Columns {
			if want := afterCodec(rows[i][j]); !sameValue(got[i][j], want) {
				t.Errorf("row %d %s = %#v, want %#v", i, c.Name, got[i][j], want)
			}
			if tm, ok := got[i][j].(time.Time); ok && tm.Location() != time.UTC {
				t.Errorf("row %d %s not in UTC: %v", i, c.Name, tm)
			}
		}
	}
}

func TestCodecCarriesOnlyUsedColumns(t *testing.T) {
	tab := allTypesTable(t)
	rows := [][]schema.Value{
		newRow(t, tab, map[string]schema.Value{"TimeGenerated": ingestTime, "_IngestId": int64(7)}),
		newRow(t, tab, map[string]schema.Value{"TimeGenerated": ingestTime, "L": int64(1), "_IngestTime": ingestTime}),
		newRow(t, tab, map[string]schema.Value{"TimeGenerated": ingestTime, "Dec": nil}),
	}
	msgs := encodeRows("default", tab, ingestTime, rows, 1<<20)
	b, err := DecodeBatch(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Columns) != 2 || b.Columns[0] != (schema.Column{Name: "L", Type: schema.TypeLong}) ||
		b.Columns[1] != (schema.Column{Name: "TimeGenerated", Type: schema.TypeDatetime}) {
		t.Fatalf("columns = %+v, want L and TimeGenerated", b.Columns)
	}
	want := [][]schema.Value{{nil, ingestTime.Truncate(time.Microsecond)}, {int64(1), ingestTime.Truncate(time.Microsecond)}, {nil, ingestTime.Truncate(time.Microsecond)}}
	if fmt.Sprint(b.Rows) != fmt.Sprint(want) {
		t.Errorf("rows = %v, want %v", b.Rows, want)
	}
	if msgs := encodeRows("default", tab, ingestTime, nil, 1<<20); len(msgs) != 0 {
		t.Errorf("no rows: %d messages", len(msgs))
	}
}

func uvarintLen(n int) int { return len(binary.AppendUvarint(nil, uint64(n))) }

// splitRows returns n rows of a one-string-column table with lengths varying from 0 to 299.
func splitRows(tb testing.TB) (*schema.Table, [][]schema.Value) {
	tab, err := schema.NewTable("Split_CL", schema.KindCustom, []schema.ColumnDef{{Name: "S", Type: "string"}, {Name: "N", Type: "long"}})
	if err != nil {
		tb.Fatal(err)
	}
	var rows [][]schema.Value
	for i := 0; i < 200; i++ {
		rows = append(rows, newRow(tb, tab, map[string]schema.Value{
			"S": strings.Repeat(string(rune('a'+i%26)), i*7919%300), "N": int64(i), "TimeGenerated": ingestTime,
		}))
	}
	return tab, rows
}

func TestEncodeRowsSplit(t *testing.T) {
	tab, rows := splitRows(t)
	for _, maxBytes := range []int{1, 40, 100, 333, 500, 1000, 4096, 20000, 1 << 20} {
		t.Run(fmt.Sprint(maxBytes), func(t *testing.T) {
			msgs := encodeRows("t", tab, ingestTime, rows, maxBytes)
			used := []int{col(t, tab, "S"), col(t, tab, "N"), col(t, tab, "TimeGenerated")} // in table order
			sent := 0
			for i, m := range msgs {
				b, err := DecodeBatch(m)
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				// The header and rows stay within maxBytes; the row-count varint is not
				// counted (TestEncodeRowsSplitExactLimit).
				if len(m)-uvarintLen(len(b.Rows)) > maxBytes && len(b.Rows) != 1 {
					t.Errorf("message %d: %d bytes with %d rows, limit %d", i, len(m), len(b.Rows), maxBytes)
				}
				if len(b.Rows) == 0 {
					t.Errorf("message %d is empty", i)
				}
				// Greedy: the next row would not have fitted.
				sent += len(b.Rows)
				if sent < len(rows) {
					next := len(appendRow(nil, tab, used, rows[sent]))
					if len(m)-uvarintLen(len(b.Rows))+uvarintLen(len(b.Rows)+1)+next <= maxBytes {
						t.Errorf("message %d (%d bytes) split although the next row (%d bytes) fitted", i, len(m), next)
					}
				}
			}
			got := decodeMessages(t, tab, "t", msgs)
			if len(got) != len(rows) {
				t.Fatalf("%d rows arrived, want %d", len(got), len(rows))
			}
			n, s := col(t, tab, "N"), col(t, tab, "S")
			for i := range rows {
				if got[i][n] != rows[i][n] || got[i][s] != rows[i][s] {
					t.Fatalf("row %d = N %v, want %v (order or content lost)", i, got[i][n], rows[i][n])
				}
			}
			switch maxBytes {
			case 1:
				if len(msgs) != len(rows) {
					t.Errorf("limit 1: %d messages, want one a row", len(msgs))
				}
			case 1 << 20:
				if len(msgs) != 1 {
					t.Errorf("limit 1 MiB: %d messages, want 1", len(msgs))
				}
			}
		})
	}
}

func TestEncodeRowsSplitExactLimit(t *testing.T) {
	tab, err := schema.NewTable("Split_CL", schema.KindCustom, []schema.ColumnDef{{Name: "S", Type: "string"}})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]schema.Value
	for i := 0; i < 10; i++ {
		rows = append(rows, newRow(t, tab, map[string]schema.Value{"S": "0123456789"}))
	}
	one := encodeRows("t", tab, time.Unix(0, 0), rows[:1], 1<<20)[0]
	head := len(one) - 1 - 12 // row count 1 byte, row: presence + length + 10 bytes
	for maxBytes := head + 12; maxBytes < head+60; maxBytes++ {
		for i, m := range encodeRows("t", tab, time.Unix(0, 0), rows, maxBytes) {
			if b, _ := DecodeBatch(m); len(m) > maxBytes && len(b.Rows) > 1 {
				t.Errorf("maxBytes %d: message %d is %d bytes with %d rows", maxBytes, i, len(m), len(b.Rows))
			}
		}
	}
}

func TestEncodeRowsOversizedRow(t *testing.T) {
	tab, _ := splitRows(t)
	big := strings.Repeat("x", 5000)
	rows := [][]schema.Value{
		newRow(t, tab, map[string]schema.Value{"S": "a", "TimeGenerated": ingestTime}),
		newRow(t, tab, map[string]schema.Value{"S": big, "TimeGenerated": ingestTime}),
		newRow(t, tab, map[string]schema.Value{"S": "b", "TimeGenerated": ingestTime}),
		newRow(t, tab, map[string]schema.Value{"S": "c", "TimeGenerated": ingestTime}),
	}
	msgs := encodeRows("t", tab, ingestTime, rows, 1000)
	var counts []int
	for _, m := range msgs {
		b, err := DecodeBatch(m)
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, len(b.Rows))
	}
	if fmt.Sprint(counts) != "[1 1 2]" {
		t.Errorf("rows per message = %v, want [1 1 2]", counts)
	}
	got := decodeMessages(t, tab, "t", msgs)
	s := col(t, tab, "S")
	for i := range rows {
		if got[i][s] != rows[i][s] {
			t.Errorf("row %d differs", i)
		}
	}
}

// msgBuilder writes bus messages by hand.
type msgBuilder []byte

func (b msgBuilder) str(s string) msgBuilder  { return msgBuilder(appendString(b, s)) }
func (b msgBuilder) uv(n uint64) msgBuilder   { return msgBuilder(binary.AppendUvarint(b, n)) }
func (b msgBuilder) v(n int64) msgBuilder     { return msgBuilder(binary.AppendVarint(b, n)) }
func (b msgBuilder) raw(p ...byte) msgBuilder { return append(b, p...) }

// header is a message head up to and including the column list.
func header(cols ...schema.Column) msgBuilder {
	b := msgBuilder(codecMagic).str("t").str("T").v(0).uv(uint64(len(cols)))
	for _, c := range cols {
		b = b.str(c.Name).raw(byte(c.Type))
	}
	return b
}

func TestDecodeBatchCorrupt(t *testing.T) {
	long := schema.Column{Name: "L", Type: schema.TypeLong}
	for _, c := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"empty", nil, "corrupt batch message: bad magic"},
		{"short magic", []byte("VB"), "corrupt batch message: bad magic"},
		{"other magic", []byte("VB2\x01t\x01T\x00\x00\x00"), "corrupt batch message: bad magic"},
		{"magic only", []byte("VB1"), "corrupt batch message"},
		{"tenant longer than message", msgBuilder(codecMagic).uv(1 << 40).raw('t'), "corrupt batch message"},
		{"overlong varint", msgBuilder(codecMagic).raw(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), "corrupt batch message"},
		{"column count", msgBuilder(codecMagic).str("t").str("T").v(0).uv(1 << 62), "corrupt batch message: column count"},
		{"column list cut", header(long)[:len(header(long))-1], "corrupt batch message"},
		{"row count over limit", header(long).uv(schema.MaxRowsPerBatch + 1).raw(make([]byte, 64)...), "corrupt batch message: row count"},
		{"row count over bytes", header(long).uv(1000).raw(1, 2), "corrupt batch message: row count"},
		{"row count missing", header(long), "corrupt batch message"},
		{"rows cut", header(long).uv(3).raw(1, 2, 0), "corrupt batch message"},
		{"bad presence byte", header(long).uv(1).raw(2, 0), "corrupt batch message"},
		{"invalid column type", header(schema.Column{Name: "X", Type: schema.TypeInvalid}).uv(1).raw(1, 0), "corrupt batch message"},
		{"unknown column type", header(schema.Column{Name: "X", Type: 99}).uv(1).raw(1, 0), "corrupt batch message"},
		{"string cut", header(schema.Column{Name: "S", Type: schema.TypeString}).uv(1).raw(1).uv(10).raw('a', 'b'), "corrupt batch message"},
		{"real cut", header(schema.Column{Name: "R", Type: schema.TypeReal}).uv(1).raw(1, 0, 0, 0), "corrupt batch message"},
		{"guid cut", header(schema.Column{Name: "G", Type: schema.TypeGUID}).uv(1).raw(1, 1, 2, 3, 4, 5, 6, 7, 8), "corrupt batch message"},
		{"bool missing", header(schema.Column{Name: "B", Type: schema.TypeBool}).uv(1).raw(1), "corrupt batch message"},
		{"datetime cut", header(schema.Column{Name: "D", Type: schema.TypeDatetime}).uv(1).raw(1, 0x80), "corrupt batch message"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := DecodeBatch(c.msg)
			if !errors.Is(err, ErrCorrupt) || err.Error() != c.want {
				t.Fatalf("DecodeBatch = %+v, %v; want %q", b, err, c.want)
			}
			if b != nil {
				t.Errorf("batch %+v returned with the error", b)
			}
		})
	}
}

// validMessage is a two-row message holding every type.
func validMessage(tb testing.TB) []byte {
	tb.Helper()
	tab := allTypesTable(tb)
	rows := [][]schema.Value{
		newRow(tb, tab, map[string]schema.Value{
			"Str": "abc", "L": int64(-5), "I": int32(7), "R": 2.5, "B": true, "Dt": ingestTime,
			"Dyn": schema.Dynamic(`{"a":1}`), "G": guid1, "Ts": time.Hour, "Dec": schema.Decimal("1.5"), "TimeGenerated": ingestTime,
		}),
		newRow(tb, tab, map[string]schema.Value{"Str": "", "B": false, "Ts": -time.Second, "TimeGenerated": ingestTime}),
	}
	return encodeRows("tenant", tab, ingestTime, rows, 1<<20)[0]
}

func TestDecodeBatchTruncated(t *testing.T) {
	msg := validMessage(t)
	if _, err := DecodeBatch(msg); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(msg); n++ {
		if b, err := DecodeBatch(msg[:n]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated to %d of %d bytes: %+v, %v; want ErrCorrupt", n, len(msg), b, err)
		}
	}
}

func TestDecodeBatchBitFlips(t *testing.T) {
	msg := validMessage(t)
	for i := range msg {
		for _, x := range []byte{0x01, 0x02, 0x10, 0x40, 0x80, 0xff} {
			m := append([]byte(nil), msg...)
			m[i] ^= x
			b, err := DecodeBatch(m)
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Errorf("byte %d ^ %#x: error %v does not wrap ErrCorrupt", i, x, err)
				}
				continue
			}
			for _, r := range b.Rows {
				if len(r) != len(b.Columns) {
					t.Errorf("byte %d ^ %#x: row of %d cells for %d columns", i, x, len(r), len(b.Columns))
				}
			}
		}
	}
}

// TestDecodeBatchAllocBounded checks that hostile counts do not make DecodeBatch allocate far
// more than the message holds.
func TestDecodeBatchAllocBounded(t *testing.T) {
	manyCols := msgBuilder(codecMagic).str("t").str("T").v(0).uv(5000)
	for i := 0; i < 5000; i++ {
		manyCols = manyCols.str("").raw(byte(schema.TypeString))
	}
	manyCols = manyCols.uv(5000).raw(make([]byte, 5000)...) // one all-null row, then the message ends
	noCols := header().uv(schema.MaxRowsPerBatch).raw(make([]byte, 100)...)
	for _, c := range []struct {
		name string
		msg  []byte
	}{
		{"claims 2^62 columns", msgBuilder(codecMagic).str("t").str("T").v(0).uv(1 << 62).raw(make([]byte, 100)...)},
		{"claims 2^62 rows", header(schema.Column{Name: "L", Type: schema.TypeLong}).uv(1 << 62).raw(make([]byte, 100)...)},
		{"claims max rows of nothing", noCols},
		{"5000 columns, rows cut", manyCols},
		{"huge string length", header(schema.Column{Name: "S", Type: schema.TypeString}).uv(1).raw(1).uv(1 << 50)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, _ = DecodeBatch(c.msg)
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*len(c.msg)+1<<16) {
				t.Errorf("%d-byte message made DecodeBatch allocate %d bytes", len(c.msg), alloc)
			}
		})
	}
}

// TestEncodeRowsAllNullRows: rows with every cell null once encoded to zero-width rows that the
// decoder rejected; every message now carries a column.
func TestEncodeRowsAllNullRows(t *testing.T) {
	tab := posTable(t)
	rows := [][]schema.Value{make([]schema.Value, len(tab.Columns)), make([]schema.Value, len(tab.Columns))}
	for _, m := range encodeRows("t", tab, ingestTime, rows, 1<<20) {
		if b, err := DecodeBatch(m); err != nil || len(b.Rows) != 2 {
			t.Fatalf("DecodeBatch(encodeRows(2 null rows)) = %+v, %v; want 2 rows", b, err)
		}
	}
}

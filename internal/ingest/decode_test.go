package ingest

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// allTypesTable is a custom table with a column of every ingestible type and no
// AdditionalFields, so unknown fields are row errors.
func allTypesTable(tb testing.TB) *schema.Table {
	tb.Helper()
	t, err := schema.NewTable("AllTypes_CL", schema.KindCustom, []schema.ColumnDef{
		{Name: "Str", Type: "string"}, {Name: "L", Type: "long"}, {Name: "I", Type: "int"},
		{Name: "R", Type: "real"}, {Name: "B", Type: "bool"}, {Name: "Dt", Type: "datetime"},
		{Name: "Dyn", Type: "dynamic"}, {Name: "G", Type: "guid"}, {Name: "Ts", Type: "timespan"},
		{Name: "Dec", Type: "decimal"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// dynExtraTable is a custom table whose AdditionalFields column is dynamic.
func dynExtraTable(tb testing.TB) *schema.Table {
	tb.Helper()
	t, err := schema.NewTable("DynExtra_CL", schema.KindCustom, []schema.ColumnDef{
		{Name: "Name", Type: "string"}, {Name: "AdditionalFields", Type: "dynamic"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func builtinTable(tb testing.TB, name string) *schema.Table {
	tb.Helper()
	t, ok := schema.NewRegistry().Table(name)
	if !ok {
		tb.Fatalf("no table %s", name)
	}
	return t
}

func col(tb testing.TB, t *schema.Table, name string) int {
	tb.Helper()
	i, ok := t.Column(name)
	if !ok {
		tb.Fatalf("table %s has no column %s", t.Name, name)
	}
	return i
}

// sameValue compares two cells: times by instant, reals by bits (so NaN equals NaN).
func sameValue(a, b schema.Value) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	}
	return a == b
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// decodeOne decodes body, which must be accepted or rejected as exactly one row.
func decodeOne(t *testing.T, tab *schema.Table, body string) ([]schema.Value, *RowError) {
	t.Helper()
	d, err := Decode(tab, []byte(body))
	if err != nil {
		t.Fatalf("Decode(%s): %v", body, err)
	}
	if len(d.Rows)+len(d.Errors) != 1 {
		t.Fatalf("Decode(%s): %d rows, %d errors; want one in all", body, len(d.Rows), len(d.Errors))
	}
	if len(d.Errors) == 1 {
		return nil, &d.Errors[0]
	}
	return d.Rows[0], nil
}

var guid1 = schema.GUID{0x6f, 0x96, 0x19, 0xff, 0x8b, 0x86, 0xd0, 0x11, 0xb4, 0x2d, 0x00, 0xc0, 0x4f, 0xc9, 0x64, 0xff}

type convertCase struct {
	col    string
	json   string       // the field's JSON value
	want   schema.Value // the cell, when accepted
	reason string       // the exact RowError.Reason, when rejected
	fixed  string       // the bug this case caught before it was fixed
}

var convertCases = []convertCase{
	// string: strings as they are, anything else as its JSON text
	{col: "Str", json: `"abc"`, want: "abc"},
	{col: "Str", json: `""`, want: ""},
	{col: "Str", json: `"h\u00e9llo \u2603 日本"`, want: "héllo ☃ 日本"},
	{col: "Str", json: `"C:\\Windows\\System32\\cmd.exe"`, want: `C:\Windows\System32\cmd.exe`},
	{col: "Str", json: `42`, want: "42"},
	{col: "Str", json: `-1.5e3`, want: "-1.5e3"},
	{col: "Str", json: `true`, want: "true"},
	{col: "Str", json: `{"a": [1, "x"]}`, want: `{"a":[1,"x"]}`},
	{col: "Str", json: `[]`, want: "[]"},
	{col: "Str", json: `null`, want: nil},

	// long
	{col: "L", json: `42`, want: int64(42)},
	{col: "L", json: `-42`, want: int64(-42)},
	{col: "L", json: `"42"`, want: int64(42)},
	{col: "L", json: `" 7 "`, want: int64(7)},
	{col: "L", json: `1e3`, want: int64(1000)},
	{col: "L", json: `4.0`, want: int64(4)},
	{col: "L", json: `9223372036854775807`, want: int64(math.MaxInt64)},
	{col: "L", json: `-9223372036854775808`, want: int64(math.MinInt64)},
	{col: "L", json: `"9223372036854775807"`, want: int64(math.MaxInt64)},
	{col: "L", json: `null`, want: nil},
	{col: "L", json: `4.5`, reason: `column L (long): want long, got "4.5"`},
	{col: "L", json: `"abc"`, reason: `column L (long): want long, got "abc"`},
	{col: "L", json: `""`, reason: `column L (long): want long, got ""`},
	{col: "L", json: `"NaN"`, reason: `column L (long): want long, got "NaN"`},
	{col: "L", json: `1e20`, reason: `column L (long): long out of range: 1e20`},
	{col: "L", json: `true`, reason: `column L (long): want long, got a boolean`},
	{col: "L", json: `{}`, reason: `column L (long): want long, got an object`},
	{col: "L", json: `[1]`, reason: `column L (long): want long, got an array`},
	{col: "L", json: `9223372036854775808`, reason: `column L (long): long out of range: 9223372036854775808`,
		fixed: "convert.go:90 compares against float64(MaxInt64)=2^63 with >, so 2^63 passes and int64(f) wraps to MinInt64"},
	{col: "L", json: `"-9223372036854775809"`, reason: `column L (long): long out of range: -9223372036854775809`,
		fixed: "convert.go:90 lets -2^63-1 round to float64 -2^63 and accepts it as MinInt64"},
	{col: "L", json: `9223372036854775807.0`, reason: `column L (long): long out of range: 9223372036854775807.0`,
		fixed: "convert.go:90-93: 9223372036854775807.0 rounds to 2^63 and int64(2^63) is MinInt64"},

	// int
	{col: "I", json: `2147483647`, want: int32(math.MaxInt32)},
	{col: "I", json: `-2147483648`, want: int32(math.MinInt32)},
	{col: "I", json: `"12"`, want: int32(12)},
	{col: "I", json: `2147483648`, reason: `column I (int): int out of range: 2147483648`},
	{col: "I", json: `"-2147483649"`, reason: `column I (int): int out of range: -2147483649`},
	{col: "I", json: `3e9`, reason: `column I (int): int out of range: 3e9`},
	{col: "I", json: `false`, reason: `column I (int): want int, got a boolean`},

	// real
	{col: "R", json: `1.5`, want: 1.5},
	{col: "R", json: `-2`, want: -2.0},
	{col: "R", json: `0`, want: 0.0},
	{col: "R", json: `"3.25"`, want: 3.25},
	{col: "R", json: `" 2.5e-3 "`, want: 2.5e-3},
	{col: "R", json: `"NaN"`, want: math.NaN()},
	{col: "R", json: `"nan"`, want: math.NaN()},
	{col: "R", json: `"Infinity"`, want: math.Inf(1)},
	{col: "R", json: `"+Infinity"`, want: math.Inf(1)},
	{col: "R", json: `"inf"`, want: math.Inf(1)},
	{col: "R", json: `"-Infinity"`, want: math.Inf(-1)},
	{col: "R", json: `"-inf"`, want: math.Inf(-1)},
	{col: "R", json: `"abc"`, reason: `column R (real): want real, got "abc"`},
	{col: "R", json: `"1e400"`, reason: `column R (real): want real, got "1e400"`},
	{col: "R", json: `true`, reason: `column R (real): want real, got a boolean`},
	{col: "R", json: `{"v":1}`, reason: `column R (real): want real, got an object`},

	// bool
	{col: "B", json: `true`, want: true},
	{col: "B", json: `false`, want: false},
	{col: "B", json: `"true"`, want: true},
	{col: "B", json: `"FALSE"`, want: false},
	{col: "B", json: `" True "`, want: true},
	{col: "B", json: `"1"`, want: true},
	{col: "B", json: `"0"`, want: false},
	{col: "B", json: `1`, want: true},
	{col: "B", json: `0`, want: false},
	{col: "B", json: `2`, reason: `column B (bool): want bool (true, false, 1 or 0), got 2`},
	{col: "B", json: `1.0`, reason: `column B (bool): want bool (true, false, 1 or 0), got 1.0`},
	{col: "B", json: `"yes"`, reason: `column B (bool): want bool (true, false, 1 or 0), got "yes"`},
	{col: "B", json: `{}`, reason: `column B (bool): want bool (true, false, 1 or 0), got {}`},

	// datetime
	{col: "Dt", json: `"2024-05-01T12:30:00Z"`, want: mustTime("2024-05-01T12:30:00Z")},
	{col: "Dt", json: `"2024-05-01T12:30:00.1234567+02:00"`, want: mustTime("2024-05-01T10:30:00.1234567Z")},
	{col: "Dt", json: `" 2024-05-01 12:30:00 "`, want: mustTime("2024-05-01T12:30:00Z")},
	{col: "Dt", json: `"2024-05-01"`, want: mustTime("2024-05-01T00:00:00Z")},
	{col: "Dt", json: `"1969-07-20T20:17:40Z"`, want: mustTime("1969-07-20T20:17:40Z")},
	{col: "Dt", json: `1714566600`, reason: `column Dt (datetime): want datetime text (ISO 8601), got a number`},
	{col: "Dt", json: `"yesterday"`, reason: `column Dt (datetime): want datetime (ISO 8601, e.g. 2024-05-01T12:30:00Z), got "yesterday"`},
	{col: "Dt", json: `""`, reason: `column Dt (datetime): want datetime (ISO 8601, e.g. 2024-05-01T12:30:00Z), got ""`},

	// dynamic: compact JSON text; a string holding an object or array is parsed
	{col: "Dyn", json: `{ "a" : [1, 2], "b": {"c": null} }`, want: schema.Dynamic(`{"a":[1,2],"b":{"c":null}}`)},
	{col: "Dyn", json: `"{\"a\": 1}"`, want: schema.Dynamic(`{"a":1}`)},
	{col: "Dyn", json: `"  [1, 2]  "`, want: schema.Dynamic(`[1,2]`)},
	{col: "Dyn", json: `"plain"`, want: schema.Dynamic(`"plain"`)},
	{col: "Dyn", json: `"{not json"`, want: schema.Dynamic(`"{not json"`)},
	{col: "Dyn", json: `"[]"`, want: schema.Dynamic(`[]`)},
	{col: "Dyn", json: `42`, want: schema.Dynamic(`42`)},
	{col: "Dyn", json: `false`, want: schema.Dynamic(`false`)},
	{col: "Dyn", json: `"\u00e9"`, want: schema.Dynamic(`"é"`)},
	{col: "Dyn", json: `null`, want: nil},
	{col: "Dyn", json: `"{\"a\": NaN}"`, want: schema.Dynamic(`"{\"a\": NaN}"`),
		fixed: "convert.go:193 parses the string with lenient fastjson.Parse, which accepts NaN/inf/1.2.3 as numbers, so Dynamic holds invalid JSON {\"a\":NaN}"},

	// guid
	{col: "G", json: `"6f9619ff-8b86-d011-b42d-00c04fc964ff"`, want: guid1},
	{col: "G", json: `"{6F9619FF-8B86-D011-B42D-00C04FC964FF}"`, want: guid1},
	{col: "G", json: `" 6f9619ff-8b86-d011-b42d-00c04fc964ff "`, want: guid1},
	{col: "G", json: `"xyz"`, reason: `column G (guid): invalid guid "xyz": want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`},
	{col: "G", json: `"6f9619ff8b86d011b42d00c04fc964ff"`, reason: `column G (guid): invalid guid "6f9619ff8b86d011b42d00c04fc964ff": want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`},
	{col: "G", json: `"6f9619ff-8b86-d011-b42d-00c04fc964fg"`, reason: `column G (guid): invalid guid "6f9619ff-8b86-d011-b42d-00c04fc964fg": bad hex digit at 34`},
	{col: "G", json: `12`, reason: `column G (guid): want guid text, got a number`},
	{col: "G", json: `"00000000-0000-0000-0000--00000000000"`, reason: `column G (guid): invalid guid "00000000-0000-0000-0000--00000000000": bad hex digit at 24`,
		fixed: "schema/types.go:100 ParseGUID reads s[i+1] past the end (index out of range [36]) when an extra '-' shifts the pairs: Decode panics"},
	{col: "G", json: `"--000000-0000-0000-0000-000000000000"`, reason: `column G (guid): invalid guid "--000000-0000-0000-0000-000000000000": bad hex digit at 0`,
		fixed: "schema/types.go:95 ParseGUID skips any '-', so 2 extra dashes in place of hex digits are accepted as a GUID with its last byte zero"},

	// timespan
	{col: "Ts", json: `"01:02:03"`, want: time.Hour + 2*time.Minute + 3*time.Second},
	{col: "Ts", json: `"-1.00:00:00.5"`, want: -(24*time.Hour + 500*time.Millisecond)},
	{col: "Ts", json: `"5m"`, want: 5 * time.Minute},
	{col: "Ts", json: `" 100ms "`, want: 100 * time.Millisecond},
	{col: "Ts", json: `60`, reason: `column Ts (timespan): want timespan text ([-][d.]hh:mm:ss[.fffffff] or 5m, 1h), got a number`},
	{col: "Ts", json: `"soon"`, reason: `column Ts (timespan): want timespan ([-][d.]hh:mm:ss[.fffffff] or 5m, 1h, 1d), got "soon"`},

	// decimal: canonical text with 18 fraction digits
	{col: "Dec", json: `12.5`, want: schema.Decimal("12.500000000")},
	{col: "Dec", json: `"-0.1"`, want: schema.Decimal("-0.100000000")},
	{col: "Dec", json: `1e2`, want: schema.Decimal("100.000000000")},
	{col: "Dec", json: `"79228162514264337593543950335"`, want: schema.Decimal("79228162514264337593543950335.000000000")},
	{col: "Dec", json: `"abc"`, reason: `column Dec (decimal): want decimal, got "abc"`},
	{col: "Dec", json: `"NaN"`, reason: `column Dec (decimal): want decimal, got "NaN"`},
	{col: "Dec", json: `true`, reason: `column Dec (decimal): want decimal, got a boolean`},
	{col: "Dec", json: `"1/3"`, reason: `column Dec (decimal): want decimal, got "1/3"`,
		fixed: "convert.go:291 big.Rat.SetString accepts fractions, so \"1/3\" becomes 0.333333333333333333"},
}

func TestDecodeConvert(t *testing.T) {
	tab := allTypesTable(t)
	for _, c := range convertCases {
		t.Run(c.col+"="+c.json, func(t *testing.T) {
			body := `{"TimeGenerated":"2024-05-01T00:00:00Z","` + c.col + `":` + c.json + `}`
			row, rerr := decodeOne(t, tab, body)
			if c.reason != "" {
				if rerr == nil {
					t.Fatalf("accepted as %#v; want reason %q", row[col(t, tab, c.col)], c.reason)
				}
				if rerr.Reason != c.reason || rerr.Column != c.col {
					t.Fatalf("error = %q (column %q); want %q (column %q)", rerr.Reason, rerr.Column, c.reason, c.col)
				}
				return
			}
			if rerr != nil {
				t.Fatalf("rejected: %s", rerr.Reason)
			}
			if got := row[col(t, tab, c.col)]; !sameValue(got, c.want) {
				t.Fatalf("got %#v (%T), want %#v (%T)", got, got, c.want, c.want)
			}
		})
	}
}

func TestParseDatetime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // RFC 3339 in UTC; empty: rejected
	}{
		{"2024-05-01T12:30:00Z", "2024-05-01T12:30:00Z"},
		{"2024-05-01T12:30:00.123456789Z", "2024-05-01T12:30:00.123456789Z"},
		{"2024-05-01T12:30:00+02:00", "2024-05-01T10:30:00Z"},
		{"2024-05-01T12:30:00-05:30", "2024-05-01T18:00:00Z"},
		{"2024-05-01T12:30:00", "2024-05-01T12:30:00Z"},
		{"2024-05-01T12:30:00.5", "2024-05-01T12:30:00.5Z"},
		{"2024-05-01 12:30:00Z", "2024-05-01T12:30:00Z"},
		{"2024-05-01 12:30:00+01:00", "2024-05-01T11:30:00Z"},
		{"2024-05-01 12:30:00.250", "2024-05-01T12:30:00.25Z"},
		{"2024-05-01T12:30Z", "2024-05-01T12:30:00Z"},
		{"2024-05-01T12:30+02:00", "2024-05-01T10:30:00Z"},
		{"2024-05-01T12:30", "2024-05-01T12:30:00Z"},
		{"2024-05-01", "2024-05-01T00:00:00Z"},
		{"05/01/2024 12:30:00", "2024-05-01T12:30:00Z"},
		{"Wed, 01 May 2024 12:30:00 +0200", "2024-05-01T10:30:00Z"},
		{"Wed, 01 May 2024 12:30:00 GMT", "2024-05-01T12:30:00Z"},
		{"1969-07-20T20:17:40.123456789Z", "1969-07-20T20:17:40.123456789Z"},
		{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"},
		{"9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999Z"},
		{"", ""},
		{"yesterday", ""},
		{"2024-13-01", ""},
		{"2024-05-01T24:00:00Z", ""},
		{"20240501", ""},
		{"1714566600", ""},
		{"2024-05-01T12:30:00+0200", ""},
	} {
		got, err := ParseDatetime(c.in)
		if c.want == "" {
			wantErr := fmt.Sprintf("want datetime (ISO 8601, e.g. 2024-05-01T12:30:00Z), got %q", c.in)
			if err == nil || err.Error() != wantErr {
				t.Errorf("ParseDatetime(%q) = %v, %v; want error %q", c.in, got, err, wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDatetime(%q): %v", c.in, err)
			continue
		}
		if want := mustTime(c.want); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseDatetime(%q) = %v; want %v in UTC", c.in, got, want)
		}
	}
}

func TestParseTimespan(t *testing.T) {
	const day = 24 * time.Hour
	for _, c := range []struct {
		in    string
		want  time.Duration
		bad   bool
		fixed string // the bug this case caught before it was fixed
	}{
		{in: "00:00:00", want: 0},
		{in: "01:02:03", want: time.Hour + 2*time.Minute + 3*time.Second},
		{in: "1:00", want: time.Hour},
		{in: "00:30", want: 30 * time.Minute},
		{in: "24:00", want: day},
		{in: "00:00:01.5", want: 1500 * time.Millisecond},
		{in: "00:00:00.0000001", want: 100 * time.Nanosecond},
		{in: "1.02:03:04.5", want: day + 2*time.Hour + 3*time.Minute + 4500*time.Millisecond},
		{in: "10.00:00:00", want: 10 * day},
		{in: "-00:00:01", want: -time.Second},
		{in: "-1.12:00:00", want: -(day + 12*time.Hour)},
		{in: "100ms", want: 100 * time.Millisecond},
		{in: "250us", want: 250 * time.Microsecond},
		{in: "30s", want: 30 * time.Second},
		{in: "5m", want: 5 * time.Minute},
		{in: "2h", want: 2 * time.Hour},
		{in: "1.5h", want: 90 * time.Minute},
		{in: ".5h", want: 30 * time.Minute},
		{in: "2d", want: 2 * day},
		{in: "-1d", want: -day},
		{in: "3seconds", want: 3 * time.Second},
		{in: "1minute", want: time.Minute},
		{in: "2hours", want: 2 * time.Hour},
		{in: "7days", want: 7 * day},
		{in: "5milliseconds", want: 5 * time.Millisecond},
		{in: "5microseconds", want: 5 * time.Microsecond},
		{in: "1tick", want: 100 * time.Nanosecond},
		{in: "10ticks", want: time.Microsecond},
		{in: "", bad: true},
		{in: "0", bad: true},
		{in: "m", bad: true},
		{in: "5 m", bad: true},
		{in: "5min", bad: true},
		{in: "abc", bad: true},
		{in: "1:60", bad: true},
		{in: "00:00:60", bad: true},
		{in: "-1:00:-01", bad: true},
		{in: "1:2:3:4", bad: true},
		{in: "x.01:00:00", bad: true},
		{in: "01:xx", bad: true},
		{in: "NaNm", bad: true, fixed: "convert.go:271-275 parseTimespanLiteral accepts NaN/Inf (strconv.ParseFloat) and converts NaN to MinInt64"},
		{in: "1e300d", bad: true, fixed: "convert.go:275 no overflow check: time.Duration(1e300*24h) is MinInt64 on amd64"},
		{in: "00:00:NaN", bad: true, fixed: "convert.go:243 NaN seconds pass sec >= 60 || sec < 0 and become MinInt64"},
		{in: "999999999.00:00:00", bad: true, fixed: "convert.go:246 days*24h overflows int64 silently (-4549327655539769344ns)"},
		{in: "--1.02:00:00", bad: true, fixed: "convert.go:226 days are not checked for sign, so --1.02:00:00 is accepted as 22h"},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseTimespan(c.in)
			if c.bad {
				wantErr := fmt.Sprintf("want timespan ([-][d.]hh:mm:ss[.fffffff] or 5m, 1h, 1d), got %q", c.in)
				if strings.Contains(c.fixed, "overflow") && !strings.Contains(c.in, "e") {
					wantErr = fmt.Sprintf("timespan out of range: %q", c.in)
				}
				if err == nil || err.Error() != wantErr {
					t.Fatalf("ParseTimespan(%q) = %v, %v; want error %q", c.in, got, err, wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseTimespan(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}

// posTable is a tiny custom table for position tests.
func posTable(tb testing.TB) *schema.Table {
	tb.Helper()
	t, err := schema.NewTable("Pos_CL", schema.KindCustom, []schema.ColumnDef{{Name: "N", Type: "long"}})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestDecodePositions(t *testing.T) {
	const (
		good1   = `{"TimeGenerated":"2024-05-01T00:00:00Z","N":1}`
		good2   = `{"TimeGenerated":"2024-05-01T00:00:00Z","N":2}`
		noTime  = `{"N":3}`
		badN    = `{"TimeGenerated":"2024-05-01T00:00:00Z","N":"x"}`
		broken  = `{"TimeGenerated":"2024-05-01T00:00:00Z", oops}`
		missing = "missing required time: TimeGenerated"
		nReason = `column N (long): want long, got "x"`
	)
	cases := []struct {
		name   string
		body   string
		rows   []int64 // N of the accepted rows, in order
		errors []RowError
		fixed  string // the bug this case caught before it was fixed
	}{
		{name: "empty", body: ""},
		{name: "whitespace only", body: " \t\r\n\n  "},
		{name: "BOM only", body: "\ufeff"},
		{name: "single object", body: good1, rows: []int64{1}},
		{name: "single object rejected", body: noTime,
			errors: []RowError{{Row: 0, Line: 1, Offset: 0, Column: "TimeGenerated", Reason: missing}}},
		{name: "single object after BOM and blank lines", body: "\ufeff\r\n\n  " + badN + "\r\n",
			errors: []RowError{{Row: 0, Line: 3, Offset: 3 + 2 + 1 + 2, Column: "N", Reason: nReason}}},
		{name: "single non-object", body: `"hello"`,
			errors: []RowError{{Row: 0, Line: 1, Offset: 0, Reason: "want a JSON object, got a string"}}},
		{name: "pretty-printed object", body: "{\n  \"TimeGenerated\": \"2024-05-01T00:00:00Z\",\n  \"N\": 7\n}\n", rows: []int64{7}},
		{name: "pretty-printed object rejected", body: "\n\n{\n  \"N\": 7\n}",
			errors: []RowError{{Row: 0, Line: 3, Offset: 2, Column: "TimeGenerated", Reason: missing}}},
		{name: "NDJSON", body: good1 + "\n" + noTime + "\n" + good2 + "\n", rows: []int64{1, 2},
			errors: []RowError{{Row: 1, Line: 2, Offset: len(good1) + 1, Column: "TimeGenerated", Reason: missing}}},
		{name: "NDJSON blank lines and CRLF",
			body: "\r\n" + good1 + "\r\n\r\n" + badN + "\r\n   \r\n" + good2 + "\r\n" + broken + "\r\n\r\n" + noTime,
			rows: []int64{1, 2},
			errors: []RowError{
				{Row: 1, Line: 4, Offset: 2 + len(good1) + 4, Column: "N", Reason: nReason},
				{Row: 3, Line: 7, Offset: 2 + len(good1) + 4 + len(badN) + 7 + len(good2) + 2,
					Reason: "invalid JSON at column 42: invalid character 'o' looking for beginning of object key string"},
				{Row: 4, Line: 9, Offset: 2 + len(good1) + 4 + len(badN) + 7 + len(good2) + 2 + len(broken) + 4,
					Column: "TimeGenerated", Reason: missing},
			}},
		{name: "NDJSON non-objects", body: good1 + "\n[1]\n42\n\"s\"",
			rows: []int64{1},
			errors: []RowError{
				{Row: 1, Line: 2, Offset: len(good1) + 1, Reason: "want a JSON object, got an array"},
				{Row: 2, Line: 3, Offset: len(good1) + 5, Reason: "want a JSON object, got a number"},
				{Row: 3, Line: 4, Offset: len(good1) + 8, Reason: "want a JSON object, got a string"},
			}},
		{name: "NDJSON after leading whitespace", body: "\n\n" + good1 + "\n" + noTime, rows: []int64{1},
			errors: []RowError{{Row: 1, Line: 4, Offset: 2 + len(good1) + 1, Column: "TimeGenerated", Reason: missing}}},
		{name: "array", body: "[" + good1 + ",\n" + noTime + ",\n" + good2 + "]", rows: []int64{1, 2},
			// Array elements report the array's start (decode.go documents this).
			errors: []RowError{{Row: 1, Line: 1, Offset: 0, Column: "TimeGenerated", Reason: missing}}},
		{name: "array after BOM and blank lines", body: "\ufeff\n\n [" + badN + ", 5, " + good2 + "]", rows: []int64{2},
			errors: []RowError{
				{Row: 0, Line: 3, Offset: 6, Column: "N", Reason: nReason},
				{Row: 1, Line: 3, Offset: 6, Reason: "want a JSON object, got a number"},
			}},
		{name: "empty array", body: "[]"},
		{name: "NDJSON after BOM", body: "\ufeff" + good1 + "\n" + good2, rows: []int64{1, 2},
			fixed: "decode.go:64 decodeLines gets the body with its BOM and bytes.TrimSpace keeps it, so line 1 is rejected: invalid JSON at column 1: invalid character 'ï'"},
		{name: "NDJSON indented line", body: good1 + "\n   " + noTime, rows: []int64{1},
			errors: []RowError{{Row: 1, Line: 2, Offset: len(good1) + 1 + 3, Column: "TimeGenerated", Reason: missing}},
			fixed:  "decode.go:131 NDJSON offsets point at the line start, not at the row (the single-object path points at the '{')"},
	}
	tab := posTable(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decode(tab, []byte(c.body))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			n := col(t, tab, "N")
			var got []int64
			for _, r := range d.Rows {
				if len(r) != len(tab.Columns) {
					t.Fatalf("row has %d cells, table %d columns", len(r), len(tab.Columns))
				}
				got = append(got, r[n].(int64))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.rows) {
				t.Errorf("rows N = %v, want %v", got, c.rows)
			}
			if len(d.Errors) != len(c.errors) {
				t.Fatalf("errors = %+v, want %+v", d.Errors, c.errors)
			}
			for i, e := range d.Errors {
				w := c.errors[i]
				if e.Row != w.Row || e.Line != w.Line || e.Offset != w.Offset || e.Column != w.Column || e.Reason != w.Reason {
					t.Errorf("error %d = {Row:%d Line:%d Offset:%d Column:%q Reason:%q}\nwant      {Row:%d Line:%d Offset:%d Column:%q Reason:%q}",
						i, e.Row, e.Line, e.Offset, e.Column, e.Reason, w.Row, w.Line, w.Offset, w.Column, w.Reason)
				}
			}
		})
	}
}

func TestDecodeSyntaxError(t *testing.T) {
	for _, c := range []struct {
		name  string
		body  string
		want  SyntaxError
		fixed string // the bug this case caught before it was fixed
	}{
		{name: "array element broken on line 3", body: "[\n  {\"N\":1},\n  {\"N\":2,}\n]",
			want: SyntaxError{Offset: 22, Line: 3, Col: 10, Msg: "invalid character '}' looking for beginning of object key string"}},
		{name: "array missing comma", body: "[{\"N\":1}\n {\"N\":2}]",
			want: SyntaxError{Offset: 10, Line: 2, Col: 2, Msg: "invalid character '{' after array element"}},
		{name: "array not closed", body: `[{"N":1}`,
			want: SyntaxError{Offset: 7, Line: 1, Col: 8, Msg: "unexpected end of JSON input"}},
		{name: "array after blank lines", body: "\n\n[1,,2]",
			want: SyntaxError{Offset: 5, Line: 3, Col: 4, Msg: "invalid character ',' looking for beginning of value"}},
		{name: "single line object", body: `  {"N":tru}`,
			want: SyntaxError{Offset: 10, Line: 1, Col: 11, Msg: "invalid character '}' in literal true (expecting 'e')"}},
		{name: "NDJSON starting with an array line", body: "[1]\n{\"N\":1}",
			want: SyntaxError{Offset: 4, Line: 2, Col: 1, Msg: "invalid character '{' after top-level value"}},
		{name: "single line not JSON", body: `hello`,
			want: SyntaxError{Offset: 0, Line: 1, Col: 1, Msg: "invalid character 'h' looking for beginning of value"}},
		{name: "array after BOM", body: "\ufeff[1,,2]",
			want:  SyntaxError{Offset: 6, Line: 1, Col: 7, Msg: "invalid character ',' looking for beginning of value"},
			fixed: "decode.go:72 syntaxError re-parses the whole body with encoding/json, which stops at the BOM: Offset 0, Col 1, \"invalid character 'ï' looking for beginning of value\""},
		{name: "pretty-printed object broken", body: "{\n  \"N\": 1,\n}\n",
			want:  SyntaxError{Offset: 12, Line: 3, Col: 1, Msg: "invalid character '}' looking for beginning of object key string"},
			fixed: "decode.go:61-64 a pretty-printed object that is not valid JSON falls through to NDJSON: one row error per line (3 'rows') instead of a SyntaxError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decode(posTable(t), []byte(c.body))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Decode = %+v, %v; want *SyntaxError", d, err)
			}
			if *se != c.want {
				t.Fatalf("error = %+v\nwant    %+v", *se, c.want)
			}
			wantMsg := fmt.Sprintf("invalid JSON at line %d, column %d (byte %d): %s", c.want.Line, c.want.Col, c.want.Offset, c.want.Msg)
			if se.Error() != wantMsg {
				t.Errorf("Error() = %q, want %q", se.Error(), wantMsg)
			}
		})
	}
}

func TestDecodeAdditionalFields(t *testing.T) {
	const ts = `"Timestamp":"2024-05-01T10:00:00Z"`
	const notObject = "AdditionalFields must be a JSON object when the row also has fields that name no column"
	dpe := builtinTable(t, "DeviceProcessEvents")
	dyn := dynExtraTable(t)
	for _, c := range []struct {
		name   string
		tab    *schema.Table
		body   string
		want   schema.Value // AdditionalFields, when accepted
		reason string
	}{
		{name: "extra fields only", tab: dpe, body: `{` + ts + `,"Zed":"z","Extra":{"a":1},"n":null}`,
			want: `{"Extra":{"a":1},"Zed":"z","n":null}`},
		{name: "no extra fields", tab: dpe, body: `{` + ts + `}`, want: nil},
		{name: "own AdditionalFields kept as is without extras", tab: dpe, body: `{` + ts + `,"AdditionalFields":"free text"}`,
			want: "free text"},
		{name: "merged with own object, own keys win", tab: dpe,
			body: `{` + ts + `,"AdditionalFields":{"k":"own","m":1},"k":"extra","x":[2]}`,
			want: `{"k":"own","m":1,"x":[2]}`},
		{name: "extras before own object", tab: dpe,
			body: `{"x":2,` + ts + `,"additionalfields":"{\"m\":1}"}`,
			want: `{"m":1,"x":2}`},
		{name: "own empty string replaced", tab: dpe, body: `{` + ts + `,"AdditionalFields":"  ","x":1}`, want: `{"x":1}`},
		{name: "own null", tab: dpe, body: `{` + ts + `,"AdditionalFields":null,"x":1}`, want: `{"x":1}`},
		{name: "hidden column name is an extra field", tab: dpe, body: `{` + ts + `,"_IngestId":5}`, want: `{"_IngestId":5}`},
		{name: "unicode and escaped keys", tab: dpe, body: `{` + ts + `,"clé \"q\"":"värde"}`, want: `{"clé \"q\"":"värde"}`},
		{name: "own string not an object", tab: dpe, body: `{` + ts + `,"AdditionalFields":"free text","x":1}`, reason: notObject},
		{name: "own array", tab: dpe, body: `{` + ts + `,"AdditionalFields":[1,2],"x":1}`, reason: notObject},
		{name: "own number", tab: dpe, body: `{` + ts + `,"AdditionalFields":5,"x":1}`, reason: notObject},
		{name: "dynamic: extras only", tab: dyn, body: `{"TimeGenerated":"2024-05-01T00:00:00Z","Name":"n","b":true,"a":"x"}`,
			want: schema.Dynamic(`{"a":"x","b":true}`)},
		{name: "dynamic: merged with string holding an object", tab: dyn,
			body: `{"TimeGenerated":"2024-05-01T00:00:00Z","AdditionalFields":"{\"a\":\"own\"}","a":"extra","b":1}`,
			want: schema.Dynamic(`{"a":"own","b":1}`)},
		{name: "dynamic: own string not an object", tab: dyn,
			body:   `{"TimeGenerated":"2024-05-01T00:00:00Z","AdditionalFields":"text","b":1}`,
			reason: notObject},
	} {
		t.Run(c.name, func(t *testing.T) {
			row, rerr := decodeOne(t, c.tab, c.body)
			if c.reason != "" {
				if rerr == nil || rerr.Reason != c.reason || rerr.Column != schema.ColAdditional {
					t.Fatalf("got %+v; want reason %q on AdditionalFields", rerr, c.reason)
				}
				return
			}
			if rerr != nil {
				t.Fatalf("rejected: %s", rerr.Reason)
			}
			if got := row[col(t, c.tab, schema.ColAdditional)]; got != c.want {
				t.Fatalf("AdditionalFields = %#v, want %#v", got, c.want)
			}
			for i, cl := range c.tab.Columns {
				if cl.Hidden && row[i] != nil {
					t.Errorf("hidden column %s set to %#v", cl.Name, row[i])
				}
			}
		})
	}
}

func TestDecodeUnknownColumn(t *testing.T) {
	sl := builtinTable(t, "SigninLogs")
	const tg = `"TimeGenerated":"2024-05-01T00:00:00Z"`
	for _, c := range []struct {
		body, column, reason string
	}{
		{`{` + tg + `,"UserPrincipalNme":"a@b.c"}`, "UserPrincipalNme",
			`unknown column "UserPrincipalNme": table SigninLogs has no such column (did you mean "UserPrincipalName"?)`},
		{`{` + tg + `,"ipaddres":"10.0.0.1"}`, "ipaddres",
			`unknown column "ipaddres": table SigninLogs has no such column (did you mean "IPAddress"?)`},
		{`{` + tg + `,"Zzzzzzzzzzzz":1}`, "Zzzzzzzzzzzz",
			`unknown column "Zzzzzzzzzzzz": table SigninLogs has no such column`},
		{`{` + tg + `,"AdditionalFields":{"a":1}}`, "AdditionalFields",
			`unknown column "AdditionalFields": table SigninLogs has no such column`},
		{`{` + tg + `,"_IngestTime":"2024-05-01T00:00:00Z"}`, "_IngestTime",
			`unknown column "_IngestTime": table SigninLogs has no such column`},
	} {
		_, rerr := decodeOne(t, sl, c.body)
		if rerr == nil || rerr.Column != c.column || rerr.Reason != c.reason {
			t.Errorf("Decode(%s) = %+v\nwant column %q reason %q", c.body, rerr, c.column, c.reason)
		}
	}
}

func TestDecodeTimeAndType(t *testing.T) {
	dpe := builtinTable(t, "DeviceProcessEvents")
	sl := builtinTable(t, "SigninLogs")
	custom := posTable(t)
	t1, t2 := mustTime("2024-05-01T10:00:00Z"), mustTime("2024-05-01T11:00:00Z")
	for _, c := range []struct {
		name       string
		tab        *schema.Table
		body       string
		tg, ts     schema.Value // want TimeGenerated and Timestamp (if the table has it)
		typ        schema.Value // want Type (if the table has it)
		column     string
		reason     string
		unusedType bool
	}{
		{name: "Timestamp fills TimeGenerated", tab: dpe, body: `{"Timestamp":"2024-05-01T10:00:00Z"}`, tg: t1, ts: t1, typ: "DeviceProcessEvents"},
		{name: "TimeGenerated fills Timestamp", tab: dpe, body: `{"TimeGenerated":"2024-05-01T10:00:00Z"}`, tg: t1, ts: t1, typ: "DeviceProcessEvents"},
		{name: "both kept", tab: dpe, body: `{"TimeGenerated":"2024-05-01T11:00:00Z","Timestamp":"2024-05-01T10:00:00Z"}`, tg: t2, ts: t1, typ: "DeviceProcessEvents"},
		{name: "null counts as absent", tab: dpe, body: `{"TimeGenerated":null,"Timestamp":"2024-05-01T10:00:00Z"}`, tg: t1, ts: t1, typ: "DeviceProcessEvents"},
		{name: "lower-case names", tab: dpe, body: `{"timestamp":"2024-05-01T10:00:00Z","type":"Mine"}`, tg: t1, ts: t1, typ: "Mine"},
		{name: "Type kept", tab: dpe, body: `{"Timestamp":"2024-05-01T10:00:00Z","Type":"Other"}`, tg: t1, ts: t1, typ: "Other"},
		{name: "neither time", tab: dpe, body: `{"DeviceName":"ws1"}`, column: "TimeGenerated",
			reason: "missing required time: Timestamp or TimeGenerated"},
		{name: "both null", tab: dpe, body: `{"Timestamp":null,"TimeGenerated":null}`, column: "TimeGenerated",
			reason: "missing required time: Timestamp or TimeGenerated"},
		{name: "no time, table without Timestamp", tab: sl, body: `{"UserPrincipalName":"a@b.c"}`, column: "TimeGenerated",
			reason: "missing required time: TimeGenerated"},
		{name: "SigninLogs Type", tab: sl, body: `{"TimeGenerated":"2024-05-01T10:00:00Z"}`, tg: t1, typ: "SigninLogs"},
		{name: "custom table without Type column", tab: custom, body: `{"timegenerated":"2024-05-01T10:00:00Z"}`, tg: t1, unusedType: true},
		{name: "empty object", tab: custom, body: `{}`, column: "TimeGenerated", reason: "missing required time: TimeGenerated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			row, rerr := decodeOne(t, c.tab, c.body)
			if c.reason != "" {
				if rerr == nil || rerr.Reason != c.reason || rerr.Column != c.column {
					t.Fatalf("got %+v; want column %q reason %q", rerr, c.column, c.reason)
				}
				return
			}
			if rerr != nil {
				t.Fatalf("rejected: %s", rerr.Reason)
			}
			if got := row[col(t, c.tab, schema.ColTimeGenerated)]; !sameValue(got, c.tg) {
				t.Errorf("TimeGenerated = %v, want %v", got, c.tg)
			}
			if i, ok := c.tab.Column(schema.ColTimestamp); ok && !sameValue(row[i], c.ts) {
				t.Errorf("Timestamp = %v, want %v", row[i], c.ts)
			}
			if i, ok := c.tab.Column(schema.ColType); ok != !c.unusedType || ok && row[i] != c.typ {
				t.Errorf("Type = %v (column %v), want %v", row[i], ok, c.typ)
			}
		})
	}
}

func TestDecodeCaseInsensitiveColumns(t *testing.T) {
	dpe := builtinTable(t, "DeviceProcessEvents")
	row, rerr := decodeOne(t, dpe, `{"TIMESTAMP":"2024-05-01T10:00:00Z","devicename":"WS1","ProcessID":"4242","processcommandline":"cmd.exe /c whoami","sha256":"ab"}`)
	if rerr != nil {
		t.Fatal(rerr.Reason)
	}
	for name, want := range map[string]schema.Value{
		"Timestamp": mustTime("2024-05-01T10:00:00Z"), "DeviceName": "WS1", "ProcessId": int64(4242),
		"ProcessCommandLine": "cmd.exe /c whoami", "SHA256": "ab", "AdditionalFields": nil,
	} {
		if got := row[col(t, dpe, name)]; !sameValue(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	// A name given twice in different cases: the later wins.
	row, rerr = decodeOne(t, dpe, `{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"a","DEVICENAME":"b"}`)
	if rerr != nil || row[col(t, dpe, "DeviceName")] != "b" {
		t.Errorf("duplicate names: %v %v", row, rerr)
	}
}

// processEventsBody returns n NDJSON DeviceProcessEvents rows of about 1 KB each.
func processEventsBody(n int) []byte {
	var sb strings.Builder
	users := []string{"alice", "bob", "carol", "svc_backup"}
	cmds := []string{
		`powershell.exe -NoProfile -ExecutionPolicy Bypass -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA`,
		`cmd.exe /c \"whoami /all \u0026\u0026 net group \\\"Domain Admins\\\" /domain\"`,
		`\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US --field-trial-handle=1836,i,1234`,
		`rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Temp\\lsass.dmp full`,
	}
	for i := 0; i < n; i++ {
		u := users[i%len(users)]
		fmt.Fprintf(&sb, `{"Timestamp":"2024-05-01T10:%02d:%02d.%07dZ","DeviceId":"c0a8f3e1b2d44f5e9a7b6c5d4e3f2a1b%08x","DeviceName":"ws-%03d.corp.example.com",`+
			`"ActionType":"ProcessCreated","FileName":"powershell.exe","FolderPath":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",`+
			`"SHA1":"6cbce4a295c163791b60fc23d285e6d84f28ee4c","SHA256":"de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c","MD5":"7353f60b1739074eb17c5f4dddefe239",`+
			`"FileSize":%d,"ProcessId":%d,"ProcessCommandLine":"%s","ProcessIntegrityLevel":"High","ProcessTokenElevation":"TokenElevationTypeFull",`+
			`"ProcessCreationTime":"2024-05-01T10:%02d:%02dZ","AccountDomain":"CORP","AccountName":"%s","AccountSid":"S-1-5-21-1004336348-1177238915-682003330-%d",`+
			`"AccountUpn":"%s@corp.example.com","LogonId":%d,"InitiatingProcessFileName":"explorer.exe","InitiatingProcessFolderPath":"C:\\Windows\\explorer.exe",`+
			`"InitiatingProcessId":%d,"InitiatingProcessCommandLine":"C:\\Windows\\Explorer.EXE","InitiatingProcessParentFileName":"userinit.exe","InitiatingProcessParentId":%d,`+
			`"InitiatingProcessSHA256":"0d6e0c8fb5e7b9a2b8f1c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718","ReportId":%d}`+"\n",
			i/60%60, i%60, i*7919%10000000, i, i%500, 450560+i, 1000+i%30000, cmds[i%len(cmds)], i/60%60, i%60, u, 1100+i%4, u, 999000+i, 4000+i%100, 600+i%10, i)
	}
	return []byte(sb.String())
}

func BenchmarkDecode(b *testing.B) {
	tab := builtinTable(b, "DeviceProcessEvents")
	body := processEventsBody(5000)
	d, err := Decode(tab, body)
	if err != nil || len(d.Rows) != 5000 || len(d.Errors) != 0 {
		b.Fatalf("setup: %v, %d rows, errors %+v", err, len(d.Rows), d.Errors[:min(len(d.Errors), 1)])
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Decode(tab, body); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeRejectsInvalidJSONNumbers(t *testing.T) {
	tab := allTypesTable(t)
	const prefix = `{"TimeGenerated":"2024-05-01T00:00:00Z",`
	for _, c := range []struct{ field, value string }{
		{"Dyn", "NaN"}, {"Dyn", "-inf"}, {"Str", "1.2.3"}, {"Str", "+5"}, {"Dyn", "--"},
	} {
		t.Run(c.field+"="+c.value, func(t *testing.T) {
			body := prefix + `"` + c.field + `":` + c.value + `}`
			_, err := Decode(tab, []byte(body))
			var se *SyntaxError
			at := len(prefix) + len(c.field) + 3 // the value
			if !errors.As(err, &se) || se.Offset < at || se.Offset >= at+len(c.value) || se.Line != 1 {
				t.Fatalf("Decode(%s) = %v; want a *SyntaxError in bytes %d-%d", body, err, at, at+len(c.value)-1)
			}
		})
	}
}

package hec

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		n     int
		err   string
		code  int
		event int
	}{
		{"one", `{"event":"a"}`, 1, "", 0, 0},
		{"concatenated", `{"event":"a"}{"event":{"b":"}{"}}` + "\n\t" + `{"event":1}`, 3, "", 0, 0},
		{"escaped quote in string", `{"event":"a\"}{"}{"event":"b"}`, 2, "", 0, 0},
		{"not an object", `{"event":"a"} [1]`, 0, `event 1 (byte 14): want a JSON object, found '['`, CodeInvalidFormat, 1},
		{"unterminated", `{"event":"a"`, 0, "event 0 (byte 0): unterminated JSON object", CodeInvalidFormat, 0},
		{"invalid json", `{"event":NaN}`, 0, "", CodeInvalidFormat, 0},
		{"no event", `{"event":"a"}{"host":"h"}`, 0, "event 1 (byte 13): event field is required", CodeEventRequired, 1},
		{"blank", `{"event":""}`, 0, "event 0 (byte 0): event field cannot be blank", CodeEventBlank, 0},
		{"null event", `{"event":null}`, 0, "event 0 (byte 0): event field cannot be blank", CodeEventBlank, 0},
		{"bad time", `{"event":"a","time":"soon"}`, 0, `event 0 (byte 0): time must be epoch seconds, got "soon"`, CodeInvalidFormat, 0},
		{"fields not object", `{"event":"a","fields":3}`, 0, "event 0 (byte 0): fields must be an object", CodeInvalidFormat, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := Decode([]byte(tt.body))
			if tt.code == 0 {
				if err != nil || len(evs) != tt.n {
					t.Fatalf("got %d events, %v; want %d", len(evs), err, tt.n)
				}
				return
			}
			var ferr *FormatError
			if !errors.As(err, &ferr) || ferr.Code != tt.code || ferr.Event != tt.event || (tt.err != "" && err.Error() != tt.err) {
				t.Fatalf("got %v (%+v), want code %d event %d %q", err, ferr, tt.code, tt.event, tt.err)
			}
		})
	}
}

func TestParseEpoch(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"1700000000", time.Unix(1700000000, 0), true},
		{"1700000000.123456789", time.Unix(1700000000, 123456789), true},
		{"1700000000.1", time.Unix(1700000000, 100000000), true},
		{"1.7e9", time.Unix(1700000000, 0), true},
		{"-1", time.Time{}, false},
		{"1700000000.", time.Unix(1700000000, 0), true},
		{"NaN", time.Time{}, false},
		{"99999999999999", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseEpoch(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseEpoch(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDecodeRaw(t *testing.T) {
	evs := DecodeRaw([]byte("a\r\n\n  \nb"), Meta{Host: "h", Sourcetype: "st"})
	if len(evs) != 2 || evs[0].Text != "a" || evs[1].Text != "b" || evs[1].Host != "h" || evs[0].Sourcetype != "st" {
		t.Fatalf("%+v", evs)
	}
}

func TestRoute(t *testing.T) {
	reg := schema.NewRegistry()
	evs, err := Decode([]byte(`{"event":"x","host":"h"}{"event":{"a":1},"fields":{"vigil_table":"Nope"}}{"event":"s","fields":{"vigil_table":"Syslog"}}` +
		`{"event":{"SyslogMessage":"m","Computer":"c"},"fields":{"vigil_table":"Syslog"},"time":5}`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	bs, err := Route(reg, evs, now)
	if err != nil || len(bs) != 1 {
		t.Fatalf("%v %d", err, len(bs))
	}
	b := bs[0]
	if len(b.Rows) != 2 || len(b.Rejects) != 2 {
		t.Fatalf("rows %d rejects %+v", len(b.Rows), b.Rejects)
	}
	if b.Rejects[0].Reason != `fields.vigil_table: unknown table "Nope"` || b.Rejects[1].Reason != "fields.vigil_table Syslog needs an event that is a JSON object" {
		t.Errorf("rejects %+v", b.Rejects)
	}
	tg, _ := b.Table.Column("TimeGenerated")
	if !b.Rows[0][tg].(time.Time).Equal(now) || !b.Rows[1][tg].(time.Time).Equal(time.Unix(5, 0)) {
		t.Errorf("times %v %v", b.Rows[0][tg], b.Rows[1][tg])
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"event":"a"}`, `{"event":{"b":"}{"}}{"event":1,"time":1.5}`, `{"event":"a\"}{"}`, `{`, `{"event":"x","fields":{"vigil_table":"Syslog"}}`, "{}}"} {
		f.Add([]byte(s))
	}
	reg := schema.NewRegistry()
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := Decode(b)
		if err != nil {
			var ferr *FormatError
			if !errors.As(err, &ferr) || ferr.Offset > len(b) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if _, err := Route(reg, evs, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	})
}

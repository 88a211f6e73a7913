package datacollector

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// FuzzDataCollectorRows fuzzes Data Collector API bodies: Rows either says why the body is not
// JSON or gives one JSON line per record (the body, or each element of an array), with
// TimeGenerated on every object.
func FuzzDataCollectorRows(f *testing.F) {
	for _, s := range []string{`[{"a":1,"ts":"2024-05-01T00:00:00Z"},{"a":2}]`, `{"TimeGenerated":"x","ts":1}`, `[1,"s",null,[]]`, `[]`, `{"a":"\n"}`, `[{`} {
		f.Add([]byte(s), "ts", false)
	}
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, timeField string, keep bool) {
		out, err := Rows(body, timeField, keep, now)
		if err != nil {
			if json.Valid(body) {
				t.Fatalf("valid JSON refused: %v", err)
			}
			return
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("Rows accepted invalid JSON: %v", err)
		}
		want := 1
		if a, ok := v.([]any); ok {
			want = len(a)
		}
		lines := bytes.Split(bytes.TrimSuffix(out, []byte{'\n'}), []byte{'\n'})
		if want == 0 {
			lines = nil
		}
		if len(lines) != want {
			t.Fatalf("%d lines for %d records: %q", len(lines), want, out)
		}
		for _, l := range lines {
			var rec any
			if err := json.Unmarshal(l, &rec); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			if o, ok := rec.(map[string]any); ok && o["TimeGenerated"] == nil {
				t.Fatalf("object without TimeGenerated: %q", l)
			}
		}
	})
}

// FuzzDataCollectorAuth fuzzes the SharedKey Authorization header and the Log-Type and
// x-ms-date checks: none may panic, and a header that parses round-trips its workspace.
func FuzzDataCollectorAuth(f *testing.F) {
	f.Add("SharedKey ws:bWFj", "My_Type", "Mon, 01 Jan 2024 00:00:00 GMT")
	f.Add("SharedKey :", "", "")
	f.Add("SharedKey a:b:c", "x-y", "Tue, 02 Jan 2024 03:04:05 GMT")
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h, logType, date string) {
		if ws, sig, err := ParseAuthorization(h); err == nil && (ws == "" || len(sig) == 0) {
			t.Fatalf("ParseAuthorization(%q) = %q, %d-byte signature", h, ws, len(sig))
		}
		if name, err := TableName(logType); err == nil && name != logType+"_CL" {
			t.Fatalf("TableName(%q) = %q", logType, name)
		}
		_ = CheckDate(date, now)
	})
}

package hec

import (
	"bytes"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// FuzzHECRaw fuzzes /services/collector/raw bodies: every non-blank line is one event holding
// that line, and routing them never fails.
func FuzzHECRaw(f *testing.F) {
	for _, s := range []string{"line one\r\n\nline two\n", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed\n", "\r\n \n", "{\"event\":\"x\"}", "a\rb\n\x00\xff"} {
		f.Add([]byte(s), "st")
	}
	reg := schema.NewRegistry()
	f.Fuzz(func(t *testing.T, b []byte, sourcetype string) {
		evs := DecodeRaw(b, Meta{Host: "h", Sourcetype: sourcetype})
		lines := 0
		for l := range bytes.SplitSeq(b, []byte{'\n'}) {
			if len(bytes.TrimSpace(bytes.TrimRight(l, "\r"))) > 0 {
				lines++
			}
		}
		if len(evs) != lines {
			t.Fatalf("%d events from %d non-blank lines", len(evs), lines)
		}
		for _, ev := range evs {
			if ev.Text != string(ev.Raw) || bytes.IndexByte(ev.Raw, '\n') >= 0 {
				t.Fatalf("event %q / %q", ev.Text, ev.Raw)
			}
		}
		bs, err := Route(reg, evs, time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, bt := range bs {
			n += len(bt.Rows) + len(bt.Rejects)
		}
		if n != len(evs) {
			t.Fatalf("%d rows and rejects from %d events", n, len(evs))
		}
	})
}

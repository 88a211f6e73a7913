package ti

import (
	"testing"
)

// FuzzParseBundle checks that no bundle panics the parser, and that whatever it accepts
// renders as rows and files in an index.
func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(testBundle))
	f.Add([]byte(`{"type":"indicator","id":"indicator--1","pattern":"[url:value = 'http://a.example/x']","valid_from":"2025-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--2","pattern":"[(ipv4-addr:value = '10.0.0.0/8' OR ipv6-addr:value = '::1')] OR [file:hashes.MD5 = 'aa']","valid_from":"2025-01-01T00:00:00Z"}]}`))
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseBundle(body, "t1", importTime)
		if err != nil {
			return
		}
		if _, err := Rows(reg, p.Indicators); err != nil {
			t.Fatal(err)
		}
		NewIndex(p.Indicators)
	})
}

// FuzzParsePattern checks that no pattern panics the parser and that every observable it
// returns can be filed.
func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{`[ipv4-addr:value = '1.2.3.4' OR domain-name:value = 'x.example']`, `[file:hashes.'SHA-256' = 'ab']`, `([url:value = 'a\'b'])`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		obs, err := ParsePattern(s)
		if err == nil && len(obs) == 0 {
			t.Fatalf("%q: no error and no observables", s)
		}
	})
}

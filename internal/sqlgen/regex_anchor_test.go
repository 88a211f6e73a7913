package sqlgen

import (
	"regexp"
	"strings"
	"testing"
)

// TestUnanchoredCore checks which patterns lose their anchors and lazy padding.
func TestUnanchoredCore(t *testing.T) {
	cases := []struct {
		p, want string
		ok      bool
	}{
		{`^.*?user (.*?) .*?$`, `user (.*?) `, true},
		{`^.*?(-?\d+) ms.*?$`, `(-?\d+) ms`, true},
		{`^.*?a.*?b.*?$`, `a.*?b`, true},
		{`^.*?(?:[a-z]+)=(.*?);.*?$`, `(?:[a-z]+)=(.*?);`, true},
		{`^.*?user (.*?)$`, "", false},         // a column to the end of the text
		{`^user (.*?) .*?$`, "", false},        // anchored at the start
		{`(?s)^.*?user (.*?) .*?$`, "", false}, // . matches newlines
		{`^.*?a(?s:.)b.*?$`, "", false},        // so does this dot
		{`^.*?a\nb.*?$`, "", false},            // a newline literal
		{`^.*?a[^x]b.*?$`, "", false},          // a class holding the newline
		{`^.*?a\s.*?$`, "", false},             // \s holds it too
		{`^.*?(?m:^)a.*?$`, "", false},         // an anchor inside
		{`^.*?a\b.*?$`, "", false},             // a boundary inside
		{`^.*?a\.*?$`, "", false},              // the tail is \.*? then $
		{`^.*?.*?$`, "", false},                // nothing between
		{`^.*?a(.*?$`, "", false},              // not a pattern
	}
	for _, c := range cases {
		got, ok := unanchoredCore(c.p)
		if ok != c.ok || got != c.want {
			t.Errorf("unanchoredCore(%q) = %q, %v; want %q, %v", c.p, got, ok, c.want, c.ok)
		}
	}
}

// TestUnanchoredCoreSameMatches checks the equivalence unanchorCall relies on with Go's RE2
// semantics: over texts with and without newlines, the anchored pattern matches exactly when
// the text has no newline and the core matches, with the same submatches.
func TestUnanchoredCoreSameMatches(t *testing.T) {
	patterns := []string{`^.*?user (.*?) .*?$`, `^.*?(-?\d+) ms.*?$`, `^.*?a(.*?)b.*?$`, `^.*?=(.*?);(.*?);.*?$`}
	texts := []string{
		"net user bob /add", "net user  x", "user bob", "net user bob", "useruser a b ", "net user a\nb c",
		"took 15 ms, then -3 ms", "ms 5ms 7 ms", "x=1;2;3;", "=;;", "a=1;\n2;", "aab b", "ab", "b a", "",
	}
	for _, p := range patterns {
		core, ok := unanchoredCore(p)
		if !ok {
			t.Fatalf("%q: no core", p)
		}
		full, part := regexp.MustCompile(p), regexp.MustCompile(core)
		for _, s := range texts {
			want := full.FindStringSubmatch(s)
			var got []string
			if !strings.Contains(s, "\n") {
				got = part.FindStringSubmatch(s)
			}
			if (want == nil) != (got == nil) {
				t.Errorf("%q on %q: anchored %q, core %q", p, s, want, got)
				continue
			}
			for i := 1; i < len(want); i++ {
				if want[i] != got[i] {
					t.Errorf("%q on %q: group %d anchored %q, core %q", p, s, i, want[i], got[i])
				}
			}
		}
	}
}

// TestUnanchorCall checks the SQL that replaces the calls, and the calls it leaves alone.
func TestUnanchorCall(t *testing.T) {
	s := Call("COALESCE", col("s"), Str(""))
	cases := []struct {
		name string
		x    Expr
		want string
	}{
		{"extract", Call("regexp_extract", s, Str(`^.*?user (.*?) .*?$`), Int(1)),
			`CASE WHEN (strpos(COALESCE("s", ''), chr(CAST(10 AS INTEGER))) > CAST(0 AS BIGINT)) THEN '' ELSE regexp_extract(COALESCE("s", ''), 'user (.*?) ', CAST(1 AS BIGINT)) END`},
		{"matches", Call("regexp_matches", s, Str(`^.*?a.*?$`)),
			`((strpos(COALESCE("s", ''), chr(CAST(10 AS INTEGER))) = CAST(0 AS BIGINT)) AND regexp_matches(COALESCE("s", ''), 'a'))`},
		{"kept: a computed text", Call("regexp_matches", Call("lower", col("s")), Str(`^.*?a.*?$`)), `regexp_matches(lower("s"), '^.*?a.*?$')`},
		{"kept: options", Call("regexp_matches", s, Str(`^.*?a.*?$`), Str("i")), `regexp_matches(COALESCE("s", ''), '^.*?a.*?$', 'i')`},
		{"kept: another pattern", Call("regexp_extract", s, Str(`(?s)^(.*?)(?:x)`), Int(1)), `regexp_extract(COALESCE("s", ''), '(?s)^(.*?)(?:x)', CAST(1 AS BIGINT))`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPrinter(duckSpelling{})
			p.expr(mapExpr(c.x, unanchorCall))
			if got := p.b.String(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

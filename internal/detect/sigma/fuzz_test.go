package sigma

import (
	"strconv"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"

	"github.com/vigilsec/vigil/internal/schema"
)

// FuzzLoad feeds arbitrary YAML to the loader and, when it loads, to the compiler and a
// matcher run: none may panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(smokeRule))
	f.Add([]byte(corrBase))
	for _, c := range matchCases {
		f.Add([]byte(c.ruleText()))
	}
	f.Add([]byte("title: x\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s:\n    CommandLine|base64offset|contains: [a, '']\n  condition: s\n"))
	f.Add([]byte("title: [\n"))
	f.Add([]byte("---\n---\n"))
	b := makeBatch(f, "DeviceProcessEvents", []map[string]schema.Value{proc("powershell -enc abc", "AccountName", "x")})
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := Load(data, "f.yml")
		if err != nil {
			if _, ok := err.(*LoadError); !ok { //nolint:errorlint // Load returns it unwrapped
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		rs, _ := Compile(rules, Config{Registry: testReg, Vars: map[string][]string{"x": {"1"}}})
		d := NewDetector(rs)
		_ = d.Detect(b, func(alert.Alert) {})
		if d.Stats().Panics > 0 {
			t.Fatal("matcher panicked")
		}
		for _, r := range rules {
			_, _ = ToKQL(r, Config{Registry: testReg})
		}
	})
}

// FuzzCondition parses arbitrary conditions: errors carry positions inside the text, and a
// parsed tree prints back to a condition that parses to the same tree.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{"a", "a and b or c", "not (a and b)", "1 of sel_* and not all of filter*", "any of them", "3 of s?", "a | count() > 1", "((a)", "x of y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseCondition(s)
		if err != nil {
			ce, ok := err.(*CondError) //nolint:errorlint // returned unwrapped
			if !ok || ce.Pos < 0 || ce.Pos > len(s) {
				t.Fatalf("bad error %v for %q", err, s)
			}
			return
		}
		printed := dumpCondSource(e)
		e2, err := parseCondition(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if dumpCond(e) != dumpCond(e2) {
			t.Fatalf("%q: tree %s, reparsed %s", s, dumpCond(e), dumpCond(e2))
		}
	})
}

// dumpCondSource prints a condition back as condition text, fully parenthesized.
func dumpCondSource(e condExpr) string {
	switch x := e.(type) {
	case *condAnd:
		return "(" + dumpCondSource(x.l) + " and " + dumpCondSource(x.r) + ")"
	case *condOr:
		return "(" + dumpCondSource(x.l) + " or " + dumpCondSource(x.r) + ")"
	case *condNot:
		return "not " + dumpCondSource(x.x)
	case *condRef:
		return x.name
	case *condOf:
		if x.n == 0 {
			return "all of " + x.pattern
		}
		return strconv.Itoa(x.n) + " of " + x.pattern
	}
	return ""
}

package sigma

import (
	"fmt"
	"strings"
	"testing"
)

// dumpCond prints a condition with explicit grouping, for comparing trees.
func dumpCond(e condExpr) string {
	switch x := e.(type) {
	case *condAnd:
		return "(" + dumpCond(x.l) + " AND " + dumpCond(x.r) + ")"
	case *condOr:
		return "(" + dumpCond(x.l) + " OR " + dumpCond(x.r) + ")"
	case *condNot:
		return "NOT " + dumpCond(x.x)
	case *condRef:
		return x.name
	case *condOf:
		if x.n == 0 {
			return "ALL(" + x.pattern + ")"
		}
		return fmt.Sprintf("%d(%s)", x.n, x.pattern)
	}
	return "?"
}

func TestParseCondition(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a", "a"},
		{"a and b or c", "((a AND b) OR c)"},
		{"a or b and c", "(a OR (b AND c))"},
		{"not a and b", "(NOT a AND b)"},
		{"not (a and b)", "NOT (a AND b)"},
		{"a and not b and not c", "((a AND NOT b) AND NOT c)"},
		{"1 of sel_* and not 1 of filter_*", "(1(sel_*) AND NOT 1(filter_*))"},
		{"all of selection* or any of them", "(ALL(selection*) OR 1(them))"},
		{"all of them", "ALL(them)"},
		{"3 of s?", "3(s?)"},
		{"((a))", "a"},
		{"A AND B Or NOT c", "((A AND B) OR NOT c)"},
		{"sel-1 and sel.2", "(sel-1 AND sel.2)"},
	}
	for _, c := range cases {
		e, err := parseCondition(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if got := dumpCond(e); got != c.want {
			t.Errorf("%q: got %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseConditionErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "col 1: empty condition"},
		{"a and", "col 6: condition ends early: want a search name"},
		{"(a or b", "col 8: missing ) for ( at col 1"},
		{"a b", `col 3: unexpected "b"`},
		{"a and or b", `col 7: unexpected "or": want a search name`},
		{"1 of", "col 5: want a search pattern or them after of"},
		{"1 of and", `col 6: unexpected "and": want a search pattern or them after of`},
		{"0 of x", `col 1: invalid count "0" before of`},
		{"a | count() > 3", "col 3: aggregation expressions (| count() ...) are deprecated; write a correlation rule"},
		{"a & b", `col 3: unexpected character '&'`},
		{"a)", `col 2: unexpected ")"`},
		{strings.Repeat("(", 300) + "a" + strings.Repeat(")", 300), "col 201: condition nested too deeply"},
	}
	for _, c := range cases {
		_, err := parseCondition(c.in)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %s", c.in, err, c.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		p, s string
		ok   bool
	}{{"sel*", "selection", true}, {"sel*", "filter", false}, {"*", "", true}, {"s?l", "sel", true}, {"s?l", "sl", false}, {"a*b*c", "aXbYc", true}} {
		if globMatch(c.p, c.s) != c.ok {
			t.Errorf("globMatch(%q, %q) != %v", c.p, c.s, c.ok)
		}
	}
}

package sqlgen

import (
	"regexp"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckOps() map[string]FuncSQL {
	return opsFuncs(opsSQL{
		add: arith("+"), sub: arith("-"), mul: arith("*"), div: divide,
		contains: func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("contains", lower(a[0]), lower(a[1]))
		},
		containsCS: fn("contains"),
		lower:      lower,
		startsWith: "starts_with",
		endsWith:   "suffix",
		terms:      duckTerms,
	})
}

// opsSQL is what a dialect supplies to the operator table both dialects share.
type opsSQL struct {
	// add, sub, mul and div are +, -, * and / with Kusto's datetime and timespan rules.
	add, sub, mul, div FuncSQL
	// contains and containsCS are Kusto's contains and contains_cs.
	contains, containsCS FuncSQL
	// lower lower-cases text for the case-insensitive operators.
	lower func(Expr) Expr
	// startsWith and endsWith name the dialect's prefix and suffix tests.
	startsWith, endsWith string
	// terms matches Kusto terms; its match function also serves matches regex.
	terms termMatch
}

// opsFuncs is the operator table of a dialect: comparison, logic, arithmetic and the string
// operators with their negations.
func opsFuncs(o opsSQL) map[string]FuncSQL {
	folded := func(name string) FuncSQL {
		return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call(name, o.lower(a[0]), o.lower(a[1])) }
	}
	m := map[string]FuncSQL{
		"==": binop("="), "!=": binop("<>"), "<": binop("<"), "<=": binop("<="), ">": binop(">"), ">=": binop(">="),
		"and": binop("AND"), "or": binop("OR"), "+": o.add, "-": o.sub, "*": o.mul, "/": o.div, "%": binop("%"),
		"neg":           func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Unary{Op: "-", X: a[0]} },
		"not":           func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Unary{Op: "NOT", X: a[0]} },
		"=~":            func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Bin("=", o.lower(a[0]), o.lower(a[1])) },
		"!~":            func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Bin("<>", o.lower(a[0]), o.lower(a[1])) },
		"contains":      o.contains,
		"contains_cs":   o.containsCS,
		"startswith":    folded(o.startsWith),
		"startswith_cs": fn(o.startsWith),
		"endswith":      folded(o.endsWith),
		"endswith_cs":   fn(o.endsWith),
		"matches regex": fn(o.terms.match),
		"has":           o.terms.has(true, true, true),
		"has_cs":        o.terms.has(false, true, true),
		"hasprefix":     o.terms.has(true, true, false),
		"hassuffix":     o.terms.has(true, false, true),
		"hasprefix_cs":  o.terms.has(false, true, false),
		"hassuffix_cs":  o.terms.has(false, false, true),
		"in":            inList(o.lower, false, false),
		"!in":           inList(o.lower, true, false),
		"in~":           inList(o.lower, false, true),
		"!in~":          inList(o.lower, true, true),
		"has_any":       o.terms.list("OR"),
		"has_all":       o.terms.list("AND"),
		"between": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin("AND", Bin(">=", a[0], a[1]), Bin("<=", a[0], a[2]))
		},
	}
	for _, k := range []string{"contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs", "has", "has_cs", "hasprefix", "hassuffix", "hasprefix_cs", "hassuffix_cs", "between"} {
		m["!"+k] = not(m[k])
	}
	return m
}

func arith(op string) FuncSQL {
	return func(a []Expr, in []plan.Expr, t schema.Type) Expr {
		if t == schema.TypeTimespan && op == "*" {
			// timespan * number: scale the microseconds.
			ts, n := a[0], a[1]
			if in[1].Type() == schema.TypeTimespan {
				ts, n = n, ts
			}
			return Call("to_microseconds", &Cast{X: Bin("*", Call("epoch_us", ts), n), T: schema.TypeLong})
		}
		return Bin(op, a[0], a[1])
	}
}

// divide keeps Kusto's rules: integers divide to an integer (truncating),
// timespan / timespan is a real, timespan / number a timespan.
func divide(a []Expr, in []plan.Expr, t schema.Type) Expr {
	lt, rt := in[0].Type(), in[1].Type()
	switch {
	case lt == schema.TypeTimespan && rt == schema.TypeTimespan:
		return Bin("/", &Cast{X: Call("epoch_us", a[0]), T: schema.TypeReal}, Call("epoch_us", a[1]))
	case lt == schema.TypeTimespan:
		return Call("to_microseconds", &Cast{X: Bin("/", Call("epoch_us", a[0]), a[1]), T: schema.TypeLong})
	case t == schema.TypeLong || t == schema.TypeInt:
		return Bin("//", a[0], a[1])
	}
	return Bin("/", a[0], a[1])
}

// hasPattern is the regular expression of Kusto's term match: the needle must start and
// end on a term boundary. A needle that begins (or ends) with punctuation carries its own
// boundary on that side, as Kusto's index does: `has "\\AppData\\"` matches
// `C:\Users\dan\AppData\Local`, where the letters before the first backslash belong to
// another term.
func hasPattern(needle Expr, in plan.Expr, ci, pre, post bool) Expr {
	const head, tail = `(^|[^0-9A-Za-z])`, `($|[^0-9A-Za-z])`
	flags := ""
	if ci {
		flags = "(?i)"
	}
	if s, ok := constString(in); ok {
		h, t := "", ""
		if pre && s != "" && isTermByte(s[0]) {
			h = head
		}
		if post && s != "" && isTermByte(s[len(s)-1]) {
			t = tail
		}
		return Str(flags + h + regexp.QuoteMeta(s) + t)
	}
	h, t := Expr(Str("")), Expr(Str(""))
	if pre {
		h = edgeBoundary(needle, `^[0-9A-Za-z]`, head)
	}
	if post {
		t = edgeBoundary(needle, `[0-9A-Za-z]$`, tail)
	}
	return Call("concat", Str(flags), h, Call("regexp_escape", needle), t)
}

// edgeBoundary is boundary when the needle's edge (edge is a pattern of its first or last
// character) is part of a term, and no constraint otherwise.
func edgeBoundary(needle Expr, edge, boundary string) Expr {
	return &Case{
		Whens: []When{{Cond: Call("regexp_matches", needle, Str(edge)), Then: Str(boundary)}},
		Else:  Str(""),
	}
}

// isTermByte reports whether c is part of a Kusto term (ASCII letters and digits).
func isTermByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// termMatch is how a dialect matches Kusto terms (has, hasprefix, has_any...): its regex
// match function and the pattern of a needle.
type termMatch struct {
	match   string
	pattern func(needle Expr, in plan.Expr, ci, pre, post bool) Expr
	// alternate matches has_any over constant needles with one alternation, which scans the
	// text once, instead of one match per needle.
	alternate bool
}

// duckTerms matches terms with DuckDB's regexp_matches.
var duckTerms = termMatch{match: "regexp_matches", pattern: hasPattern, alternate: true}

// has matches one term (ci: case-insensitively; pre, post: at a term's start, end).
func (m termMatch) has(ci, pre, post bool) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		return Call(m.match, a[0], m.pattern(a[1], in[1], ci, pre, post))
	}
}

// list matches each needle as a whole term, joined by op (has_any: OR, has_all: AND).
func (m termMatch) list(op string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		if m.alternate && op == "OR" {
			if re, ok := m.alternation(a, in); ok {
				return Call(m.match, a[0], re)
			}
		}
		var out Expr
		for i := 1; i < len(a); i++ {
			x := Call(m.match, a[0], m.pattern(a[i], in[i], true, true, true))
			if out == nil {
				out = x
			} else {
				out = Bin(op, out, x)
			}
		}
		return out
	}
}

// alternation is the one case-insensitive pattern matching any of the constant needles
// a[1:] as a whole term, (?i)(?:p1)|(?:p2)|…: a text matches it exactly when it matches one of
// the needles' own patterns, (?i)p1, (?i)p2, …. It fails when a needle is not a constant or
// there is only one.
func (m termMatch) alternation(a []Expr, in []plan.Expr) (Expr, bool) {
	if len(a) < 3 {
		return nil, false
	}
	parts := make([]string, 0, len(a)-1)
	for i := 1; i < len(a); i++ {
		if _, ok := constString(in[i]); !ok {
			return nil, false
		}
		lit, ok := m.pattern(a[i], in[i], true, true, true).(*Lit)
		if !ok {
			return nil, false
		}
		p, ok := lit.V.(string)
		if !ok || !strings.HasPrefix(p, "(?i)") {
			return nil, false
		}
		parts = append(parts, "(?:"+strings.TrimPrefix(p, "(?i)")+")")
	}
	return Str("(?i)" + strings.Join(parts, "|")), true
}

// inList is Kusto's in, !in, in~ and !in~; fold is the dialect's lower-casing.
func inList(fold func(Expr) Expr, neg, ci bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		x, list := a[0], append([]Expr(nil), a[1:]...)
		if ci {
			x = fold(x)
			for i := range list {
				list[i] = fold(list[i])
			}
		}
		return &In{X: x, List: list, Not: neg}
	}
}

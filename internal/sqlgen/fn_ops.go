package sqlgen

import (
	"regexp"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckOps() map[string]FuncSQL {
	m := map[string]FuncSQL{
		"==": binop("="), "!=": binop("<>"), "<": binop("<"), "<=": binop("<="), ">": binop(">"), ">=": binop(">="),
		"and": binop("AND"), "or": binop("OR"), "+": arith("+"), "-": arith("-"), "*": arith("*"), "/": divide, "%": binop("%"),
		"neg": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Unary{Op: "-", X: a[0]} },
		"not": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Unary{Op: "NOT", X: a[0]} },
		"=~":  func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Bin("=", lower(a[0]), lower(a[1])) },
		"!~":  func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Bin("<>", lower(a[0]), lower(a[1])) },
		"contains": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("contains", lower(a[0]), lower(a[1]))
		},
		"contains_cs": fn("contains"),
		"startswith": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("starts_with", lower(a[0]), lower(a[1]))
		},
		"startswith_cs": fn("starts_with"),
		"endswith": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("suffix", lower(a[0]), lower(a[1]))
		},
		"endswith_cs":   fn("suffix"),
		"matches regex": fn("regexp_matches"),
		"has":           hasTerm(true, true, true),
		"has_cs":        hasTerm(false, true, true),
		"hasprefix":     hasTerm(true, true, false),
		"hassuffix":     hasTerm(true, false, true),
		"hasprefix_cs":  hasTerm(false, true, false),
		"hassuffix_cs":  hasTerm(false, false, true),
		"in":            inList(false, false),
		"!in":           inList(true, false),
		"in~":           inList(false, true),
		"!in~":          inList(true, true),
		"has_any":       hasList("OR"),
		"has_all":       hasList("AND"),
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

func hasTerm(ci, pre, post bool) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		return Call("regexp_matches", a[0], hasPattern(a[1], in[1], ci, pre, post))
	}
}

func hasList(op string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		var out Expr
		for i := 1; i < len(a); i++ {
			m := Call("regexp_matches", a[0], hasPattern(a[i], in[i], true, true, true))
			if out == nil {
				out = m
			} else {
				out = Bin(op, out, m)
			}
		}
		return out
	}
}

func inList(neg, ci bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		x, list := a[0], append([]Expr(nil), a[1:]...)
		if ci {
			x = lower(x)
			for i := range list {
				list[i] = lower(list[i])
			}
		}
		return &In{X: x, List: list, Not: neg}
	}
}

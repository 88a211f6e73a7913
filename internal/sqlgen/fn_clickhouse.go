package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// clickhouseFuncs assembles ClickHouse's function table. A Kusto function missing here
// fails to compile with "not supported in ClickHouse: function X".
func clickhouseFuncs() map[string]FuncSQL {
	m := map[string]FuncSQL{}
	for _, part := range []map[string]FuncSQL{chOps(), chConvFuncs(), chStringFuncs(), chMathFuncs(), chTimeFuncs(), chDynamicFuncs(), chAggFuncs()} {
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}

// chLower lowers UTF-8 text (ClickHouse's lower is ASCII only, DuckDB's is Unicode).
func chLower(x Expr) Expr { return Call("lowerUTF8", x) }

// chUnsupported refuses a call at lowering time.
func chUnsupported(what string) FuncSQL {
	return func([]Expr, []plan.Expr, schema.Type) Expr { panic(unsupported("ClickHouse", what)) }
}

func chOps() map[string]FuncSQL {
	m := map[string]FuncSQL{
		"==": binop("="), "!=": binop("<>"), "<": binop("<"), "<=": binop("<="), ">": binop(">"), ">=": binop(">="),
		"and": binop("AND"), "or": binop("OR"), "+": chAdd, "-": chSub, "*": chMul, "/": chDivide, "%": binop("%"),
		"neg": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Unary{Op: "-", X: a[0]} },
		"not": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Unary{Op: "NOT", X: a[0]} },
		"=~":  func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Bin("=", chLower(a[0]), chLower(a[1])) },
		"!~":  func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Bin("<>", chLower(a[0]), chLower(a[1])) },
		"contains": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin(">", Call("positionCaseInsensitiveUTF8", a[0], a[1]), Int(0))
		},
		"contains_cs": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin(">", Call("position", a[0], a[1]), Int(0))
		},
		"startswith": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("startsWith", chLower(a[0]), chLower(a[1]))
		},
		"startswith_cs": fn("startsWith"),
		"endswith": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("endsWith", chLower(a[0]), chLower(a[1]))
		},
		"endswith_cs":   fn("endsWith"),
		"matches regex": fn("match"),
		"has":           chHas(true, true, true),
		"has_cs":        chHas(false, true, true),
		"hasprefix":     chHas(true, true, false),
		"hassuffix":     chHas(true, false, true),
		"hasprefix_cs":  chHas(false, true, false),
		"hassuffix_cs":  chHas(false, false, true),
		"in":            chInList(false, false),
		"!in":           chInList(true, false),
		"in~":           chInList(false, true),
		"!in~":          chInList(true, true),
		"has_any":       chHasList("OR"),
		"has_all":       chHasList("AND"),
		"between": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin("AND", Bin(">=", a[0], a[1]), Bin("<=", a[0], a[2]))
		},
	}
	for _, k := range []string{"contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs", "has", "has_cs", "hasprefix", "hassuffix", "hasprefix_cs", "hassuffix_cs", "between"} {
		m["!"+k] = not(m[k])
	}
	return m
}

// chAdd adds; a datetime plus a timespan adds microseconds.
func chAdd(a []Expr, in []plan.Expr, t schema.Type) Expr {
	if t == schema.TypeDatetime {
		dt, ts := a[0], a[1]
		if in[0].Type() == schema.TypeTimespan {
			dt, ts = ts, dt
		}
		return Call("addMicroseconds", dt, ts)
	}
	return Bin("+", a[0], a[1])
}

// chSub subtracts; datetime - datetime is a timespan, datetime - timespan a datetime.
func chSub(a []Expr, in []plan.Expr, t schema.Type) Expr {
	switch {
	case in[0].Type() == schema.TypeDatetime && in[1].Type() == schema.TypeDatetime:
		return Call("dateDiff", Str("microsecond"), a[1], a[0])
	case t == schema.TypeDatetime:
		return Call("subtractMicroseconds", a[0], a[1])
	}
	return Bin("-", a[0], a[1])
}

// chMul multiplies; a timespan times a number stays whole microseconds (rounded, as DuckDB's
// cast rounds).
func chMul(a []Expr, _ []plan.Expr, t schema.Type) Expr {
	if t == schema.TypeTimespan {
		return &Cast{X: Call("round", Bin("*", a[0], a[1])), T: schema.TypeLong}
	}
	return Bin("*", a[0], a[1])
}

// chDivide keeps Kusto's rules as divide does for DuckDB.
func chDivide(a []Expr, in []plan.Expr, t schema.Type) Expr {
	lt, rt := in[0].Type(), in[1].Type()
	switch {
	case lt == schema.TypeTimespan && rt == schema.TypeTimespan:
		return Bin("/", &Cast{X: a[0], T: schema.TypeReal}, a[1])
	case lt == schema.TypeTimespan:
		return &Cast{X: Call("round", Bin("/", a[0], a[1])), T: schema.TypeLong}
	case t == schema.TypeLong || t == schema.TypeInt:
		return &Cast{X: Call("intDivOrNull", a[0], a[1]), T: t}
	}
	return Bin("/", a[0], a[1])
}

// chHas is Kusto's term match with re2's match(); the pattern is the one DuckDB uses.
func chHas(ci, pre, post bool) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		return Call("match", a[0], chHasPattern(a[1], in[1], ci, pre, post))
	}
}

func chHasPattern(needle Expr, in plan.Expr, ci, pre, post bool) Expr {
	if _, ok := constString(in); !ok {
		panic(unsupported("ClickHouse", "has with a needle that is not a constant"))
	}
	return hasPattern(needle, in, ci, pre, post)
}

func chHasList(op string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		var out Expr
		for i := 1; i < len(a); i++ {
			m := Call("match", a[0], chHasPattern(a[i], in[i], true, true, true))
			if out == nil {
				out = m
			} else {
				out = Bin(op, out, m)
			}
		}
		return out
	}
}

func chInList(neg, ci bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		x, list := a[0], append([]Expr(nil), a[1:]...)
		if ci {
			x = chLower(x)
			for i := range list {
				list[i] = chLower(list[i])
			}
		}
		return &In{X: x, List: list, Not: neg}
	}
}

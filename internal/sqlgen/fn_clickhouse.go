package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// clickhouseFuncs assembles ClickHouse's function table. A Kusto function missing here
// fails to compile with "not supported in ClickHouse: function X".
func clickhouseFuncs() map[string]FuncSQL {
	m := map[string]FuncSQL{}
	for _, part := range []map[string]FuncSQL{chOps(), chConvFuncs(), chStringFuncs(), chMathFuncs(), chTimeFuncs(), chDynamicFuncs(), chAggFuncs(), chSeriesDecomposeFuncs(), chBagFuncs(), chExtraFuncs(), chFormatFuncs(), chMiscFuncs(), chWebFuncs(), chTimeExtraFuncs()} {
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}

// chLower lowers UTF-8 text (ClickHouse's lower is ASCII only, DuckDB's is Unicode).
func chLower(x Expr) Expr { return Call("lowerUTF8", x) }

func chOps() map[string]FuncSQL {
	return opsFuncs(opsSQL{
		add: chAdd, sub: chSub, mul: chMul, div: chDivide,
		contains: func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin(">", Call("positionCaseInsensitiveUTF8", a[0], a[1]), Int(0))
		},
		containsCS: func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin(">", Call("position", a[0], a[1]), Int(0))
		},
		lower:      chLower,
		startsWith: "startsWith",
		endsWith:   "endsWith",
		terms:      chTerms,
	})
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

// chTerms matches terms with re2's match(); the pattern is the one DuckDB uses.
var chTerms = termMatch{match: "match", pattern: chHasPattern}

func chHasPattern(needle Expr, in plan.Expr, ci, pre, post bool) Expr {
	if _, ok := constString(in); !ok {
		panic(unsupported("ClickHouse", "has with a needle that is not a constant"))
	}
	return hasPattern(needle, in, ci, pre, post)
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// duckdbFuncs assembles DuckDB's function table from the per-family tables.
func duckdbFuncs() map[string]FuncSQL {
	m := map[string]FuncSQL{}
	for _, part := range []map[string]FuncSQL{duckOps(), duckStringFuncs(), duckTextFuncs(), duckTimeFuncs(), duckDynamicFuncs(), duckMathFuncs(), duckConvFuncs(), duckAggFuncs(), duckArrayFuncs(), duckSeriesFuncs(), duckSeriesDecomposeFuncs(), duckExtraFuncs(), duckWebFuncs(), duckTimeExtraFuncs()} {
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}

// fn maps a Kusto function to the SQL function name with the same arguments.
func fn(name string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call(name, a...) }
}

// binop maps a Kusto operator to a SQL binary operator.
func binop(op string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Bin(op, a[0], a[1]) }
}

func not(f FuncSQL) FuncSQL {
	return func(a []Expr, in []plan.Expr, t schema.Type) Expr { return &Unary{Op: "NOT", X: f(a, in, t)} }
}

func lower(x Expr) Expr { return Call("lower", x) }

// constString returns the value of a string constant argument.
func constString(e plan.Expr) (string, bool) {
	c, ok := e.(*plan.Const)
	if !ok {
		return "", false
	}
	s, ok := c.V.(string)
	return s, ok
}

func constLong(e plan.Expr) (int64, bool) {
	c, ok := e.(*plan.Const)
	if !ok {
		return 0, false
	}
	n, ok := c.V.(int64)
	return n, ok
}

// isString reports whether e is of string type.

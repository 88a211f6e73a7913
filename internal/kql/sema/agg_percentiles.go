package sema

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// percentiles checks percentiles(X, p1, p2, ...) as a whole summarize
// column: one percentile aggregate per p, named percentile_X_p (a '.' in p
// becomes '_') unless the column names them as (n1, n2, ...) = percentiles().
func (c *checker) percentiles(ne *syntax.NamedExpr, call *syntax.CallExpr, s *scope) ([]plan.Agg, bool) {
	if len(call.Args) < 2 {
		c.errorf(call, "percentiles() takes the value and at least one percentile")
		return nil, false
	}
	ps := call.Args[1:]
	if len(ne.Names) > 0 && len(ne.Names) != len(ps) {
		c.errorf(ne, "percentiles() returns %d column%s but %d name%s are given", len(ps), plural(len(ps)), len(ne.Names), plural(len(ne.Names)))
		return nil, false
	}
	x := c.expr(call.Args[0], s)
	if isBad(x) {
		return nil, false
	}
	conv, ok := coerceArg('n', x)
	if !ok {
		c.errorf(call.Args[0], "argument 1 of percentiles() must be a number, not %s", x.Type())
		return nil, false
	}
	out := make([]plan.Agg, 0, len(ps))
	for i, p := range ps {
		text, ok := percentileText(p)
		if !ok {
			c.errorf(p, "a percentile must be a number literal between 0 and 100")
			return nil, false
		}
		name := "percentile_" + defaultName(call.Args[0]) + "_" + strings.ReplaceAll(text, ".", "_")
		if len(ne.Names) > 0 {
			name = ne.Names[i].Name
		}
		pv := c.expr(p, nil)
		out = append(out, plan.Agg{Name: name, Fn: "percentile", Args: []plan.Expr{conv, pv}, T: conv.Type()})
	}
	return out, true
}

func percentileText(p syntax.Expr) (string, bool) {
	switch p := p.(type) {
	case *syntax.IntLit:
		return p.Text, p.Value >= 0 && p.Value <= 100
	case *syntax.RealLit:
		return p.Text, p.Value >= 0 && p.Value <= 100
	default:
		return "", false
	}
}

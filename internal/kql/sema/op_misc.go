package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// checkAs binds the rows so far to a name later operators (a join's right
// side, a union) can refer to; the rows pass through unchanged.
func checkAs(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	a := op.(*syntax.AsOp)
	for _, o := range a.Options {
		if o.Name != "hint.materialized" {
			c.warnf(o, "option %s of 'as' is ignored", o.Name)
		}
	}
	c.tables[a.Name.Name] = in
	return in
}

// checkSample keeps N rows picked at random; sample-distinct is not supported.
func checkSample(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	s := op.(*syntax.SampleOp)
	if s.Keyword != "sample" {
		c.errorf(s, "operator %s is not supported yet", s.Keyword)
		return nil
	}
	n, ok := c.constCount(s.Count)
	if !ok {
		return nil
	}
	random := &plan.Call{Fn: "rand", T: schema.TypeReal}
	return &plan.Limit{In: &plan.Sort{In: in, Keys: []plan.SortKey{{Expr: random}}}, N: n}
}

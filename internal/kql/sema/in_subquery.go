package sema

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// inSubquery recognizes x in (T) where the only list element is a tabular
// expression or the name of a let-bound table that is not also a column or
// scalar. The returned node is nil when the subquery had errors.
func (c *checker) inSubquery(e *syntax.InExpr, s *scope) (plan.Node, bool) {
	if len(e.List) != 1 {
		return nil, false
	}
	// tabularInParens: Sentinel's examples write x in ((T | project k)).
	el0 := tabularInParens(e.List[0])
	for { // x in ((T)) names the let-bound table T too
		p, ok := el0.(*syntax.ParenExpr)
		if !ok {
			break
		}
		el0 = p.X
	}
	switch el := el0.(type) {
	case *syntax.TabularExpr:
		return c.pipeline(el.Query), true
	case *syntax.Ident:
		if _, _, isCol := s.lookup(el.Name); isCol {
			return nil, false
		}
		if _, isScalar := c.scalars[el.Name]; isScalar {
			return nil, false
		}
		n, ok := c.tables[el.Name]
		return n, ok
	default:
		return nil, false
	}
}

// inQuery checks x in (subquery): the subquery must have one column whose
// type compares with x's.
func (c *checker) inQuery(e *syntax.InExpr, x plan.Expr, q plan.Node) plan.Expr {
	if q == nil || isBad(x) {
		return bad()
	}
	cols := q.Columns()
	if len(cols) != 1 {
		c.errorf(e.List[0], "the subquery of '%s' must have exactly one column, not %d", e.Op, len(cols))
		return bad()
	}
	t := cols[0].Type
	if t == schema.TypeDynamic && x.Type() != schema.TypeDynamic && !isBad(x) {
		// A dynamic column, such as the one row of summarize make_list(X):
		// Kusto compares x with the elements of its arrays.
		t = x.Type()
		q = &plan.MvExpand{In: q, Cols: []plan.MvCol{{Name: cols[0].Name, To: t}}}
	}
	if strings.HasSuffix(e.Op, "~") {
		if t != schema.TypeString {
			c.errorf(e.List[0], "'%s' needs a string column, not %s", e.Op, t)
			return bad()
		}
		x = toStringArg(x)
	} else {
		x = convert(x, t)
	}
	if !comparable(x.Type(), t) {
		c.errorf(e, "cannot compare %s and %s with '%s'", x.Type(), t, e.Op)
		return bad()
	}
	return &plan.InQuery{Fn: e.Op, X: x, Q: q}
}

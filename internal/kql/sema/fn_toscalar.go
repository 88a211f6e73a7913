package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// toScalar checks toscalar(T): T is a tabular expression, a let-bound or
// stored table name, or either in parentheses. The value is the first column
// of T's first row (Kusto ignores the other columns), null when T has no
// rows. T goes through the normal pipeline checker, so the tenant, time and
// device scope of every scan applies inside it as everywhere else.
func (c *checker) toScalar(e *syntax.CallExpr, s *scope) plan.Expr {
	if len(e.Args) != 1 {
		c.errorf(e, "toscalar() takes 1 argument, not %d", len(e.Args))
		return bad()
	}
	arg := e.Args[0]
	for {
		p, ok := arg.(*syntax.ParenExpr)
		if !ok {
			break
		}
		arg = p.X
	}
	// The subquery is a query of its own: the aggregates of a summarize
	// around toscalar() must not collect the calls inside it, and its own
	// summarize must not end the outer one's collection.
	outer := c.aggs
	c.aggs = nil
	defer func() { c.aggs = outer }()
	var q plan.Node
	switch a := arg.(type) {
	case *syntax.TabularExpr:
		q = c.pipeline(a.Query)
	case *syntax.Ident:
		if what := c.scalarName(a, s); what != "" {
			c.errorf(a, "toscalar() needs a tabular expression, but '%s' is a %s", a.Name, what)
			return bad()
		}
		q = c.tableRef(&syntax.TableRef{Span: a.Span, Name: a.Name, Quoted: a.Quoted})
	default:
		c.errorf(arg, "toscalar() needs a tabular expression, not a scalar")
		return bad()
	}
	if q == nil {
		return bad()
	}
	cols := q.Columns()
	if len(cols) == 0 {
		c.errorf(arg, "the tabular expression of toscalar() has no columns")
		return bad()
	}
	return &plan.ScalarQuery{Q: q, T: cols[0].Type}
}

// scalarName says what the name id, as a toscalar() argument, names when
// it is not a table: "column" for a column in scope s, "scalar" for a
// let-bound scalar, "" otherwise.
func (c *checker) scalarName(id *syntax.Ident, s *scope) string {
	if _, _, isCol := s.lookup(id.Name); isCol {
		return "column"
	}
	if _, isScalar := c.scalars[id.Name]; isScalar {
		return "scalar"
	}
	return ""
}

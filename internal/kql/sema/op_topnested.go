package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// checkTopNested plans top-nested: level i aggregates the input by the keys
// of levels 0..i and keeps, within each kept group of level i-1, the N
// groups with the largest (or, with asc, smallest) aggregate. The output has
// two columns per level, the key and the aggregate, named
// aggregated_Key unless named.
func checkTopNested(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	t := op.(*syntax.TopNestedOp)
	s := newScope(in)
	out := &plan.TopNested{}
	var keys []*syntax.NamedExpr
	for _, lv := range t.Levels {
		if lv.Others != nil {
			c.errorf(lv.Others, "top-nested 'with others' is not supported yet")
			return nil
		}
		key, ok := c.topNestedKey(lv.Of, s)
		if !ok {
			return nil
		}
		keys = append(keys, key)
		agg := lv.By
		if len(agg.Names) == 0 {
			agg = &syntax.NamedExpr{Span: agg.Span, Expr: agg.Expr,
				Names: []*syntax.Ident{{Span: agg.Span, Name: "aggregated_" + key.Names[0].Name}}}
		}
		node := checkSummarize(c, in, &syntax.SummarizeOp{Span: lv.Span, Aggs: []*syntax.NamedExpr{agg}, By: keys})
		if node == nil {
			return nil
		}
		level := plan.TopLevel{Agg: node, N: -1, Asc: lv.Order == "asc"}
		if lv.Count != nil {
			if level.N, ok = c.constCount(lv.Count); !ok {
				return nil
			}
		}
		out.Levels = append(out.Levels, level)
	}
	return out
}

// topNestedKey names the key of a level: its given name or the default name
// of its expression.
func (c *checker) topNestedKey(of *syntax.NamedExpr, s *scope) (*syntax.NamedExpr, bool) {
	if len(of.Names) == 1 {
		return of, true
	}
	name := defaultName(of.Expr)
	if name == "" {
		if x := c.expr(of.Expr, s); !isBad(x) {
			c.errorf(of, "name this top-nested key, as in 'of Name = %s'", "Expr")
		}
		return nil, false
	}
	return &syntax.NamedExpr{Span: of.Span, Expr: of.Expr, Names: []*syntax.Ident{{Span: of.Span, Name: name}}}, true
}

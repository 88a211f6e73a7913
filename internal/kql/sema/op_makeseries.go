package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// checkMakeSeries checks make-series Aggs [default=D] on Axis from A to B
// step S [by Keys] (or in range(A, B, S)). It is planned as a filter to
// A <= Axis < B, a summarize by Keys and the bin A + bin(Axis - A, S), and a
// MakeSeries node that fills every bin of every key combination, missing
// bins taking the default (0 unless given).
func checkMakeSeries(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	m := op.(*syntax.MakeSeriesOp)
	if len(m.Options) > 0 {
		c.errorf(m.Options[0], "make-series option '%s' is not supported yet", m.Options[0].Name)
		return nil
	}
	if m.From == nil || m.To == nil || m.Step == nil {
		c.errorf(m, "make-series needs 'from', 'to' and 'step' (inferring the range from the data is not supported yet)")
		return nil
	}
	axis := defaultName(m.On)
	if axis == "" {
		c.errorf(m.On, "the axis of make-series must be a column")
		return nil
	}
	bounds := &syntax.BinaryExpr{Span: m.Span, Op: "and",
		X: &syntax.BinaryExpr{Span: m.Span, Op: ">=", X: m.On, Y: m.From},
		Y: &syntax.BinaryExpr{Span: m.Span, Op: "<", X: m.On, Y: m.To}}
	in = checkWhere(c, in, &syntax.WhereOp{Span: m.Span, Keyword: "make-series", Pred: bounds})
	if in == nil {
		return nil
	}
	return c.seriesSummarize(in, m, axis)
}

// seriesSummarize plans the summarize by keys and bin, then the series.
func (c *checker) seriesSummarize(in plan.Node, m *syntax.MakeSeriesOp, axis string) plan.Node {
	bin := &syntax.BinaryExpr{Span: m.Span, Op: "+", X: m.From, Y: &syntax.CallExpr{Span: m.Span,
		Name: &syntax.Ident{Span: m.Span, Name: "bin"},
		Args: []syntax.Expr{&syntax.BinaryExpr{Span: m.Span, Op: "-", X: m.On, Y: m.From}, m.Step}}}
	by := append(append([]*syntax.NamedExpr{}, m.By...), &syntax.NamedExpr{Span: m.Span,
		Names: []*syntax.Ident{{Span: m.Span, Name: axis}}, Expr: bin})
	aggs := make([]*syntax.NamedExpr, len(m.Aggs))
	for i, a := range m.Aggs {
		aggs[i] = a.Agg
	}
	sum := checkSummarize(c, in, &syntax.SummarizeOp{Span: m.Span, Aggs: aggs, By: by})
	if sum == nil {
		return nil
	}
	cols := sum.Columns()
	if len(cols) != len(by)+len(m.Aggs) {
		c.errorf(m, "make-series supports aggregates of one output column each")
		return nil
	}
	n := &plan.MakeSeries{In: sum, Axis: axis}
	for _, k := range cols[:len(m.By)] {
		n.Keys = append(n.Keys, k.Name)
	}
	for i, a := range m.Aggs {
		col := cols[len(by)+i]
		def, ok := c.seriesDefault(a, col.Type)
		if !ok {
			return nil
		}
		n.Series = append(n.Series, plan.SeriesCol{Name: col.Name, Default: def})
	}
	var ok bool
	if n.From, n.To, n.Step, ok = c.seriesRange(m); !ok {
		return nil
	}
	return n
}

// seriesDefault checks the scalar default of one series: 0 when omitted
// for numbers (as Kusto), null otherwise.
func (c *checker) seriesDefault(a *syntax.SeriesAgg, t schema.Type) (plan.Expr, bool) {
	if a.Default == nil {
		if isNumeric(t) {
			return &plan.Const{V: int64(0), T: schema.TypeLong}, true
		}
		return &plan.Const{V: nullOf(t), T: t}, true
	}
	d := c.expr(a.Default, nil)
	if isBad(d) {
		return nil, false
	}
	if d.Type() != t && (!isNumeric(d.Type()) || !isNumeric(t)) {
		c.errorf(a.Default, "the default of a %s series must be a %s, not %s", t, t, d.Type())
		return nil, false
	}
	return d, true
}

// seriesRange checks the bounds and step of the axis: scalars that read no
// column, such as ago(7d).
func (c *checker) seriesRange(m *syntax.MakeSeriesOp) (from, to, step plan.Expr, ok bool) {
	xs := make([]plan.Expr, 3)
	for i, e := range []syntax.Expr{m.From, m.To, m.Step} {
		xs[i] = c.expr(e, nil)
		if isBad(xs[i]) {
			return nil, nil, nil, false
		}
	}
	return xs[0], xs[1], xs[2], true
}

package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// checkMvApply plans mv-apply [with_itemindex=I] Cols [limit N] on (Sub):
// each row is expanded into a subtable of its arrays' elements (and the
// index) beside its other columns, Sub runs on that subtable, and each
// result row gets the row's columns Sub did not return, as in Kusto.
func checkMvApply(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	m := op.(*syntax.MvApplyOp)
	exp := &plan.MvExpand{}
	if !c.mvOptions(m.Options, exp) {
		return nil
	}
	if m.Limit != nil {
		lim, ok := c.constCount(m.Limit)
		if !ok || lim == 0 {
			if ok {
				c.errorf(m.Limit, "mv-apply: limit must be at least 1")
			}
			return nil
		}
		exp.Limit = lim
	}
	for _, mc := range m.Columns {
		var col plan.MvCol
		if in, col = c.mvColumn(in, mc); in == nil {
			return nil
		}
		exp.Cols = append(exp.Cols, col)
	}
	if m.Sub == nil || m.Sub.Source != nil {
		c.errorf(m, "the subquery of mv-apply starts from the expanded rows, without a source")
		return nil
	}
	exp.In = &plan.OuterRow{Cols: in.Columns()}
	return c.mvApplySub(m, in, exp)
}

// mvApplySub checks the subquery over the expanded rows. The subquery sees
// the whole row, as in Kusto: the expanded columns one element per row and
// the other columns repeated. Each result row then gets the input row's
// columns that the subquery did not return (it may have dropped them with
// summarize or project, or replaced them with extend).
func (c *checker) mvApplySub(m *syntax.MvApplyOp, in plan.Node, exp *plan.MvExpand) plan.Node {
	sub := plan.Node(exp)
	for _, op := range m.Sub.Ops {
		if sub = c.operator(sub, op); sub == nil {
			return nil
		}
	}
	out := map[string]bool{}
	for _, col := range sub.Columns() {
		out[col.Name] = true
	}
	var keep []plan.Column
	for _, col := range in.Columns() {
		if _, expanded := exp.ElemType(col.Name); !expanded && !out[col.Name] {
			keep = append(keep, col)
		}
	}
	return &plan.MvApply{In: in, Keep: keep, Sub: sub}
}

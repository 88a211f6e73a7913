package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// checkMvApply plans mv-apply [with_itemindex=I] Cols [limit N] on (Sub):
// each row's arrays are expanded into a subtable of the expanded columns
// (and the index), Sub runs on that subtable, and each result row gets the
// row's columns that were not expanded, as in Kusto.
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
	var keep, src []plan.Column
	for _, col := range in.Columns() {
		if _, ok := exp.ElemType(col.Name); ok {
			src = append(src, col)
		} else {
			keep = append(keep, col)
		}
	}
	exp.In = &plan.OuterRow{Cols: src}
	return c.mvApplySub(m, in, keep, exp)
}

// mvApplySub checks the subquery over the expanded rows.
func (c *checker) mvApplySub(m *syntax.MvApplyOp, in plan.Node, keep []plan.Column, exp *plan.MvExpand) plan.Node {
	sub := plan.Node(exp)
	for _, op := range m.Sub.Ops {
		if sub = c.operator(sub, op); sub == nil {
			return nil
		}
	}
	for _, col := range sub.Columns() {
		for _, k := range keep {
			if k.Name == col.Name {
				c.errorf(m.Sub, "mv-apply: the subquery's column '%s' is also a column of the input; rename it", col.Name)
				return nil
			}
		}
	}
	return &plan.MvApply{In: in, Keep: keep, Sub: sub}
}

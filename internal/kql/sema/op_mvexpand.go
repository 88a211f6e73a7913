package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// checkMvExpand checks mv-expand [with_itemindex=Name] Col [to typeof(T)],
// ... [limit N]. Expressions that are not a column of their own name are
// first extended into a column (Kusto names them as extend would).
func checkMvExpand(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	m := op.(*syntax.MvExpandOp)
	n := &plan.MvExpand{}
	if !c.mvOptions(m.Options, n) {
		return nil
	}
	if m.Limit != nil {
		lim, ok := c.constCount(m.Limit)
		if !ok {
			return nil
		}
		if lim == 0 {
			c.errorf(m.Limit, "mv-expand: limit must be at least 1")
			return nil
		}
		n.Limit = lim
	}
	for _, mc := range m.Columns {
		var col plan.MvCol
		in, col = c.mvColumn(in, mc)
		if in == nil {
			return nil
		}
		for _, prev := range n.Cols {
			if prev.Name == col.Name {
				c.errorf(mc, "mv-expand: column '%s' is expanded twice", col.Name)
				return nil
			}
		}
		n.Cols = append(n.Cols, col)
	}
	n.In = in
	if n.Index != "" && hasColumn(in, n.Index) {
		c.errorf(m, "mv-expand: with_itemindex column '%s' already exists", n.Index)
		return nil
	}
	return n
}

// mvOptions reads the options of mv-expand into n; only kind=array (the
// default for arrays) and with_itemindex are supported.
func (c *checker) mvOptions(opts []*syntax.Option, n *plan.MvExpand) bool {
	for _, o := range opts {
		id, _ := o.Value.(*syntax.Ident)
		switch {
		case o.Name == "with_itemindex" && id != nil:
			n.Index = id.Name
		case o.Name == "kind" && id != nil && id.Name == "array":
		default:
			c.errorf(o, "mv-expand option '%s' is not supported yet (supported: with_itemindex=Name, kind=array)", o.Name)
			return false
		}
	}
	return true
}

// mvColumn checks one expanded column and returns the input (extended when
// the column is computed) and the column's name and element type.
func (c *checker) mvColumn(in plan.Node, mc *syntax.MvColumn) (plan.Node, plan.MvCol) {
	to := schema.TypeDynamic
	if mc.ToType != "" {
		t, err := schema.ParseType(mc.ToType)
		if err != nil {
			c.errorf(mc, "unknown type '%s'", mc.ToType)
			return nil, plan.MvCol{}
		}
		to = t
	}
	name := defaultName(mc.Column.Expr)
	if len(mc.Column.Names) == 1 {
		name = mc.Column.Names[0].Name
	}
	x := c.expr(mc.Column.Expr, newScope(in))
	if isBad(x) {
		return nil, plan.MvCol{}
	}
	if x.Type() != schema.TypeDynamic {
		c.errorf(mc.Column.Expr, "mv-expand needs a dynamic array, not %s", x.Type())
		return nil, plan.MvCol{}
	}
	if col, ok := x.(*plan.Col); !ok || col.Name != name || name == "" {
		if name == "" {
			name = "Column1"
		}
		ext := &syntax.ExtendOp{Span: mc.Span, Columns: []*syntax.NamedExpr{{Span: mc.Span, Names: []*syntax.Ident{{Name: name}}, Expr: mc.Column.Expr}}}
		in = checkExtend(c, in, ext)
	}
	return in, plan.MvCol{Name: name, To: to}
}

func hasColumn(n plan.Node, name string) bool {
	for _, col := range n.Columns() {
		if col.Name == name {
			return true
		}
	}
	return false
}

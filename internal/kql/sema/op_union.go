package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// union plans union (kind=outer): columns are united by name in order of
// first appearance; a column whose type differs in a later input keeps its
// first type.
func (c *checker) union(in plan.Node, u *syntax.UnionOp) plan.Node {
	n := &plan.Union{}
	for _, o := range u.Options {
		switch o.Name {
		case "withsource":
			n.Source = optionName(o)
		case "kind":
			if optionName(o) != "outer" {
				c.errorf(o, "union kind=%s is not supported yet", optionName(o))
				return nil
			}
		case "isfuzzy":
		default:
			c.warnf(o, "union option %s is ignored", o.Name)
		}
	}
	if in != nil {
		n.Inputs, n.Names = append(n.Inputs, in), append(n.Names, "union_arg0")
	}
	for _, p := range u.Tables {
		if ref, ok := p.Source.(*syntax.TableRef); ok && ref.Wildcard && len(p.Ops) == 0 {
			tabs := c.matchTables(ref.Name)
			if len(tabs) == 0 {
				c.errorf(ref, "no table matches '%s'", ref.Name)
				return nil
			}
			for _, t := range tabs {
				n.Inputs, n.Names = append(n.Inputs, c.scan(t)), append(n.Names, t.Name)
			}
			continue
		}
		x := c.pipeline(p)
		if x == nil {
			return nil
		}
		name := "union_arg" + itoa(len(n.Inputs))
		if ref, ok := p.Source.(*syntax.TableRef); ok && len(p.Ops) == 0 {
			name = ref.Name
		}
		n.Inputs, n.Names = append(n.Inputs, x), append(n.Names, name)
	}
	seen := map[string]bool{}
	if n.Source != "" {
		n.Out = append(n.Out, plan.Column{Name: n.Source, Type: schema.TypeString})
		seen[n.Source] = true
	}
	for _, x := range n.Inputs {
		for _, col := range x.Columns() {
			if !seen[col.Name] {
				seen[col.Name] = true
				n.Out = append(n.Out, col)
			}
		}
	}
	return n
}

func checkMvExpand(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	m := op.(*syntax.MvExpandOp)
	if len(m.Columns) != 1 || m.Limit != nil || len(m.Options) > 0 {
		c.errorf(m, "mv-expand supports one column without options or limit")
		return nil
	}
	mc := m.Columns[0]
	to := schema.TypeDynamic
	if mc.ToType != "" {
		t, err := schema.ParseType(mc.ToType)
		if err != nil {
			c.errorf(mc, "unknown type '%s'", mc.ToType)
			return nil
		}
		to = t
	}
	name := defaultName(mc.Column.Expr)
	if len(mc.Column.Names) == 1 {
		name = mc.Column.Names[0].Name
	}
	x := c.expr(mc.Column.Expr, newScope(in))
	if isBad(x) {
		return nil
	}
	if x.Type() != schema.TypeDynamic {
		c.errorf(mc.Column.Expr, "mv-expand needs a dynamic array, not %s", x.Type())
		return nil
	}
	if col, ok := x.(*plan.Col); !ok || col.Name != name || name == "" {
		if name == "" {
			name = "Column1"
		}
		ext := &syntax.ExtendOp{Span: mc.Span, Columns: []*syntax.NamedExpr{{Span: mc.Span, Names: []*syntax.Ident{{Name: name}}, Expr: mc.Column.Expr}}}
		in = checkExtend(c, in, ext)
		if in == nil {
			return nil
		}
	}
	return &plan.MvExpand{In: in, Col: name, To: to}
}

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

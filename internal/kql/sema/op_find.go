package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// checkFind plans find in (Tables) where Pred project Cols: the union of
// each table filtered by the predicate, with a source_ column (or the
// withsource= name) naming the table. As in Kusto, a table that lacks a
// column the predicate uses takes no part; a projected column a table
// lacks is null. Without project, the output is project-smart's: the columns
// the predicate names and a pack_ bag of the rest.
func checkFind(c *checker, s syntax.Source) plan.Node {
	f := s.(*syntax.FindSource)
	u := &plan.Union{Source: "source_"}
	for _, o := range f.Options {
		if o.Name != "withsource" {
			c.errorf(o, "find option '%s' is not supported yet", o.Name)
			return nil
		}
		u.Source = optionName(o)
	}
	if f.Tables == nil {
		c.errorf(f, "find over every table is not supported: name the tables, as in 'find in (DeviceProcessEvents, DeviceFileEvents) where ...'")
		return nil
	}
	refs := c.columnRefs(f.Pred)
	for _, p := range f.Tables {
		for _, t := range c.findInputs(p) {
			if t.node == nil {
				return nil
			}
			if !hasColumns(t.node, refs) {
				continue
			}
			x := checkWhere(c, t.node, &syntax.WhereOp{Span: f.Span, Keyword: "find", Pred: f.Pred})
			if x == nil {
				return nil
			}
			u.Inputs, u.Names = append(u.Inputs, x), append(u.Names, t.name)
		}
	}
	if f.Project == nil {
		return c.findProjectSmart(f, u, refs)
	}
	return c.findProject(f, u)
}

// findProjectSmart is find's default output: the source column, the columns the predicate
// names, and pack_, a bag of every other column of the row that is not empty.
func (c *checker) findProjectSmart(f *syntax.FindSource, u *plan.Union, refs []string) plan.Node {
	u.Out = []plan.Column{{Name: u.Source, Type: schema.TypeString}}
	named := map[string]bool{}
	for _, name := range refs {
		if named[name] {
			continue
		}
		col, ok := findColumn(u.Inputs, name)
		if !ok {
			continue
		}
		named[name] = true
		u.Out = append(u.Out, col)
	}
	for i, in := range u.Inputs {
		var items []plan.Item
		for _, col := range u.Out[1:] {
			x, _ := findColumn([]plan.Node{in}, col.Name)
			if x.Type != col.Type {
				c.errorf(f, "column '%s' is %s in one table of find and %s in another", col.Name, col.Type, x.Type)
				return nil
			}
			items = append(items, plan.Item{Name: col.Name, Expr: &plan.Col{Name: col.Name, T: col.Type}})
		}
		var pack []plan.Expr
		for _, col := range in.Columns() {
			if !named[col.Name] {
				pack = append(pack, &plan.Const{V: col.Name, T: schema.TypeString}, &plan.Col{Name: col.Name, T: col.Type})
			}
		}
		items = append(items, plan.Item{Name: "pack_", Expr: &plan.Call{Fn: "bag_pack_nonempty", Args: pack, T: schema.TypeDynamic}})
		u.Inputs[i] = &plan.Project{In: in, Items: items}
	}
	u.Out = append(u.Out, plan.Column{Name: "pack_", Type: schema.TypeDynamic})
	return u
}

// findInput is one table of find, by name.
type findInput struct {
	name string
	node plan.Node
}

// findInputs expands one table of find (a pattern such as Device* to each
// matching table).
func (c *checker) findInputs(p *syntax.Pipeline) []findInput {
	ref, isRef := p.Source.(*syntax.TableRef)
	if isRef && ref.Wildcard && len(p.Ops) == 0 {
		var out []findInput
		for _, t := range c.matchTables(ref.Name) {
			out = append(out, findInput{t.Name, c.scan(t)})
		}
		if out == nil {
			c.errorf(ref, "no table matches '%s'", ref.Name)
			return []findInput{{}}
		}
		return out
	}
	name := "find_arg"
	if isRef && len(p.Ops) == 0 {
		name = ref.Name
	}
	return []findInput{{name, c.pipeline(p)}}
}

// findProject projects each input to the requested columns and sets the
// union's output: the source column, then the columns in order.
func (c *checker) findProject(f *syntax.FindSource, u *plan.Union) plan.Node {
	u.Out = []plan.Column{{Name: u.Source, Type: schema.TypeString}}
	for _, e := range f.Project {
		id, isID := e.(*syntax.Ident)
		if !isID {
			c.errorf(e, "find projects column names only")
			return nil
		}
		col, ok := findColumn(u.Inputs, id.Name)
		if !ok {
			c.errorf(id, "no table of find has a column '%s'", id.Name)
			return nil
		}
		u.Out = append(u.Out, col)
	}
	for i, in := range u.Inputs {
		var items []plan.Item
		for _, col := range u.Out[1:] {
			if x, ok := findColumn([]plan.Node{in}, col.Name); ok {
				if x.Type != col.Type {
					c.errorf(f, "column '%s' is %s in one table of find and %s in another", col.Name, col.Type, x.Type)
					return nil
				}
				items = append(items, plan.Item{Name: col.Name, Expr: &plan.Col{Name: col.Name, T: col.Type}})
			}
		}
		u.Inputs[i] = &plan.Project{In: in, Items: items}
	}
	return u
}

func findColumn(nodes []plan.Node, name string) (plan.Column, bool) {
	for _, n := range nodes {
		for _, col := range n.Columns() {
			if col.Name == name {
				return col, true
			}
		}
	}
	return plan.Column{}, false
}

func hasColumns(n plan.Node, names []string) bool {
	for _, name := range names {
		if _, ok := findColumn([]plan.Node{n}, name); !ok {
			return false
		}
	}
	return true
}

// columnRefs lists the names e uses as columns (not function names,
// dynamic member names or let-bound scalars).
func (c *checker) columnRefs(e syntax.Expr) []string {
	var out []string
	syntax.Inspect(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			for _, a := range n.Args {
				out = append(out, c.columnRefs(a)...)
			}
			return false
		case *syntax.MemberExpr:
			out = append(out, c.columnRefs(n.X)...)
			return false
		case *syntax.Ident:
			if _, scalar := c.scalars[n.Name]; !scalar {
				out = append(out, n.Name)
			}
		}
		return true
	})
	return out
}

package sema

import (
	"path"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// namer hands out Kusto's default names Column1, Column2, ... skipping taken ones.
type namer struct {
	n     int
	taken map[string]bool
}

func (nm *namer) next() string {
	for {
		nm.n++
		name := "Column" + itoa(nm.n)
		if !nm.taken[name] {
			return name
		}
	}
}

// named checks a [Name=]Expr and returns its name (explicit, derived, or ColumnN).
func (c *checker) named(ne *syntax.NamedExpr, s *scope, nm *namer) (string, plan.Expr) {
	x := c.expr(ne.Expr, s)
	if len(ne.Names) > 1 {
		c.errorf(ne, "a tuple of names is not supported here")
		return "", bad()
	}
	if len(ne.Names) == 1 {
		return ne.Names[0].Name, x
	}
	if n := defaultName(ne.Expr); n != "" {
		return n, x
	}
	return nm.next(), x
}

func checkProject(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	p := op.(*syntax.ProjectOp)
	s := newScope(in)
	nm := &namer{taken: map[string]bool{}}
	seen := map[string]bool{}
	var items []plan.Item
	ok := true
	for _, ne := range p.Columns {
		names, xs := c.namedMulti(ne, s, nm)
		for i, name := range names {
			x := xs[i]
			if isBad(x) {
				ok = false
				continue
			}
			if seen[name] {
				c.errorf(ne, "column '%s' is projected twice", name)
				ok = false
				continue
			}
			seen[name] = true
			items = append(items, plan.Item{Name: name, Expr: x})
		}
	}
	if !ok {
		return nil
	}
	return &plan.Project{In: in, Items: items}
}

func passThrough(cols []plan.Column) []plan.Item {
	out := make([]plan.Item, len(cols))
	for i, col := range cols {
		out[i] = plan.Item{Name: col.Name, Expr: &plan.Col{Name: col.Name, T: col.Type}}
	}
	return out
}

// matchColumns returns the indexes of the input columns a name or wildcard names.
func (c *checker) matchColumns(in []plan.Column, e syntax.Expr) ([]int, bool) {
	var out []int
	switch e := e.(type) {
	case *syntax.Wildcard:
		for i, col := range in {
			if ok, _ := path.Match(e.Pattern, col.Name); ok {
				out = append(out, i)
			}
		}
		return out, true
	case *syntax.Ident:
		s := &scope{cols: in}
		col, fold, ok := s.lookup(e.Name)
		if !ok {
			c.errorf(e, "unknown column '%s'%s", e.Name, didYouMean(nearest(e.Name, s.names())))
			return nil, false
		}
		if fold {
			c.warnf(e, "column '%s' is spelled '%s'; matched ignoring letter case", e.Name, col.Name)
		}
		for i := range in {
			if in[i].Name == col.Name {
				out = append(out, i)
			}
		}
		return out, true
	}
	c.errorf(e, "expected a column name or pattern")
	return nil, false
}

func checkProjectAway(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	p := op.(*syntax.ProjectAwayOp)
	cols := in.Columns()
	picked := make([]bool, len(cols))
	var order []int
	for _, k := range p.Columns {
		idx, ok := c.matchColumns(cols, k.Expr)
		if !ok {
			return nil
		}
		for _, i := range idx {
			if !picked[i] {
				picked[i] = true
				order = append(order, i)
			}
		}
	}
	var keep []plan.Column
	switch p.Keyword {
	case "project-away":
		for i, col := range cols {
			if !picked[i] {
				keep = append(keep, col)
			}
		}
	case "project-keep":
		for i, col := range cols {
			if picked[i] {
				keep = append(keep, col)
			}
		}
	default: // project-reorder
		for _, i := range order {
			keep = append(keep, cols[i])
		}
		for i, col := range cols {
			if !picked[i] {
				keep = append(keep, col)
			}
		}
	}
	return &plan.Project{In: in, Items: passThrough(keep)}
}

func checkProjectRename(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	p := op.(*syntax.ProjectRenameOp)
	items := passThrough(in.Columns())
	for _, r := range p.Renames {
		idx, ok := c.matchColumns(in.Columns(), r.Old)
		if !ok {
			return nil
		}
		for _, i := range idx {
			items[i].Name = r.New.Name
		}
	}
	return &plan.Project{In: in, Items: items}
}

// checkExtend appends (or replaces) columns. An expression that uses a
// column defined earlier in the same extend starts a new projection.
func checkExtend(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	e := op.(*syntax.ExtendOp)
	nm := &namer{taken: map[string]bool{}}
	for _, col := range in.Columns() {
		nm.taken[col.Name] = true
	}
	cur := in
	items := passThrough(in.Columns())
	fresh := map[string]bool{}
	ok := true
	for _, ne := range e.Columns {
		pending := &plan.Project{In: cur, Items: items}
		names, xs := c.namedMulti(ne, &scope{cols: pending.Columns(), in: pending}, nm)
		if anyBad(xs) {
			ok = false
			continue
		}
		if anyUses(xs, fresh) {
			cur = &plan.Project{In: cur, Items: items}
			items = passThrough(cur.Columns())
			fresh = map[string]bool{}
		}
		for j, name := range names {
			replaced := false
			for i := range items {
				if items[i].Name == name {
					items[i].Expr, replaced = xs[j], true
				}
			}
			if !replaced {
				items = append(items, plan.Item{Name: name, Expr: xs[j]})
			}
			fresh[name] = true
		}
	}
	if !ok {
		return nil
	}
	return &plan.Project{In: cur, Items: items}
}

func anyBad(xs []plan.Expr) bool {
	for _, x := range xs {
		if isBad(x) {
			return true
		}
	}
	return false
}

// usesAny reports whether x refers to a column named in names.
func usesAny(x plan.Expr, names map[string]bool) bool {
	switch x := x.(type) {
	case *plan.Col:
		return names[x.Name]
	case *plan.Call:
		return anyUses(x.Args, names)
	case *plan.Window:
		return anyUses(x.Args, names)
	case *plan.InQuery:
		return usesAny(x.X, names)
	}
	return false
}

func anyUses(xs []plan.Expr, names map[string]bool) bool {
	for _, a := range xs {
		if usesAny(a, names) {
			return true
		}
	}
	return false
}

func checkDistinct(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	d := op.(*syntax.DistinctOp)
	if len(d.Columns) == 1 {
		if _, star := d.Columns[0].(*syntax.StarExpr); star {
			return &plan.Distinct{In: in}
		}
	}
	p := &syntax.ProjectOp{Span: d.Span}
	for _, col := range d.Columns {
		p.Columns = append(p.Columns, &syntax.NamedExpr{Span: col.NodeSpan(), Expr: col})
	}
	proj := checkProject(c, in, p)
	if proj == nil {
		return nil
	}
	return &plan.Distinct{In: proj}
}

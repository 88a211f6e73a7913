package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

var joinKinds = map[string]plan.JoinKind{
	"innerunique": plan.InnerUnique, "inner": plan.Inner, "leftouter": plan.LeftOuter, "rightouter": plan.RightOuter,
	"fullouter": plan.FullOuter, "leftsemi": plan.LeftSemi, "leftanti": plan.LeftAnti, "anti": plan.LeftAnti,
	"leftantisemi": plan.LeftAnti, "rightsemi": plan.RightSemi, "rightanti": plan.RightAnti, "rightantisemi": plan.RightAnti,
}

func optionName(o *syntax.Option) string {
	if id, ok := o.Value.(*syntax.Ident); ok {
		return id.Name
	}
	if s, ok := o.Value.(*syntax.StringLit); ok {
		return s.Value
	}
	return ""
}

func checkJoin(c *checker, left plan.Node, op syntax.Operator) plan.Node {
	j := op.(*syntax.JoinOp)
	kind := plan.InnerUnique
	if j.Keyword == "lookup" {
		kind = plan.LeftOuter
	}
	for _, o := range j.Options {
		if o.Name != "kind" {
			continue
		}
		k, ok := joinKinds[optionName(o)]
		if !ok || j.Keyword == "lookup" && k != plan.LeftOuter && k != plan.Inner {
			c.errorf(o, "unknown %s kind '%s'", j.Keyword, optionName(o))
			return nil
		}
		kind = k
	}
	right := c.pipeline(j.Right)
	if right == nil {
		return nil
	}
	n := &plan.Join{Kind: kind, Left: left, Right: right}
	ls, rs := newScope(left), newScope(right)
	for _, cond := range j.On {
		l, r, ok := c.joinCond(cond, ls, rs)
		if !ok {
			return nil
		}
		n.LeftKeys, n.RightKeys = append(n.LeftKeys, l), append(n.RightKeys, r)
	}
	if len(n.LeftKeys) == 0 {
		c.errorf(j, "join needs 'on' conditions")
		return nil
	}
	joinColumns(n, left, right)
	if j.Keyword == "lookup" {
		return lookupProject(n)
	}
	return n
}

// lookupProject keeps a lookup's columns: the left ones, then the right ones
// except the key columns that have the left key's name (they would repeat it).
func lookupProject(n *plan.Join) plan.Node {
	nl := len(n.Left.Columns())
	drop := map[int]bool{}
	for i, rk := range n.RightKeys {
		if rk != n.LeftKeys[i] {
			continue
		}
		for j, col := range n.Right.Columns() {
			if col.Name == rk {
				drop[nl+j] = true
			}
		}
	}
	var items []plan.Item
	for i, col := range n.Out {
		if !drop[i] {
			items = append(items, plan.Item{Name: col.Name, Expr: &plan.Col{Name: col.Name, T: col.Type}})
		}
	}
	return &plan.Project{In: n, Items: items}
}

// joinColumns sets the output columns of n by its kind.
func joinColumns(n *plan.Join, left, right plan.Node) {
	switch n.Kind {
	case plan.LeftSemi, plan.LeftAnti:
		n.Out = left.Columns()
	case plan.RightSemi, plan.RightAnti:
		n.Out = right.Columns()
	default:
		n.Out = append(n.Out, left.Columns()...)
		taken := map[string]bool{}
		for _, col := range n.Out {
			taken[col.Name] = true
		}
		for _, col := range right.Columns() {
			name := col.Name
			for i := 1; taken[name]; i++ {
				name = col.Name + itoa(i)
			}
			taken[name] = true
			n.RightNames = append(n.RightNames, name)
			n.Out = append(n.Out, plan.Column{Name: name, Type: col.Type})
		}
	}
}

// joinCond checks Col or $left.A == $right.B and returns the key columns.
func (c *checker) joinCond(e syntax.Expr, ls, rs *scope) (string, string, bool) {
	side := func(x syntax.Expr, want string, s *scope) (string, bool) {
		m, ok := x.(*syntax.MemberExpr)
		if !ok {
			c.errorf(x, "expected %s.Column", want)
			return "", false
		}
		if id, ok := m.X.(*syntax.Ident); !ok || id.Name != want {
			c.errorf(x, "expected %s.Column", want)
			return "", false
		}
		col, ok := c.expr(m.Name, s).(*plan.Col)
		return colName(col), ok
	}
	switch e := e.(type) {
	case *syntax.Ident:
		l, okL := c.expr(e, ls).(*plan.Col)
		r, okR := c.expr(e, rs).(*plan.Col)
		if okL && okR && l.T != r.T {
			c.errorf(e, "join key '%s' is %s on the left and %s on the right", e.Name, l.T, r.T)
			return "", "", false
		}
		return colName(l), colName(r), okL && okR
	case *syntax.BinaryExpr:
		if e.Op == "==" {
			x, y := e.X, e.Y
			if m, ok := x.(*syntax.MemberExpr); ok {
				if id, ok := m.X.(*syntax.Ident); ok && id.Name == "$right" {
					x, y = y, x
				}
			}
			l, okL := side(x, "$left", ls)
			r, okR := side(y, "$right", rs)
			return l, r, okL && okR
		}
	}
	c.errorf(e, "a join condition must be a column name or $left.Column == $right.Column")
	return "", "", false
}

func colName(c *plan.Col) string {
	if c == nil {
		return ""
	}
	return c.Name
}

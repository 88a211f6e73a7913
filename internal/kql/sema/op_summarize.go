package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// checkSummarize plans summarize: aggregates found anywhere in a column are
// computed by one Aggregate; a column that is more than one aggregate call is
// computed by a projection over it.
func checkSummarize(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	sum := op.(*syntax.SummarizeOp)
	s := newScope(in)
	nm := &namer{taken: map[string]bool{}}
	agg := &plan.Aggregate{In: in}
	ok := true
	for _, k := range sum.By {
		name, x := c.named(k, s, nm)
		if isBad(x) {
			ok = false
			continue
		}
		agg.Keys = append(agg.Keys, plan.Item{Name: name, Expr: x})
	}
	col := &aggCollector{}
	var final []plan.Item
	needProject := false
	for _, ne := range sum.Aggs {
		if call, isCall := ne.Expr.(*syntax.CallExpr); isCall && (call.Name.Name == "arg_max" || call.Name.Name == "arg_min") {
			a, okA := c.argExtreme(call, s, agg.Keys)
			if !okA {
				ok = false
				continue
			}
			if !c.nameArgExtreme(ne, &a) {
				ok = false
				continue
			}
			col.aggs = append(col.aggs, a)
			final = append(final, plan.Item{Name: a.Name, Expr: &plan.Col{Name: a.Name, T: a.T}})
			for _, o := range a.Outs {
				final = append(final, plan.Item{Name: o.Name, Expr: &plan.Col{Name: o.Name, T: o.Expr.Type()}})
			}
			continue
		}
		if call, isCall := ne.Expr.(*syntax.CallExpr); isCall && call.Name.Name == "percentiles" {
			aggs, okP := c.percentiles(ne, call, s)
			ok = ok && okP
			for _, a := range aggs {
				col.aggs = append(col.aggs, a)
				final = append(final, plan.Item{Name: a.Name, Expr: &plan.Col{Name: a.Name, T: a.T}})
			}
			continue
		}
		if len(ne.Names) > 1 {
			c.errorf(ne, "a tuple of names needs an aggregate that returns several columns, such as arg_max()")
			ok = false
			continue
		}
		c.aggs = col
		before := len(col.aggs)
		x := c.expr(ne.Expr, s)
		c.aggs = nil
		if isBad(x) {
			ok = false
			continue
		}
		name := ""
		if len(ne.Names) == 1 {
			name = ne.Names[0].Name
		}
		call, direct := ne.Expr.(*syntax.CallExpr)
		if direct && len(col.aggs) == before+1 && isColRef(x, col.aggs[before].Name) {
			if name == "" {
				name = uniqueName(aggDefaultName(call), agg.Keys, final)
			}
			col.aggs[before].Name = name
			x = &plan.Col{Name: name, T: x.Type()}
		} else {
			needProject = true
			if name == "" {
				name = nm.next()
			}
			if len(col.aggs) == before {
				c.errorf(ne, "a summarize column must use an aggregate function")
				ok = false
				continue
			}
		}
		final = append(final, plan.Item{Name: name, Expr: x})
	}
	if !ok {
		return nil
	}
	agg.Aggs = col.aggs
	if !needProject {
		return agg
	}
	items := passThrough(agg.Columns()[:len(agg.Keys)])
	return &plan.Project{In: agg, Items: append(items, final...)}
}

// nameArgExtreme applies the names of name = arg_max(...) or of the tuple
// (By, Col1, ...) = arg_max(By, Col1, ...), one name per returned column.
func (c *checker) nameArgExtreme(ne *syntax.NamedExpr, a *plan.Agg) bool {
	switch {
	case len(ne.Names) == 1:
		a.Name = ne.Names[0].Name
	case len(ne.Names) > 1:
		if len(ne.Names) != 1+len(a.Outs) {
			c.errorf(ne, "%s() returns %d column%s here, not %d", a.Fn, 1+len(a.Outs), plural(1+len(a.Outs)), len(ne.Names))
			return false
		}
		a.Name = ne.Names[0].Name
		for i := range a.Outs {
			a.Outs[i].Name = ne.Names[i+1].Name
		}
	}
	return true
}

// uniqueName returns a default column name that no key or earlier column
// has, appending 1, 2, ... as Kusto does (count(), count() gives count_ and
// count_1; take_any(k) by k gives k and k1).
func uniqueName(name string, keys, cols []plan.Item) string {
	taken := map[string]bool{}
	for _, it := range keys {
		taken[it.Name] = true
	}
	for _, it := range cols {
		taken[it.Name] = true
	}
	out := name
	for i := 1; taken[out]; i++ {
		out = name + itoa(i)
	}
	return out
}

func isColRef(x plan.Expr, name string) bool {
	col, ok := x.(*plan.Col)
	return ok && col.Name == name
}

// argExtreme checks arg_max(By, Cols...) / arg_min; '*' takes every input
// column that is neither By nor a grouping key.
func (c *checker) argExtreme(call *syntax.CallExpr, s *scope, keys []plan.Item) (plan.Agg, bool) {
	fn := call.Name.Name
	if len(call.Args) < 1 {
		c.errorf(call, "%s() takes the expression to maximize and the columns to return", fn)
		return plan.Agg{}, false
	}
	by := c.expr(call.Args[0], s)
	if isBad(by) {
		return plan.Agg{}, false
	}
	byName := defaultName(call.Args[0])
	if byName == "" {
		byName = fn[4:] + "_"
	}
	a := plan.Agg{Name: byName, Fn: fn, Args: []plan.Expr{by}, T: by.Type()}
	taken := map[string]bool{byName: true}
	for _, k := range keys {
		taken[k.Name] = true
	}
	nm := &namer{taken: taken}
	for _, arg := range call.Args[1:] {
		if _, star := arg.(*syntax.StarExpr); star {
			for _, col := range s.cols {
				if !taken[col.Name] {
					taken[col.Name] = true
					a.Outs = append(a.Outs, plan.Item{Name: col.Name, Expr: &plan.Col{Name: col.Name, T: col.Type}})
				}
			}
			continue
		}
		name, x := c.named(&syntax.NamedExpr{Span: arg.NodeSpan(), Expr: arg}, s, nm)
		if isBad(x) {
			return plan.Agg{}, false
		}
		if taken[name] {
			continue
		}
		taken[name] = true
		a.Outs = append(a.Outs, plan.Item{Name: name, Expr: x})
	}
	return a, true
}

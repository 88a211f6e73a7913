package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// checkPivot plans evaluate pivot(PivotCol [, count()] [, Col, ...]) [:
// (Schema)] as a summarize by the grouping columns (by default every column
// but the pivot column) with one countif per pivoted value; a value that
// does not occur in a group counts 0, as in Kusto. A declared output schema
// names the columns: each schema column that is not a grouping column is a
// value of the pivot column. Without one the values come from the data,
// through a discovery (see pivotDiscovered). Only count() is supported as
// the aggregate.
func checkPivot(c *checker, in plan.Node, e *syntax.EvaluateOp) plan.Node {
	args := e.Call.Args
	if len(args) == 0 {
		c.errorf(e.Call, "pivot takes the column to pivot, an optional count() and the columns to group by")
		return nil
	}
	pivot, ok := args[0].(*syntax.Ident)
	if !ok || !hasColumn(in, pivot.Name) {
		c.errorf(args[0], "the first argument of pivot must be a column of the input")
		return nil
	}
	rest := args[1:]
	if len(rest) > 0 {
		if call, isCall := rest[0].(*syntax.CallExpr); isCall {
			if call.Name.Name != "count" || len(call.Args) != 0 {
				c.errorf(call, "pivot supports only count() as the aggregate yet")
				return nil
			}
			rest = rest[1:]
		}
	}
	keys := pivotKeys(in, pivot.Name, rest)
	if e.Schema == nil {
		return c.pivotDiscovered(in, e, pivot, keys)
	}
	if e.AllInput {
		c.errorf(e, "the output schema of pivot lists its columns: '*' does not fit it, as in 'evaluate pivot(%s) : (Key:string, Value1:long, Value2:long)'", pivot.Name)
		return nil
	}
	return c.pivotPlan(in, e, pivot, keys, e.Schema)
}

// pivotDiscovered plans pivot with the values the data holds: the grouping
// columns, then a count column per distinct non-empty value of the pivot
// column (as a string), in byte order. A value named like a grouping column
// is an error: the output would have two columns of one name.
func (c *checker) pivotDiscovered(in plan.Node, e *syntax.EvaluateOp, pivot *syntax.Ident, keys []*syntax.NamedExpr) plan.Node {
	col, _ := findColumn([]plan.Node{in}, pivot.Name)
	rows, ok := c.discover(&Discovery{Span: e.Span, Plugin: "pivot", Plan: pivotValuesPlan(in, col)})
	if !ok {
		return nil
	}
	values, ok := c.pivotValues(e, pivot.Name, rows)
	if !ok {
		return nil
	}
	var decls []*syntax.ColumnDecl
	isKey := map[string]bool{}
	for _, k := range keys {
		name := defaultName(k.Expr)
		isKey[name] = true
		decls = append(decls, &syntax.ColumnDecl{Span: e.Span, Name: &syntax.Ident{Span: e.Span, Name: name}})
	}
	for _, v := range values {
		if isKey[v] {
			c.errorf(e, "pivot(%s) makes a column '%s' from the data, but a grouping column has that name; declare the output schema", pivot.Name, v)
			return nil
		}
		decls = append(decls, &syntax.ColumnDecl{Span: e.Span, Name: &syntax.Ident{Span: e.Span, Name: v}, Type: "long"})
	}
	return c.pivotPlan(in, e, pivot, keys, decls)
}

// pivotKeys are the grouping columns: the named ones, else every column
// but the pivot column.
func pivotKeys(in plan.Node, pivot string, named []syntax.Expr) []*syntax.NamedExpr {
	var keys []*syntax.NamedExpr
	for _, x := range named {
		keys = append(keys, &syntax.NamedExpr{Span: x.NodeSpan(), Expr: x})
	}
	if len(named) == 0 {
		for _, col := range in.Columns() {
			if col.Name != pivot {
				keys = append(keys, &syntax.NamedExpr{Expr: &syntax.Ident{Name: col.Name}})
			}
		}
	}
	return keys
}

// pivotPlan summarizes by the keys with a countif per pivoted value and
// projects the schema's columns in order.
// A column declared without a type (a discovered grouping column) takes the
// type it has.
func (c *checker) pivotPlan(in plan.Node, e *syntax.EvaluateOp, pivot *syntax.Ident, keys []*syntax.NamedExpr, decls []*syntax.ColumnDecl) plan.Node {
	isKey := map[string]bool{}
	for _, k := range keys {
		isKey[defaultName(k.Expr)] = true
	}
	sum := &syntax.SummarizeOp{Span: e.Span, By: keys}
	for _, cd := range decls {
		if isKey[cd.Name.Name] {
			continue
		}
		if cd.Type != "long" {
			c.errorf(cd, "a pivoted count column is long, not %s", cd.Type)
			return nil
		}
		str := &syntax.CallExpr{Span: cd.Span, Name: &syntax.Ident{Span: cd.Span, Name: "tostring"}, Args: []syntax.Expr{pivot}}
		cond := &syntax.BinaryExpr{Span: cd.Span, Op: "==", X: str, Y: &syntax.StringLit{Span: cd.Span, Value: cd.Name.Name}}
		call := &syntax.CallExpr{Span: cd.Span, Name: &syntax.Ident{Span: cd.Span, Name: "countif"}, Args: []syntax.Expr{cond}}
		sum.Aggs = append(sum.Aggs, &syntax.NamedExpr{Span: cd.Span, Names: []*syntax.Ident{cd.Name}, Expr: call})
	}
	agg := checkSummarize(c, in, sum)
	if agg == nil {
		return nil
	}
	var items []plan.Item
	for _, cd := range decls {
		col, _ := findColumn([]plan.Node{agg}, cd.Name.Name)
		if t, err := schema.ParseType(cd.Type); cd.Type != "" && (err != nil || t != col.Type) {
			c.errorf(cd, "pivot column '%s' is %s, not %s", cd.Name.Name, col.Type, cd.Type)
			return nil
		}
		items = append(items, plan.Item{Name: col.Name, Expr: &plan.Col{Name: col.Name, T: col.Type}})
	}
	return &plan.Project{In: agg, Items: items}
}

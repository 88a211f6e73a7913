package sema

import (
	"slices"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// pivotAggs maps each aggregate pivot takes (Kusto's list: min, max,
// take_any, sum, dcount, avg, stdev, variance, make_list, make_bag, make_set
// and count) to its conditional form, which computes it over the rows of one
// pivoted value; the condition goes after the first argument.
var pivotAggs = map[string]string{
	"count": "countif", "dcount": "dcountif", "sum": "sumif", "avg": "avgif",
	"min": "minif", "max": "maxif", "stdev": "stdevif", "variance": "varianceif",
	"take_any": "take_anyif", "make_list": "make_list_if", "make_set": "make_set_if", "make_bag": "make_bag_if",
}

// checkPivot plans evaluate pivot(PivotCol [, Agg] [, Col, ...]) [:
// (Schema)] as a summarize by the grouping columns (by default every column
// but the pivot column and the aggregated one) with one conditional
// aggregate per pivoted value (count() by default: countif; sum(X): sumif).
// A value that does not occur in a group gets what Kusto shows for it: 0
// for count(), dcount() and sum() (the pivot documentation's sum example
// has 0s), an empty array for make_list() and make_set(), an empty bag for
// make_bag(), null for avg, min, max, stdev, variance and take_any, whose
// value over no rows is null. A declared output schema names the columns:
// each schema column that is not a grouping column is a value of the pivot
// column. Without one the values come from the data, through a discovery
// (see pivotDiscovered).
func checkPivot(c *checker, in plan.Node, e *syntax.EvaluateOp) plan.Node {
	args := e.Call.Args
	if len(args) == 0 {
		c.errorf(e.Call, "pivot takes the column to pivot, an optional aggregate such as sum(X) and the columns to group by")
		return nil
	}
	pivot, ok := args[0].(*syntax.Ident)
	if !ok || !hasColumn(in, pivot.Name) {
		c.errorf(args[0], "the first argument of pivot must be a column of the input")
		return nil
	}
	rest := args[1:]
	agg := &syntax.CallExpr{Span: e.Call.Span, Name: &syntax.Ident{Span: e.Call.Span, Name: "count"}}
	if len(rest) > 0 {
		if call, isCall := rest[0].(*syntax.CallExpr); isCall {
			agg = canonicalCall(call)
			rest = rest[1:]
		}
	}
	keys := pivotKeys(in, pivot.Name, agg, rest)
	aggType, ok := c.pivotAggType(in, agg, keys)
	if !ok {
		return nil
	}
	p := &pivotSpec{col: pivot, agg: agg, t: aggType, keys: keys}
	if e.Schema == nil {
		return c.pivotDiscovered(in, e, p)
	}
	if e.AllInput {
		c.errorf(e, "the output schema of pivot lists its columns: '*' does not fit it, as in 'evaluate pivot(%s) : (Key:string, Value1:long, Value2:long)'", pivot.Name)
		return nil
	}
	return c.pivotPlan(in, e, p, e.Schema)
}

// pivotSpec is a checked pivot: the pivot column, the aggregate (count()
// when none is given) and its type, and the grouping columns.
type pivotSpec struct {
	col  *syntax.Ident
	agg  *syntax.CallExpr
	t    schema.Type
	keys []*syntax.NamedExpr
}

// pivotAggType checks the aggregate as summarize would, by the same keys,
// and returns its type; an aggregate pivot does not take is an error.
func (c *checker) pivotAggType(in plan.Node, agg *syntax.CallExpr, keys []*syntax.NamedExpr) (schema.Type, bool) {
	if _, ok := pivotAggs[agg.Name.Name]; !ok {
		c.errorf(agg, "pivot takes count(), sum(), dcount(), avg(), min(), max(), stdev(), variance(), take_any(), make_list(), make_set() or make_bag() as its aggregate, not %s()", agg.Name.Name)
		return schema.TypeInvalid, false
	}
	name := &syntax.Ident{Span: agg.Span, Name: "__pivot"}
	sum := &syntax.SummarizeOp{Span: agg.Span, By: keys, Aggs: []*syntax.NamedExpr{{Span: agg.Span, Names: []*syntax.Ident{name}, Expr: agg}}}
	out := checkSummarize(c, in, sum)
	if out == nil {
		return schema.TypeInvalid, false
	}
	col, _ := findColumn([]plan.Node{out}, name.Name)
	return col.Type, true
}

// conditional is the pivot aggregate over the rows whose pivot value is
// value: its conditional form with tostring(Pivot) == value after the first
// argument.
func (p *pivotSpec) conditional(span syntax.Span, value string) *syntax.CallExpr {
	str := &syntax.CallExpr{Span: span, Name: &syntax.Ident{Span: span, Name: "tostring"}, Args: []syntax.Expr{p.col}}
	cond := &syntax.BinaryExpr{Span: span, Op: "==", X: str, Y: &syntax.StringLit{Span: span, Value: value}}
	k := min(1, len(p.agg.Args))
	args := append(append(slices.Clone(p.agg.Args[:k]), cond), p.agg.Args[k:]...)
	return &syntax.CallExpr{Span: span, Name: &syntax.Ident{Span: span, Name: pivotAggs[p.agg.Name.Name]}, Args: args}
}

// missing is the output expression of a pivoted column col, which is null
// where the group has no row of the value and the aggregate over no rows is
// null in SQL: sum() is 0 there, as the Kusto pivot documentation shows, and
// make_bag() the empty bag, as Kusto's make_bag_if gives over no rows.
func (p *pivotSpec) missing(col plan.Column) plan.Expr {
	x := plan.Expr(&plan.Col{Name: col.Name, T: col.Type})
	var zero plan.Expr
	switch p.agg.Name.Name {
	case "sum":
		zero = &plan.Const{V: int64(0), T: schema.TypeLong}
		if col.Type != schema.TypeLong {
			zero = &plan.Call{Fn: "to" + col.Type.String(), Args: []plan.Expr{zero}, T: col.Type}
		}
	case "make_bag":
		zero = &plan.Const{V: "{}", T: schema.TypeDynamic}
	default:
		return x
	}
	return &plan.Call{Fn: "coalesce", Args: []plan.Expr{x, zero}, T: col.Type}
}

// pivotDiscovered plans pivot with the values the data holds: the grouping
// columns, then a count column per distinct non-empty value of the pivot
// column (as a string), in byte order. A value named like a grouping column
// is an error: the output would have two columns of one name.
func (c *checker) pivotDiscovered(in plan.Node, e *syntax.EvaluateOp, p *pivotSpec) plan.Node {
	pivot, keys := p.col, p.keys
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
		decls = append(decls, &syntax.ColumnDecl{Span: e.Span, Name: &syntax.Ident{Span: e.Span, Name: v}, Type: p.t.String()})
	}
	return c.pivotPlan(in, e, p, decls)
}

// pivotKeys are the grouping columns: the named ones, else every column
// but the pivot column and the columns the aggregate takes as arguments
// (sum(Bytes) aggregates Bytes, so Bytes is not a key), as in Kusto.
func pivotKeys(in plan.Node, pivot string, agg *syntax.CallExpr, named []syntax.Expr) []*syntax.NamedExpr {
	skip := map[string]bool{pivot: true}
	for _, a := range agg.Args {
		if id, ok := a.(*syntax.Ident); ok {
			skip[id.Name] = true
		}
	}
	var keys []*syntax.NamedExpr
	for _, x := range named {
		keys = append(keys, &syntax.NamedExpr{Span: x.NodeSpan(), Expr: x})
	}
	if len(named) == 0 {
		for _, col := range in.Columns() {
			if !skip[col.Name] {
				keys = append(keys, &syntax.NamedExpr{Expr: &syntax.Ident{Name: col.Name}})
			}
		}
	}
	return keys
}

// pivotPlan summarizes by the keys with a conditional aggregate per pivoted
// value and projects the schema's columns in order.
// A column declared without a type (a discovered grouping column) takes the
// type it has.
func (c *checker) pivotPlan(in plan.Node, e *syntax.EvaluateOp, p *pivotSpec, decls []*syntax.ColumnDecl) plan.Node {
	isKey := map[string]bool{}
	for _, k := range p.keys {
		isKey[defaultName(k.Expr)] = true
	}
	sum := &syntax.SummarizeOp{Span: e.Span, By: p.keys}
	for _, cd := range decls {
		if isKey[cd.Name.Name] {
			continue
		}
		if t, err := schema.ParseType(cd.Type); err != nil || t != p.t {
			c.errorf(cd, "a pivoted %s() column is %s, not %s", p.agg.Name.Name, p.t, cd.Type)
			return nil
		}
		sum.Aggs = append(sum.Aggs, &syntax.NamedExpr{Span: cd.Span, Names: []*syntax.Ident{cd.Name}, Expr: p.conditional(cd.Span, cd.Name.Name)})
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
		x := plan.Expr(&plan.Col{Name: col.Name, T: col.Type})
		if !isKey[cd.Name.Name] {
			x = p.missing(col)
		}
		items = append(items, plan.Item{Name: col.Name, Expr: x})
	}
	return &plan.Project{In: agg, Items: items}
}

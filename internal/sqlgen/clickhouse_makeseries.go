package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// chMakeSeries is makeSeries for ClickHouse, which has neither generate_series nor ordered
// aggregates: each distinct key gets every bin of the axis with arrayJoin (so no cross join
// is needed), the aggregated rows are left-joined on the bin and the keys, and each series
// is collected as (bin, value) tuples, sorted by bin and written as a JSON array. Missing
// bins take the default, as in DuckDB.
func (l *lowerer) chMakeSeries(n *plan.MakeSeries) Query {
	grid := &Select{Distinct: true, From: l.sub(l.node(n.In)), Limit: -1}
	for _, k := range n.Keys {
		grid.Items = append(grid.Items, SelectItem{X: &Ident{Name: k}})
	}
	if len(n.Keys) == 0 {
		grid.Items = []SelectItem{{X: &Lit{V: true, T: schema.TypeBool}, Alias: "__g"}}
	}
	bins := Call("arrayMap", chLambda("__i", l.chSeriesBin(n, ident("__i"))), Call("range", l.chSeriesBinCount(n)))
	cross := l.sub(&Select{Items: []SelectItem{{X: &Star{}}, {X: Call("arrayJoin", bins), Alias: seriesBin}}, From: l.sub(grid), Limit: -1})
	binCol := &Ident{Table: cross.Alias, Name: seriesBin}
	a := l.sub(l.node(n.In))
	on := Expr(Bin("=", binCol, &Ident{Table: a.Alias, Name: n.Axis}))
	s := &Select{Limit: -1}
	for _, k := range n.Keys {
		on = Bin("AND", on, Bin("IS NOT DISTINCT FROM", &Ident{Table: cross.Alias, Name: k}, &Ident{Table: a.Alias, Name: k}))
		s.Items = append(s.Items, SelectItem{X: &Ident{Table: cross.Alias, Name: k}, Alias: k})
		s.GroupBy = append(s.GroupBy, &Ident{Table: cross.Alias, Name: k})
	}
	if len(n.Keys) == 0 {
		s.GroupBy = []Expr{&Ident{Table: cross.Alias, Name: "__g"}}
	}
	s.From = &Join{Kind: JoinLeft, L: cross, R: a, On: on}
	inTypes := map[string]schema.Type{}
	for _, c := range n.In.Columns() {
		inTypes[c.Name] = c.Type
	}
	for _, sc := range n.Series {
		v := Call("COALESCE", &Ident{Table: a.Alias, Name: sc.Name}, l.expr(sc.Default))
		s.Items = append(s.Items, SelectItem{X: chSeriesByBin(binCol, v, inTypes[sc.Name]), Alias: sc.Name})
	}
	s.Items = append(s.Items, SelectItem{X: chSeriesByBin(binCol, binCol, n.From.Type()), Alias: n.Axis})
	return s
}

// chSeriesByBin collects the JSON text of v (of type t) per bin of the group, in bin order,
// as a JSON array; a null is written as null (toJSONString would give null, which
// arrayStringConcat skips).
func chSeriesByBin(bin, v Expr, t schema.Type) Expr {
	pairs := Call("groupArray", Call("tuple", bin, Call("COALESCE", chJSONValue(v, t), Str("null"))))
	sorted := Call("arraySort", chLambda("__p", Call("tupleElement", ident("__p"), Int(1))), pairs)
	return chJSONArrayOf(Call("arrayMap", chLambda("__p", Call("tupleElement", ident("__p"), Int(2))), sorted))
}

// chSeriesBinCount is the number of bins from From up to (not including) To: the step
// divides the span rounded up, none when the span is empty.
func (l *lowerer) chSeriesBinCount(n *plan.MakeSeries) Expr {
	from, to, step := l.expr(n.From), l.expr(n.To), l.expr(n.Step)
	var span Expr
	switch n.From.Type() {
	case schema.TypeDatetime:
		span = Call("dateDiff", Str("microsecond"), from, to)
	case schema.TypeReal:
		return Call("toUInt64", Call("greatest", Call("ceil", Bin("/", Bin("-", to, from), step)), Int(0)))
	default:
		span = Bin("-", to, from)
	}
	return Call("toUInt64", Call("greatest", Call("intDiv", Bin("-", Bin("+", span, step), Int(1)), step), Int(0)))
}

// chSeriesBin is bin i of the axis: From + i * Step.
func (l *lowerer) chSeriesBin(n *plan.MakeSeries, i Expr) Expr {
	from, step := l.expr(n.From), l.expr(n.Step)
	if n.From.Type() == schema.TypeDatetime {
		return Call("addMicroseconds", from, Bin("*", Call("toInt64", i), step))
	}
	return &Cast{X: Bin("+", from, Bin("*", i, step)), T: n.From.Type()}
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// seriesBin is the bin column of the generated axis.
const seriesBin = "__bin"

// makeSeries crosses the distinct keys of the aggregated input with every
// bin of the axis, left-joins the aggregated rows, and collects each series
// (missing bins take the default) and the axis in bin order.
func (l *lowerer) makeSeries(n *plan.MakeSeries) Query {
	grid := &Select{Distinct: true, From: l.sub(l.node(n.In)), Limit: -1}
	for _, k := range n.Keys {
		grid.Items = append(grid.Items, SelectItem{X: &Ident{Name: k}})
	}
	if len(n.Keys) == 0 {
		grid.Items = []SelectItem{{X: &Lit{V: true, T: schema.TypeBool}, Alias: "__g"}}
	}
	g := l.sub(grid)
	bins := &TableFunc{Fn: Call("generate_series", l.expr(n.From), l.expr(n.To), l.expr(n.Step)), Alias: "r", Cols: []string{seriesBin}}
	binCol := &Ident{Table: "r", Name: seriesBin}
	cross := &Join{Kind: JoinInner, L: g, R: bins, On: Bin("<", binCol, l.expr(n.To))}
	a := l.sub(l.node(n.In))
	on := Expr(Bin("=", binCol, &Ident{Table: a.Alias, Name: n.Axis}))
	s := &Select{Limit: -1}
	for _, k := range n.Keys {
		on = Bin("AND", on, Bin("IS NOT DISTINCT FROM", &Ident{Table: g.Alias, Name: k}, &Ident{Table: a.Alias, Name: k}))
		s.Items = append(s.Items, SelectItem{X: &Ident{Table: g.Alias, Name: k}, Alias: k})
		s.GroupBy = append(s.GroupBy, &Ident{Table: g.Alias, Name: k})
	}
	if len(n.Keys) == 0 {
		s.GroupBy = []Expr{&Ident{Table: g.Alias, Name: "__g"}}
	}
	s.From = &Join{Kind: JoinLeft, L: cross, R: a, On: on}
	order := []Order{{X: binCol}}
	for _, sc := range n.Series {
		v := Call("COALESCE", &Ident{Table: a.Alias, Name: sc.Name}, l.expr(sc.Default))
		s.Items = append(s.Items, SelectItem{X: Call("to_json", &Func{Name: "list", Args: []Expr{v}, OrderBy: order}), Alias: sc.Name})
	}
	var axis Expr = binCol
	if n.From.Type() == schema.TypeDatetime {
		// Kusto renders datetimes in dynamic values as ISO 8601 with a Z.
		axis = Call("replace", Call("strftime", binCol, Str("%Y-%m-%dT%H:%M:%S.%fZ")), Str(".000000Z"), Str("Z"))
	}
	s.Items = append(s.Items, SelectItem{X: Call("to_json", &Func{Name: "list", Args: []Expr{axis}, OrderBy: order}), Alias: n.Axis})
	return s
}

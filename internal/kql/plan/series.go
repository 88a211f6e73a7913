package plan

import "github.com/vigilsec/vigil/internal/schema"

// SeriesCol is one series of a [MakeSeries]: the aggregate column of its
// input and the value of bins without rows.
type SeriesCol struct {
	Name    string
	Default Expr
}

// MakeSeries turns In, which is aggregated by Keys and the bin column Axis,
// into one row per key combination holding, for each series, a dynamic
// array with one element per bin From, From+Step, ... < To, and the array
// of the bins themselves in column Axis.
type MakeSeries struct {
	In     Node
	Keys   []string
	Series []SeriesCol
	Axis   string
	From   Expr
	To     Expr
	Step   Expr
}

// Columns returns the keys, the series, then the axis.
func (n *MakeSeries) Columns() []Column {
	types := map[string]schema.Type{}
	for _, c := range n.In.Columns() {
		types[c.Name] = c.Type
	}
	out := make([]Column, 0, len(n.Keys)+len(n.Series)+1)
	for _, k := range n.Keys {
		out = append(out, Column{Name: k, Type: types[k]})
	}
	for _, s := range n.Series {
		out = append(out, Column{Name: s.Name, Type: schema.TypeDynamic})
	}
	return append(out, Column{Name: n.Axis, Type: schema.TypeDynamic})
}

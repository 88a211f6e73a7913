package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// topNested ranks each level's groups within the groups of the level before
// (row_number over the aggregate), joins the levels on their shared keys
// (nulls equal, as Kusto groups them) and keeps the ranks within each N. The
// rows are ordered level by level by the aggregates.
func (l *lowerer) topNested(n *plan.TopNested) Query {
	s := &Select{Limit: -1}
	var from From
	subs := make([]*Subquery, len(n.Levels))
	for i, lv := range n.Levels {
		cols := lv.Agg.Columns()
		subs[i] = l.sub(l.rankLevel(lv, cols, i))
		if i == 0 {
			from = subs[i]
		} else {
			var on Expr
			for k := 0; k < i; k++ {
				on = andAll(on, Bin("IS NOT DISTINCT FROM", &Ident{Table: subs[i-1].Alias, Name: cols[k].Name}, &Ident{Table: subs[i].Alias, Name: cols[k].Name}))
			}
			from = &Join{Kind: JoinInner, L: from, R: subs[i], On: on}
		}
		key, agg := &Ident{Table: subs[i].Alias, Name: cols[i].Name}, &Ident{Table: subs[i].Alias, Name: cols[i+1].Name}
		s.Items = append(s.Items, SelectItem{X: key, Alias: cols[i].Name}, SelectItem{X: agg, Alias: cols[i+1].Name})
		s.OrderBy = append(s.OrderBy, Order{X: agg, Desc: !lv.Asc, NullsFirst: lv.Asc})
		if lv.N >= 0 {
			s.Where = andAll(s.Where, Bin("<=", &Ident{Table: subs[i].Alias, Name: "__rn"}, &Lit{V: lv.N, T: schema.TypeLong}))
		}
	}
	s.From = from
	return s
}

// rankLevel is level i's aggregate with its rank among the groups sharing
// the keys of the levels before it.
func (l *lowerer) rankLevel(lv plan.TopLevel, cols []plan.Column, i int) Query {
	w := &Window{Fn: Call("row_number"), OrderBy: []Order{{X: &Ident{Name: cols[i+1].Name}, Desc: !lv.Asc, NullsFirst: lv.Asc}}}
	for k := 0; k < i; k++ {
		w.PartitionBy = append(w.PartitionBy, &Ident{Name: cols[k].Name})
	}
	s := l.over(lv.Agg)
	s.Items = append(s.Items, SelectItem{X: w, Alias: "__rn"})
	return s
}

func andAll(a, b Expr) Expr {
	if a == nil {
		return b
	}
	return Bin("AND", a, b)
}

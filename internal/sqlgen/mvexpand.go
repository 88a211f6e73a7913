package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// mvIndex is the hidden column holding the element index of an mv-expand.
const mvIndex = "__mvidx"

// mvexpand unnests the expanded arrays side by side (DuckDB pads the shorter
// ones with nulls); the index runs over the longest array. Typed columns,
// the index name and the row limit are applied by an outer SELECT.
func (l *lowerer) mvexpand(n *plan.MvExpand) Query {
	s := l.over(n.In)
	s.Items = nil
	var lens []Expr
	for _, c := range n.In.Columns() {
		to, ok := n.ElemType(c.Name)
		if !ok {
			s.Items = append(s.Items, SelectItem{X: &Ident{Name: c.Name}})
			continue
		}
		elems := mvElems(&Ident{Name: c.Name}, to == schema.TypeString)
		s.Items = append(s.Items, SelectItem{X: Call("unnest", elems), Alias: c.Name})
		lens = append(lens, Call("COALESCE", Call("len", elems), Int(0)))
	}
	needIndex := n.Index != "" || n.Limit > 0
	if needIndex {
		longest := lens[0]
		if len(lens) > 1 {
			longest = Call("greatest", lens...)
		}
		s.Items = append(s.Items, SelectItem{X: Call("unnest", Call("range", longest)), Alias: mvIndex})
	}
	if !needIndex && !needsCast(n) {
		return s
	}
	return l.mvOuter(n, s)
}

func needsCast(n *plan.MvExpand) bool {
	for _, c := range n.Cols {
		if c.To != schema.TypeString && c.To != schema.TypeDynamic {
			return true
		}
	}
	return false
}

// mvOuter casts typed elements, names the index and applies the limit.
func (l *lowerer) mvOuter(n *plan.MvExpand, inner *Select) Query {
	return l.mvSelect(n, inner, func(col string, to schema.Type) Expr {
		var x Expr = &Ident{Name: col}
		if to != schema.TypeString && to != schema.TypeDynamic {
			x = &Cast{X: Call("json_extract_string", x, Str("$")), T: to, Try: true}
		}
		return x
	})
}

// mvSelect is mv-expand's outer SELECT over the expanded rows, in both dialects: elem reads
// the element (of type to) of each expanded column, the index column is the element's
// index, and the limit keeps each row's first elements.
func (l *lowerer) mvSelect(n *plan.MvExpand, rows *Select, elem func(col string, to schema.Type) Expr) *Select {
	outer := &Select{From: l.sub(rows), Limit: -1}
	for _, c := range n.Columns() {
		var x Expr = &Ident{Name: c.Name}
		if to, ok := n.ElemType(c.Name); ok {
			x = elem(c.Name, to)
		}
		if c.Name == n.Index {
			x = &Ident{Name: mvIndex}
		}
		outer.Items = append(outer.Items, SelectItem{X: x, Alias: c.Name})
	}
	if n.Limit > 0 {
		outer.Where = Bin("<", &Ident{Name: mvIndex}, Int(n.Limit))
	}
	return outer
}

// mvApply joins each input row to a LATERAL subquery that expands the row's
// arrays (through [plan.OuterRow]) and runs the mv-apply subquery on them.
func (l *lowerer) mvApply(n *plan.MvApply) Query {
	o := l.sub(l.node(n.In))
	l.outer = append(l.outer, o.Alias)
	sub := l.sub(l.node(n.Sub))
	l.outer = l.outer[:len(l.outer)-1]
	sub.Lateral = true
	s := &Select{Limit: -1, From: &Join{Kind: JoinInner, L: o, R: sub, On: &Lit{V: true, T: schema.TypeBool}}}
	for _, c := range n.Keep {
		s.Items = append(s.Items, SelectItem{X: &Ident{Table: o.Alias, Name: c.Name}, Alias: c.Name})
	}
	for _, c := range n.Sub.Columns() {
		s.Items = append(s.Items, SelectItem{X: &Ident{Table: sub.Alias, Name: c.Name}, Alias: c.Name})
	}
	return s
}

// outerRow selects the expanded columns of the enclosing mv-apply's row.
func (l *lowerer) outerRow(n *plan.OuterRow) Query {
	alias := l.outer[len(l.outer)-1]
	s := &Select{Limit: -1}
	for _, c := range n.Cols {
		s.Items = append(s.Items, SelectItem{X: &Ident{Table: alias, Name: c.Name}, Alias: c.Name})
	}
	return s
}

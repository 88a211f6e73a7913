package sqlgen

import (
	"fmt"
	"strconv"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// ClickHouse has no LATERAL join, which the DuckDB lowering of mv-apply runs its subquery
// with. Instead each input row is numbered (__rid) and the subquery runs once over the
// expanded rows of all the input rows, rewritten so that no operator mixes two input rows:
// every projection carries the row number and the row's kept columns along, summarize groups
// by them too, and take/top keep their rows per input row (row_number partitioned by the row
// number). Operators that cannot be split so (summarize without by-columns, which yields a
// row even for an empty subtable; joins, unions, windows) are refused.

// chApplyRid is the column numbering the input rows of an mv-apply.
const chApplyRid = "__rid"

// chApplyRow is the input of the rewritten subquery: the mv-apply's input rows with their
// number and a hidden copy of each kept column.
type chApplyRow struct {
	in    plan.Node
	extra []plan.Column // __rid, then the copies of the kept columns
	keep  []plan.Column
}

// Columns returns the input's columns, then the row number and the kept copies.
func (n *chApplyRow) Columns() []plan.Column {
	return append(append([]plan.Column(nil), n.in.Columns()...), n.extra...)
}

// chApplyLimit keeps the first N rows (in the order of Keys, when given) of each input row.
type chApplyLimit struct {
	in   plan.Node
	keys []plan.SortKey
	n    int64
}

// Columns returns the input's columns.
func (n *chApplyLimit) Columns() []plan.Column { return n.in.Columns() }

func chKeepName(i int) string { return "__keep" + strconv.Itoa(i) }

func (l *lowerer) chMvApply(n *plan.MvApply) Query {
	row := &chApplyRow{in: n.In, keep: n.Keep, extra: []plan.Column{{Name: chApplyRid, Type: schema.TypeLong}}}
	for i, c := range n.Keep {
		row.extra = append(row.extra, plan.Column{Name: chKeepName(i), Type: c.Type})
	}
	s := &Select{From: l.sub(l.node(chApplySub(n.Sub, row))), Limit: -1}
	for i, c := range n.Keep {
		s.Items = append(s.Items, SelectItem{X: ident(chKeepName(i)), Alias: c.Name})
	}
	for _, c := range n.Sub.Columns() {
		s.Items = append(s.Items, SelectItem{X: ident(c.Name), Alias: c.Name})
	}
	return s
}

// chApplySub rewrites the mv-apply subquery n to run over the expanded rows of all input
// rows at once (see above).
func chApplySub(n plan.Node, row *chApplyRow) plan.Node {
	extraItems := func() []plan.Item {
		out := make([]plan.Item, len(row.extra))
		for i, c := range row.extra {
			out[i] = plan.Item{Name: c.Name, Expr: &plan.Col{Name: c.Name, T: c.Type}}
		}
		return out
	}
	switch n := n.(type) {
	case *plan.OuterRow:
		return row
	case *plan.MvExpand:
		c := *n
		c.In = chApplySub(n.In, row)
		return &c
	case *plan.Filter:
		c := *n
		c.In = chApplySub(n.In, row)
		return &c
	case *plan.Project:
		c := *n
		c.In = chApplySub(n.In, row)
		c.Items = append(append([]plan.Item(nil), n.Items...), extraItems()...)
		return &c
	case *plan.Aggregate:
		if len(n.Keys) == 0 {
			panic(unsupported("ClickHouse", "mv-apply with summarize without by-columns"))
		}
		c := *n
		c.In = chApplySub(n.In, row)
		c.Keys = append(append([]plan.Item(nil), n.Keys...), extraItems()...)
		return &c
	case *plan.Distinct:
		c := *n
		c.In = chApplySub(n.In, row)
		return &c
	case *plan.Sort:
		c := *n
		c.In = chApplySub(n.In, row)
		return &c
	case *plan.Limit:
		if srt, ok := n.In.(*plan.Sort); ok {
			return &chApplyLimit{in: chApplySub(srt.In, row), keys: srt.Keys, n: n.N}
		}
		return &chApplyLimit{in: chApplySub(n.In, row), n: n.N}
	}
	panic(unsupported("ClickHouse", fmt.Sprintf("mv-apply over %s", chPlanName(n))))
}

// chPlanName names a plan node's operator for an error message ("*plan.Join" -> "Join").
func chPlanName(n plan.Node) string {
	s := fmt.Sprintf("%T", n)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return s[i+1:]
		}
	}
	return s
}

// chApplyRowQuery numbers the input rows once (rowNumberInAllBlocks is evaluated here, before
// the rows are expanded) and copies the kept columns under hidden names.
func (l *lowerer) chApplyRowQuery(n *chApplyRow) Query {
	numbered := &Select{Items: []SelectItem{{X: &Star{}}, {X: Call("toInt64", Call("rowNumberInAllBlocks")), Alias: chApplyRid}}, From: l.sub(l.node(n.in)), Limit: -1}
	s := &Select{From: l.sub(numbered), Limit: -1}
	for _, c := range n.in.Columns() {
		s.Items = append(s.Items, SelectItem{X: ident(c.Name), Alias: c.Name})
	}
	s.Items = append(s.Items, SelectItem{X: ident(chApplyRid), Alias: chApplyRid})
	for i, c := range n.keep {
		s.Items = append(s.Items, SelectItem{X: ident(c.Name), Alias: chKeepName(i)})
	}
	return s
}

// chApplyLimitQuery ranks the rows of each input row and keeps the first n.
func (l *lowerer) chApplyLimitQuery(n *chApplyLimit) Query {
	ranked := l.over(n.in)
	w := &Window{Fn: Call("row_number"), PartitionBy: []Expr{ident(chApplyRid)}, OrderBy: l.orders(n.keys)}
	ranked.Items = append(ranked.Items, SelectItem{X: w, Alias: "__rn"})
	s := &Select{From: l.sub(ranked), Where: Bin("<=", ident("__rn"), Int(n.n)), Limit: -1}
	for _, c := range n.in.Columns() {
		s.Items = append(s.Items, SelectItem{X: ident(c.Name), Alias: c.Name})
	}
	return s
}

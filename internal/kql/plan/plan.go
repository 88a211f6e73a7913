package plan

import (
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Column is an output column of a node: its name and Kusto type.
type Column struct {
	Name string
	Type schema.Type
}

// Node is a relational operator. Columns returns the output columns in order.
type Node interface {
	Columns() []Column
}

// Item is a named expression of a projection or a grouping key.
type Item struct {
	Name string
	Expr Expr
}

// Scan reads a stored table. Tenant is required: every scan is restricted to
// one tenant's rows, and From/To (when not zero) restrict TimeGenerated to
// [From, To). AliasTime names columns that read another column when null
// (Timestamp falls back to TimeGenerated).
type Scan struct {
	Table  string
	Cols   []Column
	Hidden []Column // hidden columns also read (ingestion_time()); not in Columns()
	Tenant string
	// Tenants, when not empty, replaces Tenant: the scan reads the rows of
	// any of these tenants (a principal granted several).
	Tenants []string
	From    time.Time
	To      time.Time
	// IngestAfter and IngestThrough, when IngestThrough is not 0, restrict the scan to rows
	// of the bus messages in (IngestAfter, IngestThrough].
	IngestAfter, IngestThrough uint64
}

// Filter keeps the rows for which Pred is true.
type Filter struct {
	In   Node
	Pred Expr
}

// Project computes exactly Items from each input row.
type Project struct {
	In    Node
	Items []Item
}

// Agg is one aggregate of an [Aggregate]. Fn is the Kusto aggregate name.
// For arg_max and arg_min, Args[0] is the expression to maximize and Outs
// are the columns taken from the row where it is extreme.
type Agg struct {
	Name string
	Fn   string
	Args []Expr
	T    schema.Type
	Outs []Item
}

// Aggregate groups by Keys and computes Aggs; the output is the keys, then
// each aggregate (an arg_max contributes its by-column then its Outs).
type Aggregate struct {
	In   Node
	Keys []Item
	Aggs []Agg
}

// SortKey is one key of a [Sort].
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

// Sort orders rows by Keys.
type Sort struct {
	In   Node
	Keys []SortKey
}

// Limit keeps the first N rows.
type Limit struct {
	In Node
	N  int64
}

// Distinct removes duplicate rows.
type Distinct struct {
	In Node
}

// Union concatenates Inputs, each padded with nulls to Out. When Source is
// set, a first column of that name holds Names[i] for rows of Inputs[i].
type Union struct {
	Inputs []Node
	Names  []string
	Source string
	Out    []Column
}

// JoinKind is a Kusto join flavor.
type JoinKind string

// Kusto join kinds.
const (
	InnerUnique JoinKind = "innerunique"
	Inner       JoinKind = "inner"
	LeftOuter   JoinKind = "leftouter"
	RightOuter  JoinKind = "rightouter"
	FullOuter   JoinKind = "fullouter"
	LeftSemi    JoinKind = "leftsemi"
	LeftAnti    JoinKind = "leftanti"
	RightSemi   JoinKind = "rightsemi"
	RightAnti   JoinKind = "rightanti"
)

// Join matches Left and Right rows with equal keys. Out lists the output
// columns: for kinds that keep both sides, the left columns then the right
// ones, where RightNames[i] renames Right's i-th column (Kusto appends 1 to
// a name the left side already has).
type Join struct {
	Kind       JoinKind
	Left       Node
	Right      Node
	LeftKeys   []string
	RightKeys  []string
	RightNames []string
	Out        []Column
}

// MvCol is one expanded column of an [MvExpand]: its name and element type.
type MvCol struct {
	Name string
	To   schema.Type
}

// MvExpand turns each element of the dynamic arrays in Cols into a row; the
// arrays are expanded in parallel, the shorter ones padded with nulls. Index,
// when set, names an appended long column holding the 0-based element index;
// Limit, when positive, keeps at most that many rows per input row.
type MvExpand struct {
	In    Node
	Cols  []MvCol
	Index string
	Limit int64
}

// Values is a constant table (datatable, print).
type Values struct {
	Cols []Column
	Rows [][]Expr
}

// Range is the single column Col running from From to To (inclusive) by Step.
type Range struct {
	Col  Column
	From Expr
	To   Expr
	Step Expr
}

// Columns returns the scanned columns.
func (n *Scan) Columns() []Column { return n.Cols }

// Columns returns the input's columns.
func (n *Filter) Columns() []Column { return n.In.Columns() }

// Columns returns the projected items.
func (n *Project) Columns() []Column {
	out := make([]Column, len(n.Items))
	for i, it := range n.Items {
		out[i] = Column{it.Name, it.Expr.Type()}
	}
	return out
}

// Columns returns the keys then the aggregates.
func (n *Aggregate) Columns() []Column {
	out := make([]Column, 0, len(n.Keys)+len(n.Aggs))
	for _, k := range n.Keys {
		out = append(out, Column{k.Name, k.Expr.Type()})
	}
	for _, a := range n.Aggs {
		out = append(out, Column{a.Name, a.T})
		for _, o := range a.Outs {
			out = append(out, Column{o.Name, o.Expr.Type()})
		}
	}
	return out
}

// Columns returns the input's columns.
func (n *Sort) Columns() []Column { return n.In.Columns() }

// Columns returns the input's columns.
func (n *Limit) Columns() []Column { return n.In.Columns() }

// Columns returns the input's columns.
func (n *Distinct) Columns() []Column { return n.In.Columns() }

// Columns returns the union's columns.
func (n *Union) Columns() []Column { return n.Out }

// Columns returns the join's columns.
func (n *Join) Columns() []Column { return n.Out }

// Columns returns the input's columns with the expanded ones retyped, then
// the index column.
func (n *MvExpand) Columns() []Column {
	in := n.In.Columns()
	out := make([]Column, len(in), len(in)+1)
	copy(out, in)
	for i := range out {
		if t, ok := n.ElemType(out[i].Name); ok {
			out[i].Type = t
		}
	}
	if n.Index != "" {
		out = append(out, Column{Name: n.Index, Type: schema.TypeLong})
	}
	return out
}

// ElemType returns the element type of the expanded column name.
func (n *MvExpand) ElemType(name string) (schema.Type, bool) {
	for _, c := range n.Cols {
		if c.Name == name {
			return c.To, true
		}
	}
	return schema.TypeInvalid, false
}

// Columns returns the constant table's columns.
func (n *Values) Columns() []Column { return n.Cols }

// Columns returns the range column.
func (n *Range) Columns() []Column { return []Column{n.Col} }

// Ordered reports whether n's output rows come in a defined order: a sort,
// possibly followed by operators that keep order.
func Ordered(n Node) bool {
	switch n := n.(type) {
	case *Sort:
		return true
	case *Filter:
		return Ordered(n.In)
	case *Project:
		return Ordered(n.In)
	case *Limit:
		return Ordered(n.In)
	case *Serialize:
		return Ordered(n.In)
	case *Range:
		return true
	case *Values:
		return len(n.Rows) <= 1
	}
	return false
}

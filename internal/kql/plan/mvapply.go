package plan

// OuterRow is the current row of the enclosing [MvApply]: the columns its
// subquery expands. It is only valid inside MvApply.Sub.
type OuterRow struct {
	Cols []Column
}

// Columns returns the outer row's expanded columns.
func (n *OuterRow) Columns() []Column { return n.Cols }

// MvApply runs Sub once per row of In, over that row's expanded arrays (Sub
// starts from an [MvExpand] of an [OuterRow]), and pairs each result row
// with the row's columns Keep (those not expanded).
type MvApply struct {
	In   Node
	Keep []Column
	Sub  Node
}

// Columns returns the kept columns then the subquery's columns.
func (n *MvApply) Columns() []Column {
	return append(append([]Column(nil), n.Keep...), n.Sub.Columns()...)
}

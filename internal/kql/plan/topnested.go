package plan

// TopLevel is one level of a [TopNested]: Agg groups the input by the keys
// of this level and every level before it (its first Depth+1 columns are
// the keys, the next one the aggregate); N, when not negative, keeps that
// many groups per group of the previous level, ordered by the aggregate.
type TopLevel struct {
	Agg Node
	N   int64
	Asc bool
}

// TopNested is top-nested: for each level, the kept key and its aggregate.
type TopNested struct {
	Levels []TopLevel
}

// Columns returns each level's key and aggregate columns.
func (n *TopNested) Columns() []Column {
	out := make([]Column, 0, 2*len(n.Levels))
	for i, lv := range n.Levels {
		cols := lv.Agg.Columns()
		out = append(out, cols[i], cols[i+1])
	}
	return out
}

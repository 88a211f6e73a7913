package schema

import "strings"

// builtinTable is one generated table: its columns as "Name:type" pairs joined by commas.
type builtinTable struct {
	name string
	kind Kind
	cols string
}

func (b builtinTable) columns() []ColumnDef {
	parts := strings.Split(b.cols, ",")
	out := make([]ColumnDef, 0, len(parts))
	for _, p := range parts {
		name, typ, _ := strings.Cut(p, ":")
		out = append(out, ColumnDef{Name: name, Type: typ})
	}
	return out
}

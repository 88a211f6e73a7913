package plan

import (
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// Serialize marks its input's rows as serialized: window functions may run
// over them in their current order.
type Serialize struct {
	In Node
}

// Columns returns the input's columns.
func (n *Serialize) Columns() []Column { return n.In.Columns() }

// Window is a window function (prev, next, row_number, row_cumsum) over
// serialized rows. Order is the sort that serialized them; empty means the
// rows' current order (a datatable, or serialize over unsorted rows).
type Window struct {
	Fn    string
	Args  []Expr
	Order []SortKey
	T     schema.Type
}

// Type returns the function's result type.
func (w *Window) Type() schema.Type { return w.T }

func (w *Window) String() string {
	parts := make([]string, len(w.Args))
	for i, a := range w.Args {
		parts[i] = a.String()
	}
	keys := make([]string, len(w.Order))
	for i, k := range w.Order {
		keys[i] = k.Expr.String()
		if k.Desc {
			keys[i] += " desc"
		}
	}
	return w.Fn + "(" + strings.Join(parts, ", ") + ") over (" + strings.Join(keys, ", ") + ")"
}

// HasWindow reports whether x contains a [Window] call and returns the
// order of the first one.
func HasWindow(x Expr) ([]SortKey, bool) {
	switch x := x.(type) {
	case *Window:
		return x.Order, true
	case *Call:
		for _, a := range x.Args {
			if o, ok := HasWindow(a); ok {
				return o, true
			}
		}
	}
	return nil, false
}

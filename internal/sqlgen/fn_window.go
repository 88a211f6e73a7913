package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// windowSQL lowers the arguments of one window function to a SQL window
// function; frame, when set, is the window frame clause.
type windowSQL func(a []Expr, in []plan.Expr, out schema.Type) (fn *Func, frame string, wrap func(Expr) Expr)

// windowFuncs lowers Kusto's window functions; the order comes from the plan.
var windowFuncs = map[string]windowSQL{
	"prev": func(a []Expr, _ []plan.Expr, out schema.Type) (*Func, string, func(Expr) Expr) {
		return Call("lag", a[0], a[1], &Cast{X: a[2], T: out}), "", nil
	},
	"next": func(a []Expr, _ []plan.Expr, out schema.Type) (*Func, string, func(Expr) Expr) {
		return Call("lead", a[0], a[1], &Cast{X: a[2], T: out}), "", nil
	},
	"row_number": func(a []Expr, _ []plan.Expr, _ schema.Type) (*Func, string, func(Expr) Expr) {
		return Call("row_number"), "", func(x Expr) Expr { return Bin("+", x, Bin("-", &Cast{X: a[0], T: schema.TypeLong}, Int(1))) }
	},
	"row_cumsum": func(a []Expr, _ []plan.Expr, out schema.Type) (*Func, string, func(Expr) Expr) {
		wrap := func(x Expr) Expr { return &Cast{X: x, T: out} }
		return Call("sum", a[0]), "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", wrap
	},
}

func (l *lowerer) window(w *plan.Window) Expr {
	fns := l.d.windows
	if fns == nil {
		fns = windowFuncs
	}
	f, ok := fns[w.Fn]
	if !ok {
		panic(l.d.unsupported("window function " + w.Fn))
	}
	args := make([]Expr, len(w.Args))
	for i, a := range w.Args {
		args[i] = l.expr(a)
	}
	fn, frame, wrap := f(args, w.Args, w.T)
	var x Expr = &Window{Fn: fn, OrderBy: l.orders(w.Order), Frame: frame}
	if wrap != nil {
		x = wrap(x)
	}
	return x
}

// windowOrder returns the order of the first window function among xs.
func windowOrder(xs ...plan.Expr) ([]plan.SortKey, bool) {
	for _, x := range xs {
		if o, ok := plan.HasWindow(x); ok {
			return o, true
		}
	}
	return nil, false
}

// keepOrder orders a SELECT holding window functions by the window order, so
// its rows stay serialized. It orders by row_number() over that order rather
// than by the keys because a key's name may be an output alias of the SELECT.
func (l *lowerer) keepOrder(order []plan.SortKey) []Order {
	if len(order) == 0 {
		return nil
	}
	return []Order{{X: &Window{Fn: Call("row_number"), OrderBy: l.orders(order)}}}
}

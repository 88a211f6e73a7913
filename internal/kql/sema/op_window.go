package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// windowFn checks the arguments of one window function and returns the
// window call without its order.
type windowFn func(c *checker, e *syntax.CallExpr, args []plan.Expr) *plan.Window

// windowFns is the table of window functions; they need serialized rows.
var windowFns = map[string]windowFn{
	"prev":       checkPrevNext,
	"next":       checkPrevNext,
	"row_number": checkRowNumber,
	"row_cumsum": checkRowCumsum,
}

// checkSerialize marks the rows serialized and computes its optional columns.
func checkSerialize(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	s := op.(*syntax.SerializeOp)
	n := plan.Node(&plan.Serialize{In: in})
	if len(s.Columns) == 0 {
		return n
	}
	return checkExtend(c, n, &syntax.ExtendOp{Span: s.Span, Columns: s.Columns})
}

// serialOrder returns the order of n's rows when they are serialized: the
// keys of the sort that serialized them, or none when they keep the order
// of a serialize or datatable. ok is false when the rows are not serialized.
func serialOrder(n plan.Node) (keys []plan.SortKey, ok bool) {
	switch n := n.(type) {
	case *plan.Sort:
		return n.Keys, true
	case *plan.Limit:
		return serialOrder(n.In)
	case *plan.Filter:
		return serialOrder(n.In)
	case *plan.Serialize:
		if keys, ok := serialOrder(n.In); ok {
			return keys, true
		}
		return nil, true
	case *plan.Project:
		keys, ok := serialOrder(n.In)
		if !ok {
			return nil, false
		}
		if keys, ok := projectKeys(keys, n.Items); ok {
			return keys, true
		}
		return nil, false
	case *plan.Range:
		return []plan.SortKey{{Expr: &plan.Col{Name: n.Col.Name, T: n.Col.Type}}}, true
	case *plan.Values:
		return nil, true
	}
	return nil, false
}

// sortedBefore reports whether n's rows were serialized by a sort before a
// projection lost the sort's key columns.
func sortedBefore(n plan.Node) bool {
	switch n := n.(type) {
	case *plan.Sort, *plan.Range:
		return true
	case *plan.Limit:
		return sortedBefore(n.In)
	case *plan.Filter:
		return sortedBefore(n.In)
	case *plan.Serialize:
		return sortedBefore(n.In)
	case *plan.Project:
		return sortedBefore(n.In)
	}
	return false
}

// projectKeys rewrites sort keys over a projection's input to its output:
// a key column must pass through (possibly renamed). ok is false when one
// was projected away.
func projectKeys(keys []plan.SortKey, items []plan.Item) ([]plan.SortKey, bool) {
	out := make([]plan.SortKey, len(keys))
	for i, k := range keys {
		x, ok := renameCols(k.Expr, items)
		if !ok {
			return nil, false
		}
		out[i] = plan.SortKey{Expr: x, Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	return out, true
}

func renameCols(x plan.Expr, items []plan.Item) (plan.Expr, bool) {
	switch x := x.(type) {
	case *plan.Col:
		for _, it := range items {
			if col, ok := it.Expr.(*plan.Col); ok && col.Name == x.Name {
				return &plan.Col{Name: it.Name, T: x.T}, true
			}
		}
		return nil, false
	case *plan.Call:
		args := make([]plan.Expr, len(x.Args))
		for i, a := range x.Args {
			y, ok := renameCols(a, items)
			if !ok {
				return nil, false
			}
			args[i] = y
		}
		return &plan.Call{Fn: x.Fn, Args: args, T: x.T}, true
	}
	return x, true
}

// window checks a window function call in scope s.
func (c *checker) window(e *syntax.CallExpr, f windowFn, s *scope) plan.Expr {
	if s == nil || s.in == nil {
		c.errorf(e, "%s() can be used only in extend, project or where over serialized rows", e.Name.Name)
		return bad()
	}
	keys, ok := serialOrder(s.in)
	if !ok && sortedBefore(s.in) {
		c.errorf(e, "%s(): the columns the rows were sorted by were replaced or projected away before this point; keep them to use window functions", e.Name.Name)
		return bad()
	}
	if !ok {
		c.errorf(e, "%s() needs serialized rows: add '| serialize' or '| sort by ...' before this operator (summarize, join, union, distinct and mv-expand do not keep a row order)", e.Name.Name)
		return bad()
	}
	args := make([]plan.Expr, len(e.Args))
	for i, a := range e.Args {
		args[i] = c.expr(a, s)
		if isBad(args[i]) {
			return bad()
		}
	}
	w := f(c, e, args)
	if w == nil {
		return bad()
	}
	w.Fn, w.Order = e.Name.Name, keys
	return w
}

// checkPrevNext checks prev(x [, offset [, default]]) and next(...). Without
// a default the value past the edge is null, which for a string is ”.
func checkPrevNext(c *checker, e *syntax.CallExpr, args []plan.Expr) *plan.Window {
	if len(args) < 1 || len(args) > 3 {
		c.errorf(e, "%s() takes 1 to 3 arguments, not %d", e.Name.Name, len(args))
		return nil
	}
	x := args[0]
	off := plan.Expr(plan.Long(1))
	if len(args) > 1 {
		k, ok := args[1].(*plan.Const)
		if !ok || !isNumeric(k.T) {
			c.errorf(e.Args[1], "the offset of %s() must be a constant integer", e.Name.Name)
			return nil
		}
		off = k
	}
	def := plan.Expr(&plan.Const{V: nullOf(x.Type()), T: x.Type()})
	if len(args) > 2 {
		def = args[2]
		if x2, d2 := unify(x, def); common(x2, d2) == schema.TypeInvalid {
			c.errorf(e.Args[2], "the default of %s() must be a %s, not %s", e.Name.Name, x.Type(), def.Type())
			return nil
		}
	}
	return &plan.Window{Args: []plan.Expr{x, off, def}, T: x.Type()}
}

// checkRowNumber checks row_number([start]); the restart form is not supported.
func checkRowNumber(c *checker, e *syntax.CallExpr, args []plan.Expr) *plan.Window {
	if len(args) > 1 {
		c.errorf(e, "row_number() with a restart predicate is not supported yet")
		return nil
	}
	start := plan.Expr(plan.Long(1))
	if len(args) == 1 {
		if !isNumeric(args[0].Type()) {
			c.errorf(e.Args[0], "argument 1 of row_number() must be a number, not %s", args[0].Type())
			return nil
		}
		start = args[0]
	}
	return &plan.Window{Args: []plan.Expr{start}, T: schema.TypeLong}
}

// checkRowCumsum checks row_cumsum(term); the restart form is not supported.
func checkRowCumsum(c *checker, e *syntax.CallExpr, args []plan.Expr) *plan.Window {
	if len(args) != 1 {
		if len(args) == 2 {
			c.errorf(e, "row_cumsum() with a restart predicate is not supported yet")
		} else {
			c.errorf(e, "row_cumsum() takes 1 argument, not %d", len(args))
		}
		return nil
	}
	x := convert(args[0], schema.TypeReal)
	if !isNumeric(x.Type()) && x.Type() != schema.TypeTimespan {
		c.errorf(e.Args[0], "argument 1 of row_cumsum() must be a number, not %s", x.Type())
		return nil
	}
	return &plan.Window{Args: []plan.Expr{x}, T: x.Type()}
}

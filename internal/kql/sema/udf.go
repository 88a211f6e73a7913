package sema

import (
	"maps"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// User-defined functions (let f = (params) { body }) are expanded at each
// call: the arguments are checked in the caller, bound to the parameter
// names (scalars inline, tables as let-bound tables) and the body is checked
// with those bindings. A scalar body sees only its parameters and the
// enclosing lets, never the caller's columns, as in Kusto.

// maxCallDepth bounds nested function expansion (Kusto has no recursion).
const maxCallDepth = 16

// bindings is the let environment a function body is checked in.
type bindings struct {
	scalars map[string]plan.Expr
	tables  map[string]plan.Node
	funcs   map[string]*syntax.FuncExpr
}

func (c *checker) saveBindings() bindings {
	return bindings{maps.Clone(c.scalars), maps.Clone(c.tables), maps.Clone(c.funcs)}
}

func (c *checker) restoreBindings(b bindings) {
	c.scalars, c.tables, c.funcs = b.scalars, b.tables, b.funcs
}

// bindArgs checks a call's arguments against f's parameters and binds them;
// in is the input of invoke, bound to the first (tabular) parameter. The
// caller restores the bindings afterwards.
func (c *checker) bindArgs(e *syntax.CallExpr, f *syntax.FuncExpr, in plan.Node, s *scope) bool {
	params := f.Params
	if in != nil {
		if len(params) == 0 || !params[0].Tabular {
			c.errorf(e, "invoke needs a function whose first parameter is tabular")
			return false
		}
		c.tables[params[0].Name.Name] = in
		params = params[1:]
	}
	slots, ok := c.udfSlots(e, params)
	if !ok {
		return false
	}
	vals := make([]plan.Expr, len(params))
	for i, p := range params {
		if p.Tabular {
			c.errorf(p, "a tabular parameter is only supported as the first parameter of a function used with invoke")
			return false
		}
		var at syntax.Node = e
		switch {
		case i < len(slots) && slots[i] != nil:
			vals[i], at = c.expr(slots[i], s), slots[i]
		case p.Default != nil:
			vals[i] = c.expr(p.Default, nil)
		default:
			c.errorf(e, "%s() needs a value for parameter '%s'", e.Name.Name, p.Name.Name)
			return false
		}
		if isBad(vals[i]) || !c.checkParam(e, at, i, p, &vals[i]) {
			return false
		}
	}
	for i, p := range params {
		delete(c.tables, p.Name.Name)
		c.scalars[p.Name.Name] = vals[i]
	}
	return true
}

// udfSlots places a call's arguments on the parameters of a user-defined
// function: in order, or by name as in f(b = 3, a = 1), with the checks and
// messages of named arguments to built-in functions (fn_named.go). Parameter
// names compare case-sensitively, as Kusto names do. A nil slot is a
// parameter not given, which takes its default.
func (c *checker) udfSlots(e *syntax.CallExpr, params []*syntax.Param) ([]syntax.Expr, bool) {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name.Name
	}
	slots, ok := c.placeArgs(e.Args, e.Name.Name, names, func(a, b string) bool { return a == b })
	if ok && len(slots) > len(params) {
		c.errorf(e, "%s() takes at most %d argument%s, not %d", e.Name.Name, len(params), plural(len(params)), len(slots))
		return nil, false
	}
	return slots, ok
}

// checkParam converts v, the value of the i-th parameter p, to p's declared
// type where Kusto would and reports a mismatch at at (the argument, or the
// call when the default is taken).
func (c *checker) checkParam(e *syntax.CallExpr, at syntax.Node, i int, p *syntax.Param, v *plan.Expr) bool {
	if p.Type == "" {
		return true
	}
	want, err := schema.ParseType(p.Type)
	if err != nil {
		c.errorf(p, "unknown type '%s' of parameter '%s'", p.Type, p.Name.Name)
		return false
	}
	x := convert(*v, want)
	got := x.Type()
	switch {
	case got == want || isNullConst(x):
	case isNumeric(got) && isNumeric(want):
		x = &plan.Call{Fn: "to" + want.String(), Args: []plan.Expr{x}, T: want}
		if want == schema.TypeInt {
			x.(*plan.Call).Fn = "toint"
		}
	default:
		c.errorf(at, "argument %d of %s() must be %s, not %s", i+1, e.Name.Name, want, got)
		return false
	}
	*v = x
	return true
}

// bodyValue checks the body's local lets and returns its final expression.
func (c *checker) bodyValue(f *syntax.FuncExpr) syntax.Expr {
	var last syntax.Expr
	for _, st := range f.Body {
		switch st := st.(type) {
		case *syntax.LetStmt:
			c.let(st)
		case *syntax.ExprStmt:
			last = st.X
		default:
		}
	}
	if last == nil {
		c.errorf(f, "the function body has no value")
	}
	return last
}

// enter guards against runaway expansion; leave must follow a true result.
func (c *checker) enter(e syntax.Node) bool {
	if c.depth >= maxCallDepth {
		c.errorf(e, "functions are nested more than %d deep (recursion is not allowed)", maxCallDepth)
		return false
	}
	c.depth++
	return true
}

// callScalarUDF expands a scalar function call in scope s.
func (c *checker) callScalarUDF(e *syntax.CallExpr, f *syntax.FuncExpr, s *scope) plan.Expr {
	if !c.enter(e) {
		return bad()
	}
	saved := c.saveBindings()
	defer func() { c.restoreBindings(saved); c.depth-- }()
	if !c.bindArgs(e, f, nil, s) {
		return bad()
	}
	body := c.bodyValue(f)
	if body == nil {
		return bad()
	}
	if _, tab := body.(*syntax.TabularExpr); tab {
		c.errorf(e, "%s() is a tabular function; it cannot be used as a scalar", e.Name.Name)
		return bad()
	}
	return c.expr(body, nil)
}

// callTabularUDF expands a tabular function call; in is invoke's input.
func (c *checker) callTabularUDF(e *syntax.CallExpr, f *syntax.FuncExpr, in plan.Node) plan.Node {
	if !c.enter(e) {
		return nil
	}
	saved := c.saveBindings()
	defer func() { c.restoreBindings(saved); c.depth-- }()
	if !c.bindArgs(e, f, in, nil) {
		return nil
	}
	body := c.bodyValue(f)
	if body == nil {
		return nil
	}
	tab, ok := body.(*syntax.TabularExpr)
	if !ok {
		c.errorf(e, "%s() is a scalar function; it cannot be used as a table", e.Name.Name)
		return nil
	}
	return c.pipeline(tab.Query)
}

// checkCallSource checks a call used as a table: materialize(T) or a
// user-defined tabular function.
func checkCallSource(c *checker, src syntax.Source) plan.Node {
	call := src.(*syntax.CallSource).Call
	if n, ok := c.materialize(call); ok {
		return n
	}
	f, ok := c.funcs[call.Name.Name]
	if !ok && call.Name.Name == "table" {
		return c.tableCall(call)
	}
	if !ok && call.Name.Name == "_GetWatchlist" {
		return c.watchlistCall(call)
	}
	if !ok {
		c.errorf(call.Name, "unknown tabular function '%s'", call.Name.Name)
		return nil
	}
	return c.callTabularUDF(call, f, nil)
}

// tableCall checks table(name): name must be a constant string, such as a
// string parameter of the enclosing function bound to a constant by its
// caller; it then names a stored or let-bound table as a bare name would.
func (c *checker) tableCall(call *syntax.CallExpr) plan.Node {
	if len(call.Args) != 1 {
		c.errorf(call, "table() takes 1 argument, not %d", len(call.Args))
		return nil
	}
	x := c.expr(call.Args[0], nil)
	if isBad(x) {
		return nil
	}
	var name string
	if k, ok := x.(*plan.Const); ok {
		name, _ = k.V.(string)
	}
	if name == "" {
		c.errorf(call.Args[0], "the argument of table() must be a constant string")
		return nil
	}
	return c.tableRef(&syntax.TableRef{Span: call.Span, Name: name})
}

// tabularFunc reports whether f's body ends in a tabular expression, without
// checking it.
func tabularFunc(f *syntax.FuncExpr) bool {
	for i := len(f.Body) - 1; i >= 0; i-- {
		if st, ok := f.Body[i].(*syntax.ExprStmt); ok {
			_, tab := st.X.(*syntax.TabularExpr)
			return tab
		}
	}
	return false
}

// materialize checks materialize(T); DuckDB plans the reuse itself, so the
// value is T. ok is false when call is not materialize.
func (c *checker) materialize(call *syntax.CallExpr) (plan.Node, bool) {
	if call.Name.Name != "materialize" {
		return nil, false
	}
	if len(call.Args) != 1 {
		c.errorf(call, "materialize() takes 1 argument, not %d", len(call.Args))
		return nil, true
	}
	tab, ok := call.Args[0].(*syntax.TabularExpr)
	if !ok {
		c.errorf(call.Args[0], "the argument of materialize() must be a tabular expression")
		return nil, true
	}
	return c.pipeline(tab.Query), true
}

// checkInvoke plans invoke f(args): f's first parameter is the input.
func checkInvoke(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	call := op.(*syntax.InvokeOp).Call
	f, ok := c.funcs[call.Name.Name]
	if !ok {
		c.errorf(call.Name, "unknown function '%s'; invoke needs a function defined with let", call.Name.Name)
		return nil
	}
	return c.callTabularUDF(call, f, in)
}

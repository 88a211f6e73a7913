package sema

import (
	"encoding/json"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// binChecker checks the operands of a binary operator and returns the call.
type binChecker func(c *checker, e *syntax.BinaryExpr, x, y plan.Expr) plan.Expr

// binaryOps is the table of binary operators.
var binaryOps = buildBinaryOps()

func buildBinaryOps() map[string]binChecker {
	binaryOps := map[string]binChecker{}
	for _, op := range []string{"==", "!=", "<", "<=", ">", ">="} {
		binaryOps[op] = checkCompare
	}
	binaryOps["<>"] = checkCompare
	for _, op := range []string{"and", "or"} {
		binaryOps[op] = checkLogic
	}
	for _, op := range []string{"+", "-", "*", "/", "%"} {
		binaryOps[op] = checkArith
	}
	for _, op := range []string{"=~", "!~", "has", "has_cs", "hasprefix", "hassuffix", "hasprefix_cs", "hassuffix_cs",
		"contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs"} {
		binaryOps[op] = checkStringOp
		if op[0] != '!' && op != "=~" {
			binaryOps["!"+op] = checkStringOp
		}
	}
	binaryOps["matches regex"] = checkStringOp
	return binaryOps
}

func (c *checker) binary(e *syntax.BinaryExpr, s *scope) plan.Expr {
	chk, ok := binaryOps[e.Op]
	if !ok {
		c.errorf(e, "operator '%s' is not supported", e.Op)
		return bad()
	}
	x, y := c.expr(e.X, s), c.expr(e.Y, s)
	if isBad(x) || isBad(y) {
		return bad()
	}
	return chk(c, e, x, y)
}

func checkCompare(c *checker, e *syntax.BinaryExpr, x, y plan.Expr) plan.Expr {
	eq := e.Op == "==" || e.Op == "!=" || e.Op == "<>"
	x, y = unifyCompare(x, y, eq)
	op := e.Op
	if op == "<>" {
		op = "!="
	}
	if !comparable(x.Type(), y.Type()) && !isNullConst(x) && !isNullConst(y) {
		hint := ""
		if eq {
			hint = compareHint(x, y)
		}
		c.errorf(e, "cannot compare %s and %s with '%s'%s", x.Type(), y.Type(), e.Op, hint)
		return bad()
	}
	return &plan.Call{Fn: op, Args: []plan.Expr{x, y}, T: schema.TypeBool}
}

func isNullConst(x plan.Expr) bool {
	k, ok := x.(*plan.Const)
	return ok && k.V == nil
}

func checkLogic(c *checker, e *syntax.BinaryExpr, x, y plan.Expr) plan.Expr {
	x, y = convert(x, schema.TypeBool), convert(y, schema.TypeBool)
	if x.Type() != schema.TypeBool || y.Type() != schema.TypeBool {
		c.errorf(e, "'%s' needs bool operands, not %s and %s", e.Op, x.Type(), y.Type())
		return bad()
	}
	return &plan.Call{Fn: e.Op, Args: []plan.Expr{x, y}, T: schema.TypeBool}
}

func checkArith(c *checker, e *syntax.BinaryExpr, x, y plan.Expr) plan.Expr {
	if x.Type() == schema.TypeDynamic {
		x = convert(x, schema.TypeReal)
	}
	if y.Type() == schema.TypeDynamic {
		y = convert(y, schema.TypeReal)
	}
	t := arithType(e.Op, x.Type(), y.Type())
	if t == schema.TypeInvalid {
		c.errorf(e, "cannot apply '%s' to %s and %s", e.Op, x.Type(), y.Type())
		return bad()
	}
	return &plan.Call{Fn: e.Op, Args: []plan.Expr{x, y}, T: t}
}

// arithType applies Kusto's rules for arithmetic types.
func arithType(op string, a, b schema.Type) schema.Type {
	const (
		dt = schema.TypeDatetime
		ts = schema.TypeTimespan
	)
	switch {
	case isNumeric(a) && isNumeric(b):
		return numericResult(a, b)
	case a == dt && b == dt && op == "-":
		return ts
	case a == dt && b == ts && (op == "+" || op == "-"):
		return dt
	case a == ts && b == dt && op == "+":
		return dt
	case a == ts && b == ts && (op == "+" || op == "-"):
		return ts
	case a == ts && b == ts && op == "/":
		return schema.TypeReal
	case a == ts && isNumeric(b) && (op == "*" || op == "/"):
		return ts
	case isNumeric(a) && b == ts && op == "*":
		return ts
	}
	return schema.TypeInvalid
}

func checkStringOp(c *checker, e *syntax.BinaryExpr, x, y plan.Expr) plan.Expr {
	x, y = toStringArg(x), toStringArg(y)
	if x.Type() != schema.TypeString || y.Type() != schema.TypeString {
		c.errorf(e, "'%s' needs string operands, not %s and %s", e.Op, x.Type(), y.Type())
		return bad()
	}
	return &plan.Call{Fn: e.Op, Args: []plan.Expr{x, y}, T: schema.TypeBool}
}

// toStringArg converts a non-string value where Kusto converts implicitly
// (dynamic, and numbers and guids on the left of string operators).
func toStringArg(x plan.Expr) plan.Expr {
	switch x.Type() {
	case schema.TypeString, schema.TypeInvalid, schema.TypeBool:
		return x
	default:
	}
	return &plan.Call{Fn: "tostring", Args: []plan.Expr{x}, T: schema.TypeString}
}

func (c *checker) in(e *syntax.InExpr, s *scope) plan.Expr {
	x := c.expr(e.X, s)
	if q, ok := c.inSubquery(e, s); ok {
		return c.inQuery(e, x, q)
	}
	args := []plan.Expr{x}
	for _, el := range e.List {
		if _, ok := el.(*syntax.TabularExpr); ok {
			c.errorf(el, "a subquery in '%s' must be the only element of the list", e.Op)
			return bad()
		}
		v := c.expr(el, s)
		if k, ok := v.(*plan.Const); ok && k.T == schema.TypeDynamic && k.V != nil && strings.HasPrefix(k.V.(string), "[") {
			elems, ok := arrayConsts(k.V.(string))
			if !ok {
				c.errorf(el, "the dynamic array in '%s' must hold only strings, numbers and bools", e.Op)
				return bad()
			}
			args = append(args, elems...)
			continue
		}
		args = append(args, v)
	}
	for _, a := range args {
		if isBad(a) {
			return bad()
		}
	}
	if len(args) == 1 { // an empty dynamic array: nothing is in it
		return plan.Bool(strings.HasPrefix(e.Op, "!"))
	}
	strOp := strings.HasSuffix(e.Op, "~") || strings.HasPrefix(e.Op, "has")
	for i := range args {
		if strOp {
			args[i] = toStringArg(args[i])
		} else if i > 0 {
			args[0], args[i] = unifyCompare(args[0], args[i], true)
		}
	}
	for i, a := range args[1:] {
		if !comparable(args[0].Type(), a.Type()) && !isNullConst(a) {
			c.errorf(e.List[i], "cannot compare %s and %s with '%s'%s", args[0].Type(), a.Type(), e.Op, compareHint(args[0], a))
			return bad()
		}
	}
	return &plan.Call{Fn: e.Op, Args: args, T: schema.TypeBool}
}

// arrayConsts returns the elements of a constant JSON array of scalars.
func arrayConsts(text string) ([]plan.Expr, bool) {
	var elems []any
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	if err := d.Decode(&elems); err != nil {
		return nil, false
	}
	out := make([]plan.Expr, 0, len(elems))
	for _, e := range elems {
		switch v := e.(type) {
		case string:
			out = append(out, plan.Str(v))
		case bool:
			out = append(out, plan.Bool(v))
		case json.Number:
			if n, err := v.Int64(); err == nil {
				out = append(out, plan.Long(n))
			} else if f, err := v.Float64(); err == nil {
				out = append(out, &plan.Const{V: f, T: schema.TypeReal})
			}
		default:
			return nil, false
		}
	}
	return out, true
}

func (c *checker) between(e *syntax.BetweenExpr, s *scope) plan.Expr {
	x, lo, hi := c.expr(e.X, s), c.expr(e.Lo, s), c.expr(e.Hi, s)
	if isBad(x) || isBad(lo) || isBad(hi) {
		return bad()
	}
	x, lo = unify(x, lo)
	if x.Type() == schema.TypeDatetime && hi.Type() == schema.TypeTimespan {
		hi = &plan.Call{Fn: "+", Args: []plan.Expr{lo, hi}, T: schema.TypeDatetime}
	}
	x, hi = unify(x, hi)
	if !comparable(x.Type(), lo.Type()) || !comparable(x.Type(), hi.Type()) {
		c.errorf(e, "cannot compare %s with a range of %s .. %s", x.Type(), lo.Type(), hi.Type())
		return bad()
	}
	fn := "between"
	if e.Not {
		fn = "!between"
	}
	return &plan.Call{Fn: fn, Args: []plan.Expr{x, lo, hi}, T: schema.TypeBool}
}

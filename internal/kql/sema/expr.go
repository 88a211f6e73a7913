package sema

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// bad is the value of an expression that failed to check; its invalid type
// silences follow-on errors.
func bad() plan.Expr { return &plan.Const{T: schema.TypeInvalid} }

func isBad(e plan.Expr) bool { return e.Type() == schema.TypeInvalid }

// expr checks a scalar expression in scope s (nil outside any row).
func (c *checker) expr(e syntax.Expr, s *scope) plan.Expr {
	switch e := e.(type) {
	case *syntax.ParenExpr:
		return c.expr(e.X, s)
	case *syntax.Ident:
		return c.ident(e, s)
	case *syntax.IntLit, *syntax.RealLit, *syntax.StringLit, *syntax.BoolLit, *syntax.TimespanLit, *syntax.TypedLit, *syntax.DynamicLit:
		return c.literal(e)
	case *syntax.UnaryExpr:
		x := c.expr(e.X, s)
		if isBad(x) || e.Op == "+" {
			return x
		}
		if !isNumeric(x.Type()) && x.Type() != schema.TypeTimespan {
			c.errorf(e, "cannot negate a %s", x.Type())
			return bad()
		}
		if k, ok := x.(*plan.Const); ok {
			switch v := k.V.(type) {
			case int64:
				return &plan.Const{V: -v, T: k.T}
			case float64:
				return &plan.Const{V: -v, T: k.T}
			}
		}
		return &plan.Call{Fn: "neg", Args: []plan.Expr{x}, T: x.Type()}
	case *syntax.BinaryExpr:
		return c.binary(e, s)
	case *syntax.InExpr:
		return c.in(e, s)
	case *syntax.BetweenExpr:
		return c.between(e, s)
	case *syntax.CallExpr:
		return c.call(e, s)
	case *syntax.MemberExpr, *syntax.IndexExpr:
		return c.access(e, s)
	case *syntax.NamedArg:
		c.errorf(e, "a named argument ('%s = ...') is allowed only in a call of a function whose parameters can be named", e.Name.Name)
		return bad()
	}
	c.errorf(e, "this expression is not supported here")
	return bad()
}

// ident resolves a name: a column of exactly that name, else a let-bound
// scalar of exactly that name (let starttime = 2d beside a StartTime
// column), else a column matched ignoring letter case, with a warning.
func (c *checker) ident(e *syntax.Ident, s *scope) plan.Expr {
	col, fold, ok := s.lookup(e.Name)
	if ok && !fold {
		return &plan.Col{Name: col.Name, T: col.Type}
	}
	if v, ok := c.scalars[e.Name]; ok {
		return v
	}
	if ok {
		c.warnf(e, "column '%s' is spelled '%s'; matched ignoring letter case", e.Name, col.Name)
		return &plan.Col{Name: col.Name, T: col.Type}
	}
	if s == nil {
		c.errorf(e, "unknown name '%s'", e.Name)
		return bad()
	}
	c.errorf(e, "unknown column '%s'%s", e.Name, didYouMean(nearest(e.Name, s.names())))
	return bad()
}

// access checks d.a, d['a'] and d[0] on a dynamic value as one JSON path.
func (c *checker) access(e syntax.Expr, s *scope) plan.Expr {
	var base syntax.Expr
	var step string
	switch e := e.(type) {
	case *syntax.MemberExpr:
		base, step = e.X, "."+jsonKey(e.Name.Name)
	case *syntax.IndexExpr:
		base = e.X
		if !c.constIndex(e.Index) {
			return c.computedIndex(e, s)
		}
		switch ix := c.expr(e.Index, nil).(type) {
		case *plan.Const:
			switch v := ix.V.(type) {
			case string:
				step = "." + jsonKey(v)
			case int64:
				if v < 0 {
					step = "[#" + strconv.FormatInt(v, 10) + "]"
				} else {
					step = "[" + strconv.FormatInt(v, 10) + "]"
				}
			}
		}
		if step == "" {
			c.errorf(e.Index, "an index must be a constant string or integer")
			return bad()
		}
	}
	x := c.expr(base, s)
	if isBad(x) {
		return x
	}
	if x.Type() != schema.TypeDynamic {
		c.errorf(base, "cannot access a member of a %s value; use parse_json() to read JSON text", x.Type())
		return bad()
	}
	if call, ok := x.(*plan.Call); ok && call.Fn == "getpath" {
		path := call.Args[1].(*plan.Const).V.(string)
		return &plan.Call{Fn: "getpath", Args: []plan.Expr{call.Args[0], plan.Str(path + step)}, T: schema.TypeDynamic}
	}
	return &plan.Call{Fn: "getpath", Args: []plan.Expr{x, plan.Str("$" + step)}, T: schema.TypeDynamic}
}

// constIndex reports whether an index can be checked without a scope: literals, possibly
// negated, and let-bound scalars. Anything else (parts[array_length(parts) - 1], d[i]) is
// computed per row.
func (c *checker) constIndex(e syntax.Expr) bool {
	computed := false
	syntax.Inspect(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			computed = true
		case *syntax.Ident:
			if _, ok := c.scalars[n.Name]; !ok {
				computed = true
			}
		}
		return !computed
	})
	return !computed
}

// computedIndex checks d[expr] where expr is computed per row: a whole number indexes an
// array (negative from the end), a string names a member.
func (c *checker) computedIndex(e *syntax.IndexExpr, s *scope) plan.Expr {
	x := c.expr(e.X, s)
	if isBad(x) {
		return x
	}
	if x.Type() != schema.TypeDynamic {
		c.errorf(e.X, "cannot index a %s value; use parse_json() to read JSON text", x.Type())
		return bad()
	}
	ix := c.expr(e.Index, s)
	if isBad(ix) {
		return ix
	}
	switch t := ix.Type(); t {
	case schema.TypeLong, schema.TypeInt:
		return &plan.Call{Fn: "getindex", Args: []plan.Expr{x, ix}, T: schema.TypeDynamic}
	case schema.TypeString:
		return &plan.Call{Fn: "getkey", Args: []plan.Expr{x, ix}, T: schema.TypeDynamic}
	case schema.TypeDynamic:
		return &plan.Call{Fn: "getindex", Args: []plan.Expr{x, &plan.Call{Fn: "tolong", Args: []plan.Expr{ix}, T: schema.TypeLong}}, T: schema.TypeDynamic}
	default:
		c.errorf(e.Index, "an index must be a whole number or a string, not %s", t)
		return bad()
	}
}

func jsonKey(k string) string {
	for _, r := range k {
		if r != '_' && (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return strconv.Quote(k)
		}
	}
	return k
}

func isNumeric(t schema.Type) bool {
	return t == schema.TypeLong || t == schema.TypeInt || t == schema.TypeReal || t == schema.TypeDecimal
}

// numericResult is the type of arithmetic on two numbers.
func numericResult(a, b schema.Type) schema.Type {
	switch {
	case a == schema.TypeReal || b == schema.TypeReal:
		return schema.TypeReal
	case a == schema.TypeDecimal || b == schema.TypeDecimal:
		return schema.TypeDecimal
	case a == schema.TypeLong || b == schema.TypeLong:
		return schema.TypeLong
	}
	return schema.TypeInt
}

// convert wraps a dynamic value in the conversion to t (Kusto converts
// dynamic operands implicitly).
func convert(x plan.Expr, t schema.Type) plan.Expr {
	if x.Type() != schema.TypeDynamic || t == schema.TypeDynamic {
		return x
	}
	fn := map[schema.Type]string{schema.TypeString: "tostring", schema.TypeLong: "tolong", schema.TypeInt: "tolong",
		schema.TypeReal: "toreal", schema.TypeBool: "tobool", schema.TypeDatetime: "todatetime", schema.TypeGUID: "toguid"}[t]
	if fn == "" {
		return x
	}
	rt := t
	if t == schema.TypeInt {
		rt = schema.TypeLong
	}
	return &plan.Call{Fn: fn, Args: []plan.Expr{x}, T: rt}
}

// unify converts a dynamic operand to the other operand's type.
func unify(x, y plan.Expr) (plan.Expr, plan.Expr) {
	if x.Type() == schema.TypeDynamic && y.Type() != schema.TypeDynamic {
		return convert(x, y.Type()), y
	}
	if y.Type() == schema.TypeDynamic && x.Type() != schema.TypeDynamic {
		return x, convert(y, x.Type())
	}
	return x, y
}

// comparable reports whether values of types a and b can be compared.
func comparable(a, b schema.Type) bool {
	return a == b || isNumeric(a) && isNumeric(b) || a == schema.TypeGUID && b == schema.TypeString || a == schema.TypeString && b == schema.TypeGUID
}

// dynamicJSON renders a dynamic literal as compact JSON.
func (c *checker) dynamicJSON(e syntax.Expr) (any, bool) {
	switch e := e.(type) {
	case *syntax.ArrayLit:
		out := make([]any, 0, len(e.Elems))
		for _, x := range e.Elems {
			v, ok := c.dynamicJSON(x)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case *syntax.BagLit:
		out := map[string]any{}
		for _, en := range e.Entries {
			v, ok := c.dynamicJSON(en.Value)
			if !ok {
				return nil, false
			}
			out[en.Key] = v
		}
		return out, true
	case *syntax.NullLit:
		return nil, true
	case *syntax.UnaryExpr:
		v, ok := c.dynamicJSON(e.X)
		if f, isF := v.(float64); ok && isF && e.Op == "-" {
			return -f, true
		}
		if n, isN := v.(int64); ok && isN && e.Op == "-" {
			return -n, true
		}
		return v, ok
	}
	k, ok := c.literal(e).(*plan.Const)
	if !ok || k.T == schema.TypeInvalid {
		return nil, false
	}
	switch v := k.V.(type) {
	case string:
		if k.T == schema.TypeDynamic {
			var x any
			_ = json.Unmarshal([]byte(v), &x)
			return x, true
		}
	case interface{ Format(string) string }:
		return v.Format("2006-01-02T15:04:05.9999999Z"), true
	}
	return k.V, true
}

func (c *checker) dynamicLit(e *syntax.DynamicLit) plan.Expr {
	v, ok := c.dynamicJSON(e.Value)
	if !ok {
		c.errorf(e, "invalid dynamic literal")
		return bad()
	}
	if v == nil {
		return &plan.Const{T: schema.TypeDynamic}
	}
	b, _ := json.Marshal(v)
	return &plan.Const{V: string(b), T: schema.TypeDynamic}
}

// defaultName is the column name Kusto gives an unnamed expression, or "".
func defaultName(e syntax.Expr) string {
	switch e := e.(type) {
	case *syntax.Ident:
		return e.Name
	case *syntax.ParenExpr:
		return defaultName(e.X)
	case *syntax.MemberExpr:
		if b := defaultName(e.X); b != "" {
			return b + "_" + e.Name.Name
		}
	case *syntax.IndexExpr:
		b := defaultName(e.X)
		switch ix := e.Index.(type) {
		case *syntax.StringLit:
			if b != "" {
				return b + "_" + ix.Value
			}
		case *syntax.IntLit:
			if b != "" {
				return b + "_" + ix.Text
			}
		}
	case *syntax.CallExpr:
		switch strings.ToLower(e.Name.Name) {
		case "bin", "floor", "bin_at", "tostring", "toint", "tolong", "todouble", "toreal", "tobool", "todatetime", "totimespan", "toguid", "todynamic", "parse_json":
			if len(e.Args) > 0 {
				return defaultName(e.Args[0])
			}
		}
	}
	return ""
}

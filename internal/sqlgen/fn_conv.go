package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckConvFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"tostring":   tostring,
		"toint":      toNumber(schema.TypeInt),
		"tolong":     toNumber(schema.TypeLong),
		"toreal":     toNumber(schema.TypeReal),
		"todouble":   toNumber(schema.TypeReal),
		"tobool":     toNumber(schema.TypeBool),
		"todatetime": toNumber(schema.TypeDatetime),
		"toguid":     toNumber(schema.TypeGUID),
		"todynamic":  todynamic,
		"parse_json": todynamic,
		"iff":        iff,
		"iif":        iff,
		"case": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			c := &Case{Else: a[len(a)-1]}
			for i := 0; i+1 < len(a); i += 2 {
				c.Whens = append(c.Whens, When{Cond: a[i], Then: a[i+1]})
			}
			return c
		},
		"coalesce": func(a []Expr, in []plan.Expr, t schema.Type) Expr {
			if t != schema.TypeString {
				return Call("COALESCE", a...)
			}
			args := make([]Expr, 0, len(a)+1)
			for _, x := range a {
				args = append(args, Call("nullif", x, Str("")))
			}
			return Call("COALESCE", append(args, Str(""))...)
		},
		"isnull":     func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &IsNull{X: a[0]} },
		"isnotnull":  func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &IsNull{X: a[0], Not: true} },
		"isempty":    isempty,
		"isnotempty": not(isempty),
	}
}

func iff(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	return &Case{Whens: []When{{Cond: a[0], Then: a[1]}}, Else: a[2]}
}

// isempty is true for null and for the empty string (Kusto strings are never
// null, so both read as empty).
func isempty(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	switch in[0].Type() {
	case schema.TypeString:
		return Call("COALESCE", Bin("=", a[0], Str("")), &Lit{V: true, T: schema.TypeBool})
	case schema.TypeDynamic:
		return Call("COALESCE", &In{X: &Cast{X: a[0], T: schema.TypeString}, List: []Expr{Str("null"), Str(`""`)}}, &Lit{V: true, T: schema.TypeBool})
	default:
	}
	return &IsNull{X: a[0]}
}

// tostring renders a value as Kusto's tostring does; null becomes ”.
func tostring(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	var x Expr
	switch in[0].Type() {
	case schema.TypeString:
		return a[0]
	case schema.TypeDynamic:
		x = Call("json_extract_string", a[0], Str("$"))
	case schema.TypeDatetime:
		x = Call("replace", Call("strftime", a[0], Str("%Y-%m-%dT%H:%M:%S.%fZ")), Str(".000000Z"), Str("Z"))
	default:
		x = &Cast{X: a[0], T: schema.TypeString}
	}
	return Call("COALESCE", x, Str(""))
}

func toNumber(t schema.Type) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		x := a[0]
		switch in[0].Type() {
		case t:
			return x
		case schema.TypeDynamic:
			x = Call("json_extract_string", x, Str("$"))
		case schema.TypeReal:
			if t == schema.TypeInt || t == schema.TypeLong {
				x = Call("trunc", x)
			}
		case schema.TypeString:
			if t == schema.TypeInt || t == schema.TypeLong {
				x = Call("trunc", &Cast{X: x, T: schema.TypeReal, Try: true})
			}
		default:
		}
		return &Cast{X: x, T: t, Try: true}
	}
}

// todynamic parses JSON text; text that is not JSON becomes a JSON string.
func todynamic(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	if in[0].Type() == schema.TypeDynamic {
		return a[0]
	}
	if in[0].Type() != schema.TypeString {
		return Call("to_json", a[0])
	}
	return Call("COALESCE", &Cast{X: a[0], T: schema.TypeDynamic, Try: true}, Call("to_json", a[0]))
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// duckConv is how DuckDB's conversion functions differ from ClickHouse's.
var duckConv = convSQL{
	tostring:  tostring,
	todynamic: todynamic,
	nullIf:    "nullif",
	jsonText:  func(x Expr) Expr { return Call("json_extract_string", x, Str("$")) },
	dynString: func(x Expr) Expr { return &Cast{X: x, T: schema.TypeString} },
}

func duckConvFuncs() map[string]FuncSQL { return convFuncs(duckConv) }

// convSQL is what a dialect supplies to the conversion and null-test functions shared by
// both dialects.
type convSQL struct {
	tostring, todynamic FuncSQL
	// nullIf is the name of SQL's NULLIF.
	nullIf string
	// jsonText is the text of a dynamic value: a JSON string unquoted, null for JSON null.
	jsonText func(x Expr) Expr
	// dynString is the JSON text of a dynamic value as a string.
	dynString func(x Expr) Expr
	// parseTime, when set, parses text to a datetime instead of a cast.
	parseTime func(x Expr) Expr
}

// convFuncs is the conversion function table of a dialect.
func convFuncs(c convSQL) map[string]FuncSQL {
	isEmpty := isEmptyFunc(c.dynString)
	return map[string]FuncSQL{
		"tostring":   c.tostring,
		"toint":      c.toNumber(schema.TypeInt),
		"tolong":     c.toNumber(schema.TypeLong),
		"toreal":     c.toNumber(schema.TypeReal),
		"todouble":   c.toNumber(schema.TypeReal),
		"tobool":     c.toNumber(schema.TypeBool),
		"todatetime": c.toNumber(schema.TypeDatetime),
		"toguid":     c.toNumber(schema.TypeGUID),
		"todynamic":  c.todynamic,
		"parse_json": c.todynamic,
		"iff":        iff,
		"iif":        iff,
		"case": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			cs := &Case{Else: a[len(a)-1]}
			for i := 0; i+1 < len(a); i += 2 {
				cs.Whens = append(cs.Whens, When{Cond: a[i], Then: a[i+1]})
			}
			return cs
		},
		"coalesce": func(a []Expr, _ []plan.Expr, t schema.Type) Expr {
			if t != schema.TypeString {
				return Call("COALESCE", a...)
			}
			args := make([]Expr, 0, len(a)+1)
			for _, x := range a {
				args = append(args, Call(c.nullIf, x, Str("")))
			}
			return Call("COALESCE", append(args, Str(""))...)
		},
		"isnull":     func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &IsNull{X: a[0]} },
		"isnotnull":  func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &IsNull{X: a[0], Not: true} },
		"isempty":    isEmpty,
		"isnotempty": not(isEmpty),
	}
}

func iff(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	return &Case{Whens: []When{{Cond: a[0], Then: a[1]}}, Else: a[2]}
}

// isEmptyFunc is Kusto's isempty: true for null and for the empty string (Kusto strings are
// never null, so both read as empty); dynString reads a dynamic value's JSON text.
func isEmptyFunc(dynString func(Expr) Expr) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		switch in[0].Type() {
		case schema.TypeString:
			return Call("COALESCE", Bin("=", a[0], Str("")), &Lit{V: true, T: schema.TypeBool})
		case schema.TypeDynamic:
			return Call("COALESCE", &In{X: dynString(a[0]), List: []Expr{Str("null"), Str(`""`)}}, &Lit{V: true, T: schema.TypeBool})
		default:
		}
		return &IsNull{X: a[0]}
	}
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

// toNumber converts to type t as Kusto's toint, tolong, todatetime... do: null where the
// value does not convert, reals truncated toward zero for integers.
func (c convSQL) toNumber(t schema.Type) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		x, from := a[0], in[0].Type()
		switch from {
		case t:
			return x
		case schema.TypeDynamic:
			x = c.jsonText(x)
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
		if c.parseTime != nil && t == schema.TypeDatetime && (from == schema.TypeString || from == schema.TypeDynamic) {
			return c.parseTime(x)
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

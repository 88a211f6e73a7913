package sqlgen

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// duckExtraFuncs lowers the functions of sema's extraFns family and the
// aggregates added with them (hll sketches are exact: the sorted distinct
// values as a JSON array, which dcount_hll counts).
func duckExtraFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"format_bytes":    formatBytes,
		"todecimal":       duckConv.toNumber(schema.TypeDecimal),
		"bag_remove_keys": bagRemoveKeys,
		"bag_has_key": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			isBag := Bin("=", Call("json_type", a[0]), Str("OBJECT"))
			return &Case{Whens: []When{{Cond: isBag, Then: Call("list_contains", Call("json_keys", a[0]), a[1])}}, Else: &Lit{V: false, T: schema.TypeBool}}
		},
		"array_iff": arrayIff,
		"array_iif": arrayIff,
		"array_reverse": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return toJSONArray(Call("list_reverse", jsonList(a[0])))
		},
		"array_sum": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			nums := Call("list_transform", jsonList(a[0]), &Lambda{Params: []string{"x"}, Body: &Cast{X: Call("json_extract_string", &Ident{Name: "x"}, Str("$")), T: schema.TypeReal, Try: true}})
			return &Cast{X: Call("list_sum", nums), T: schema.TypeReal}
		},
		"dcount_hll": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("COALESCE", Call("len", jsonList(a[0])), Int(0)), T: schema.TypeLong}
		},
		"strcmp": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			n := func(v int64) Expr { return &Lit{V: v, T: schema.TypeInt} }
			return &Case{Whens: []When{{Cond: Bin("<", a[0], a[1]), Then: n(-1)}, {Cond: Bin(">", a[0], a[1]), Then: n(1)}, {Cond: Bin("=", a[0], a[1]), Then: n(0)}}}
		},
		"strrep": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			n := Call("least", a[1], Int(1024))
			if len(a) == 2 {
				return Call("repeat", a[0], Call("greatest", n, Int(0)))
			}
			joined := Call("concat", Call("repeat", Call("concat", a[0], a[2]), Bin("-", n, Int(1))), a[0])
			return &Case{Whens: []When{{Cond: Bin("<", n, Int(1)), Then: Str("")}}, Else: joined}
		},
		"dayofyear": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("dayofyear", a[0]), T: schema.TypeInt}
		},
		"week_of_year": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("weekofyear", a[0]), T: schema.TypeInt}
		},
		"parse_command_line": parseCommandLine,
		"agg:stdevif":        castAgg("stddev_samp", true),
		"agg:varianceif":     castAgg("var_samp", true),
		"agg:make_list_with_nulls": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("COALESCE", Call("to_json", Call("list", a[0])), &Lit{V: "[]", T: schema.TypeDynamic})
		},
		"agg:hll": makeList(true, false),
		"agg:hll_merge": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			all := Call("flatten", &Func{Name: "list", Args: []Expr{jsonList(a[0])}, Filter: &IsNull{X: jsonList(a[0]), Not: true}})
			return Call("COALESCE", toJSONArray(Call("list_sort", Call("list_distinct", all))), &Lit{V: "[]", T: schema.TypeDynamic})
		},
	}
}

// byteUnits are format_bytes' units, each 1024 times the one before.
var byteUnits = []string{"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"}

// formatBytes is format_bytes(size [, precision [, units]]): size divided by
// the power of 1024 of the unit (the largest that keeps it at least 1 when
// no unit is given), printed with precision decimals, then the unit name.
func formatBytes(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	num, unit, names := formatBytesParts(a, in)
	return Bin("||", Bin("||", num, Str(" ")), Call("list_extract", Call("list_value", names...), unit))
}

// formatBytesParts are the parts of format_bytes both dialects share: the number printed
// with its precision, the unit's 1-based position, and the unit names.
func formatBytesParts(a []Expr, in []plan.Expr) (num, unit Expr, names []Expr) {
	v := &Cast{X: a[0], T: schema.TypeReal}
	prec := int64(0)
	if len(in) > 1 {
		prec, _ = constLong(in[1])
	}
	var k Expr
	if len(in) > 2 {
		if u, _ := constString(in[2]); u != "" {
			for i, n := range byteUnits {
				if strings.EqualFold(n, u) {
					k = Int(int64(i))
				}
			}
		}
	}
	if k == nil {
		c := &Case{Else: Int(int64(len(byteUnits) - 1))}
		for i := range byteUnits[:len(byteUnits)-1] {
			c.Whens = append(c.Whens, When{Cond: Bin("<", Call("abs", v), Call("pow", Int(1024), Int(int64(i+1)))), Then: Int(int64(i))})
		}
		k = c
	}
	names = make([]Expr, len(byteUnits))
	for i, n := range byteUnits {
		names[i] = Str(n)
	}
	num = Call("printf", Str("%."+strconv.FormatInt(prec, 10)+"f"), Bin("/", v, Call("pow", Int(1024), k)))
	return num, Bin("+", k, Int(1)), names
}

// bagRemoveKeys applies a JSON merge patch that sets each removed key to
// null (top-level keys only); a value that is not a bag gives null.
func bagRemoveKeys(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	member := Call("concat", Call("to_json", Call("json_extract_string", &Ident{Name: "x"}, Str("$"))), Str(":null"))
	members := Call("array_to_string", Call("list_transform", Call("COALESCE", jsonList(a[1]), Call("list_value")), &Lambda{Params: []string{"x"}, Body: member}), Str(","))
	patch := &Cast{X: Call("concat", Str("{"), members, Str("}")), T: schema.TypeDynamic}
	isBag := Bin("=", Call("json_type", a[0]), Str("OBJECT"))
	return &Case{Whens: []When{{Cond: isBag, Then: Call("json_merge_patch", a[0], patch)}}}
}

// arrayIff picks, for each element of the condition array, the element at
// the same position of when_true or when_false (or the value itself when it
// is not an array); a condition that is neither bool nor number gives null.
func arrayIff(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	i := &Ident{Name: "i"}
	path := Call("concat", Str("$["), i, Str("]"))
	pick := func(j int) Expr {
		if in[j].Type() != schema.TypeDynamic {
			return Call("to_json", a[j])
		}
		return &Case{Whens: []When{{Cond: Bin("=", Call("json_type", a[j]), Str("ARRAY")), Then: Call("json_extract", a[j], path)}}, Else: a[j]}
	}
	c := Call("json_extract", a[0], path)
	typ := Call("json_type", c)
	truthy := &Case{Whens: []When{
		{Cond: Bin("=", typ, Str("BOOLEAN")), Then: Bin("=", Call("json_extract_string", c, Str("$")), Str("true"))},
		{Cond: &In{X: typ, List: []Expr{Str("BIGINT"), Str("UBIGINT"), Str("DOUBLE")}}, Then: Bin("<>", &Cast{X: Call("json_extract_string", c, Str("$")), T: schema.TypeReal}, &Lit{V: 0.0, T: schema.TypeReal})},
	}}
	elem := &Case{Whens: []When{{Cond: truthy, Then: pick(1)}, {Cond: &Unary{Op: "NOT", X: truthy}, Then: pick(2)}}}
	n := Call("COALESCE", Call("len", jsonList(a[0])), Int(0))
	return toJSONArray(Call("list_transform", Call("range", Int(0), n), &Lambda{Params: []string{"i"}, Body: elem}))
}

// commandLineArg matches one Windows command-line argument: a run of characters
// that are not white space, where a double-quoted part may hold white space.
const commandLineArg = `(?:[^\s"]|"[^"]*"?)+`

// parseCommandLine approximates CommandLineToArgvW: arguments split at
// white space outside double quotes, with the quotes removed. Backslash
// escapes before a quote (\" and \\") are not interpreted.
func parseCommandLine(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	tokens := Call("regexp_extract_all", a[0], Str(commandLineArg))
	unquote := &Lambda{Params: []string{"x"}, Body: Call("replace", &Ident{Name: "x"}, Str(`"`), Str(""))}
	return toJSONArray(Call("COALESCE", Call("list_transform", tokens, unquote), Call("list_value")))
}

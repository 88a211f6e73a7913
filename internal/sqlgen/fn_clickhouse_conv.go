package sqlgen

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// chConv is how ClickHouse's conversion functions differ from DuckDB's: dynamic values are
// JSON text already, and datetimes are parsed from text rather than cast.
var chConv = convSQL{
	tostring:  chToString,
	todynamic: chToDynamic,
	nullIf:    "nullIf",
	jsonText:  chJSONText,
	dynString: func(x Expr) Expr { return x },
	parseTime: func(x Expr) Expr { return Call("parseDateTime64BestEffortOrNull", x, chRaw("6"), Str("UTC")) },
}

func chConvFuncs() map[string]FuncSQL { return convFuncs(chConv) }

// chJSONText is the text of a dynamic value as DuckDB's json_extract_string(x, '$') gives it:
// a JSON string unquoted, JSON null as null, anything else its JSON text.
func chJSONText(x Expr) Expr {
	return &Case{Whens: []When{
		{Cond: Bin("=", Call("JSONType", x), Str("String")), Then: Call("JSONExtractString", x)},
		{Cond: Bin("=", Call("JSONType", x), Str("Null")), Then: &Lit{T: schema.TypeString}},
	}, Else: x}
}

// chDatetimeText renders a datetime as Kusto's tostring does.
func chDatetimeText(x Expr) Expr {
	return Call("replaceOne", Call("formatDateTime", x, Str("%Y-%m-%dT%H:%i:%S.%fZ")), Str(".000000Z"), Str("Z"))
}

func chToString(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	var x Expr
	switch in[0].Type() {
	case schema.TypeString:
		return a[0]
	case schema.TypeDynamic:
		x = chJSONText(a[0])
	case schema.TypeDatetime:
		x = chDatetimeText(a[0])
	case schema.TypeReal:
		x = chRealText(a[0])
	case schema.TypeTimespan:
		x = chTimespanText(a[0])
	case schema.TypeDecimal:
		panic(unsupported("ClickHouse", "tostring of a "+in[0].Type().String()))
	default:
		x = Call("toString", a[0])
	}
	return Call("COALESCE", x, Str(""))
}

// chToDynamic parses JSON text; text that is not JSON becomes a JSON string.
func chToDynamic(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	switch in[0].Type() {
	case schema.TypeDynamic:
		return a[0]
	case schema.TypeString:
		return &Case{Whens: []When{{Cond: Call("isValidJSON", a[0]), Then: a[0]}}, Else: Call("toJSONString", a[0])}
	default:
	}
	return chJSONValue(a[0], in[0].Type())
}

// chJSONValue is the JSON text of a value of type t.
func chJSONValue(x Expr, t schema.Type) Expr {
	switch t {
	case schema.TypeDynamic:
		return Call("COALESCE", x, Str("null"))
	case schema.TypeDatetime:
		return Call("toJSONString", chDatetimeText(x))
	default:
	}
	return Call("toJSONString", x)
}

func chDynamicFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"getpath": chGetPath,
		// Computed indexes: ClickHouse counts array elements from 1, and from -1 at the end.
		"getindex": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			n := &Case{Whens: []When{{Cond: Bin("<", a[1], Int(0)), Then: a[1]}}, Else: Bin("+", a[1], Int(1))}
			return Call("nullIf", Call("JSONExtractRaw", a[0], n), Str(""))
		},
		"getkey": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("nullIf", Call("JSONExtractRaw", a[0], a[1]), Str(""))
		},
		"array_length": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Case{Whens: []When{{Cond: Bin("=", Call("JSONType", a[0]), Str("Array")), Then: &Cast{X: Call("JSONLength", a[0]), T: schema.TypeLong}}}}
		},
		"bag_keys": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("toJSONString", Call("JSONExtractKeys", a[0]))
		},
		"bag_slot_jsontype": chBagSlotJSONType,
		"bag_slot_keys":     chBagSlotKeys,
		"kusto_jsontype":    chKustoJSONType,
		"pack_array":        chPackArray,
		"bag_pack":          chPack,
		"pack":              chPack,
	}
}

// chGetPath reads a member of a dynamic value by the checker's JSON path ($.a, $."k y",
// $[0], $[#-1]); a missing member is null.
func chGetPath(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	path, _ := constString(in[1])
	args := []Expr{a[0]}
	rest := strings.TrimPrefix(path, "$")
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, `."`):
			q, err := strconv.QuotedPrefix(rest[1:])
			if err != nil {
				panic(unsupported("ClickHouse", "JSON path "+path))
			}
			k, _ := strconv.Unquote(q)
			args = append(args, Str(k))
			rest = rest[1+len(q):]
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			args = append(args, Str(rest[1:1+end]))
			rest = rest[1+end:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			ix := rest[1:end]
			n, err := strconv.ParseInt(strings.TrimPrefix(ix, "#"), 10, 64)
			if err != nil || end < 0 {
				panic(unsupported("ClickHouse", "JSON path "+path))
			}
			if !strings.HasPrefix(ix, "#") {
				n++ // ClickHouse counts array elements from 1, and from -1 at the end
			}
			args = append(args, Int(n))
			rest = rest[end+1:]
		default:
			panic(unsupported("ClickHouse", "JSON path "+path))
		}
	}
	return Call("nullIf", Call("JSONExtractRaw", args...), Str(""))
}

func chPackArray(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	parts := make([]Expr, 0, 2*len(a)+1)
	parts = append(parts, Str("["))
	for i, x := range a {
		if i > 0 {
			parts = append(parts, Str(","))
		}
		parts = append(parts, chJSONValue(x, in[i].Type()))
	}
	return Call("concat", append(parts, Str("]"))...)
}

func chPack(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	parts := []Expr{Str("{")}
	for i := 0; i+1 < len(a); i += 2 {
		if i > 0 {
			parts = append(parts, Str(","))
		}
		parts = append(parts, Call("toJSONString", a[i]), Str(":"), chJSONValue(a[i+1], in[i+1].Type()))
	}
	return Call("concat", append(parts, Str("}"))...)
}

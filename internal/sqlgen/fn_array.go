package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// duckArrayFuncs lowers the dynamic array, bit and IPv4 formatting
// functions. Arrays are JSON values; jsonList turns one into a list of JSON
// elements and toJSONArray turns a list back.
func duckArrayFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"set_union": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return toJSONArray(distinctInOrder(concatLists(a)))
		},
		"set_difference": setFilter(false),
		"set_intersect":  setFilter(true),
		"array_concat": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return toJSONArray(concatLists(a))
		},
		"array_slice":  arraySlice,
		"strcat_array": strcatArray,
		"extract_all": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			all := Call("regexp_extract_all", a[1], a[0], &Lit{V: int64(1), T: schema.TypeInt})
			return &Case{Whens: []When{{Cond: Bin(">", Call("len", all), Int(0)), Then: Call("to_json", all)}}}
		},
		"format_ipv4":        formatIPv4(false),
		"format_ipv4_mask":   formatIPv4(true),
		"binary_and":         binop("&"),
		"binary_or":          binop("|"),
		"binary_xor":         fn("xor"),
		"binary_not":         func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Unary{Op: "~", X: a[0]} },
		"binary_shift_left":  binop("<<"),
		"binary_shift_right": binop(">>"),
		"countof":            countof,
		"format_timespan":    formatTimespan,
		"countof_regex": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("len", Call("regexp_extract_all", a[0], a[1])), T: schema.TypeLong}
		},
	}
}

// jsonList is the list of a JSON array's elements (null for a non-array).
func jsonList(x Expr) Expr {
	return &Case{Whens: []When{{Cond: Bin("=", Call("json_type", x), Str("ARRAY")), Then: Call("json_extract", x, Str("$[*]"))}}}
}

func toJSONArray(list Expr) Expr {
	return &Cast{X: Call("to_json", list), T: schema.TypeDynamic}
}

func concatLists(a []Expr) Expr {
	out := Call("COALESCE", jsonList(a[0]), Call("list_value"))
	for _, x := range a[1:] {
		out = Call("list_concat", out, Call("COALESCE", jsonList(x), Call("list_value")))
	}
	return out
}

// distinctInOrder keeps the first occurrence of each element, in order.
func distinctInOrder(list Expr) Expr {
	keep := Bin("=", Call("list_position", list, &Ident{Name: "x"}), &Ident{Name: "i"})
	return Call("list_filter", list, &Lambda{Params: []string{"x", "i"}, Body: keep})
}

// setFilter keeps the distinct elements of the first array that are in
// (intersect) or not in (difference) every other array.
func setFilter(in bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		var cond Expr
		for _, other := range a[1:] {
			var has Expr = Call("list_contains", Call("COALESCE", jsonList(other), Call("list_value")), &Ident{Name: "x"})
			if !in {
				has = &Unary{Op: "NOT", X: has}
			}
			if cond == nil {
				cond = has
			} else {
				cond = Bin("AND", cond, has)
			}
		}
		first := distinctInOrder(Call("COALESCE", jsonList(a[0]), Call("list_value")))
		return toJSONArray(Call("list_filter", first, &Lambda{Params: []string{"x"}, Body: cond}))
	}
}

// arraySlice maps Kusto's zero-based inclusive indexes (negative from the
// end) to DuckDB's one-based inclusive list_slice.
func arraySlice(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	idx := func(x Expr) Expr {
		return &Case{Whens: []When{{Cond: Bin(">=", x, Int(0)), Then: Bin("+", x, Int(1))}}, Else: x}
	}
	n := Call("len", jsonList(a[0]))
	start := &Case{Whens: []When{{Cond: Bin("<", Bin("+", a[1], n), Int(0)), Then: Int(1)}}, Else: idx(a[1])}
	return toJSONArray(Call("list_slice", jsonList(a[0]), start, idx(a[2])))
}

// strcatArray joins the elements' text forms (strings unquoted).
func strcatArray(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	text := Call("list_transform", jsonList(a[0]), &Lambda{Params: []string{"x"}, Body: Call("json_extract_string", &Ident{Name: "x"}, Str("$"))})
	return Call("COALESCE", Call("array_to_string", text, a[1]), Str(""))
}

// countof counts possibly overlapping occurrences of a plain substring.
func countof(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	at := Bin("=", Call("substr", a[0], &Ident{Name: "i"}, Call("length", a[1])), a[1])
	hits := Call("list_filter", Call("range", Int(1), Bin("+", Call("length", a[0]), Int(1))), &Lambda{Params: []string{"i"}, Body: at})
	return &Case{Whens: []When{{Cond: Bin("=", Call("length", a[1]), Int(0)), Then: Int(0)}}, Else: &Cast{X: Call("len", hits), T: schema.TypeLong}}
}

// formatIPv4 masks an address to the smaller of its own /n suffix and the
// prefix argument; an invalid address or prefix gives "".
func formatIPv4(withMask bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		var prefix Expr = Int(32)
		if len(a) > 1 {
			prefix = a[1]
		}
		own := Call("COALESCE", &Cast{X: Call("nullif", Call("split_part", a[0], Str("/"), Int(2)), Str("")), T: schema.TypeLong, Try: true}, Int(32))
		bits := Call("least", prefix, own)
		valid := Bin("AND", Bin("AND", Bin(">=", bits, Int(0)), Bin("<=", bits, Int(32))),
			Call("regexp_full_match", a[0], Str(`(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}(/([0-9]|[12][0-9]|3[0-2]))?`)))
		size := Call("pow", Int(2), Bin("-", Int(32), bits))
		masked := &Cast{X: Bin("*", Call("floor", Bin("/", ipv4Int(a[0]), size)), size), T: schema.TypeLong}
		var octets []Expr
		for i := int64(3); i >= 0; i-- {
			if len(octets) > 0 {
				octets = append(octets, Str("."))
			}
			octets = append(octets, &Cast{X: Bin("%", Bin("//", masked, Int(1<<(8*i))), Int(256)), T: schema.TypeString})
		}
		if withMask {
			octets = append(octets, Str("/"), &Cast{X: bits, T: schema.TypeString})
		}
		return &Case{Whens: []When{{Cond: valid, Then: Call("concat", octets...)}}, Else: Str("")}
	}
}

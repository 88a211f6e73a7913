package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// ClickHouse's property-bag and array functions that DuckDB writes with its JSON and list
// functions (fn_dynamic.go, fn_extra.go, fn_array.go). Bags and arrays are JSON text: members
// are read with JSONExtractKeysAndValuesRaw and JSONExtractArrayRaw and written back with
// concat, so a value keeps its JSON text as it is.

func chBagFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"bag_pack_nonempty": chBagPackNonEmpty,
		"bag_has_key":       chBagHasKey,
		"bag_remove_keys":   chBagRemoveKeys,
		"array_slice":       chArraySlice,
		"array_reverse": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return chIfArray(a[0], chJSONArrayOf(Call("arrayReverse", chJSONList(a[0]))))
		},
		"array_sum": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			nums := Call("arrayMap", chLambda("__e", &Cast{X: chJSONText(ident("__e")), T: schema.TypeReal, Try: true}), chJSONList(a[0]))
			return chIfArray(a[0], chSum(nums))
		},
		"strcat_array": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			text := Call("arrayMap", chLambda("__e", chJSONText(ident("__e"))), chJSONList(a[0]))
			return Call("arrayStringConcat", chNonNull(text), a[1])
		},
		"agg:make_bag":    chMakeBag(false),
		"agg:make_bag_if": chMakeBag(true),
	}
}

// chJSONList is the raw JSON text of each element of a JSON array; empty for null or a
// value that is not an array.
func chJSONList(x Expr) Expr { return Call("JSONExtractArrayRaw", Call("ifNull", x, Str(""))) }

// chJSONArrayOf writes an array of raw JSON texts as a JSON array.
func chJSONArrayOf(list Expr) Expr {
	return Call("concat", Str("["), Call("arrayStringConcat", list, Str(",")), Str("]"))
}

// chIfArray is then when x is a JSON array, else null (DuckDB's list functions give null
// for the null list that a value other than an array reads as).
func chIfArray(x, then Expr) Expr {
	return &Case{Whens: []When{{Cond: Bin("=", Call("JSONType", Call("ifNull", x, Str(""))), Str("Array")), Then: then}}}
}

// chIsBag is true when x is a JSON object.
func chIsBag(x Expr) Expr {
	return Bin("=", Call("JSONType", Call("ifNull", x, Str(""))), Str("Object"))
}

// chBagOf writes an array of (key, raw JSON value) tuples as a JSON object.
func chBagOf(pairs Expr) Expr {
	p := ident("__p")
	member := Call("concat", Call("toJSONString", Call("tupleElement", p, Int(1))), Str(":"), Call("tupleElement", p, Int(2)))
	return Call("concat", Str("{"), Call("arrayStringConcat", Call("arrayMap", chLambda("__p", member), pairs), Str(",")), Str("}"))
}

// chBagPackNonEmpty is find's pack_: a bag of the named values that are neither null nor
// empty text. As DuckDB's JSON merge patch, it also drops a dynamic value that is JSON null.
func chBagPackNonEmpty(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	if len(a) == 0 {
		return Str("{}")
	}
	members := make([]Expr, 0, len(a)/2)
	for i := 0; i+1 < len(a); i += 2 {
		v, t := a[i+1], in[i+1].Type()
		drop := Bin("OR", &IsNull{X: v}, Bin("=", Call("toString", v), Str("")))
		if t == schema.TypeDynamic {
			drop = Bin("OR", drop, Bin("=", v, Str("null")))
		}
		member := Call("concat", Call("toJSONString", a[i]), Str(":"), chJSONValue(v, t))
		members = append(members, &Case{Whens: []When{{Cond: drop, Then: Str("")}}, Else: member})
	}
	kept := Call("arrayFilter", chLambda("__m", Bin("!=", ident("__m"), Str(""))), Call("array", members...))
	return Call("concat", Str("{"), Call("arrayStringConcat", kept, Str(",")), Str("}"))
}

// chBagHasKey is true when the bag has the top-level key; false for a value that is not a
// bag.
func chBagHasKey(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	has := Call("has", Call("JSONExtractKeys", Call("ifNull", a[0], Str(""))), a[1])
	return &Case{Whens: []When{{Cond: chIsBag(a[0]), Then: Bin("=", has, Int(1))}}, Else: &Lit{V: false, T: schema.TypeBool}}
}

// chBagRemoveKeys drops the named top-level keys from a bag (null for a value that is not a
// bag). The names are the text of the array's elements, strings unquoted, as DuckDB's
// json_extract_string reads them.
func chBagRemoveKeys(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	names := Call("arrayMap", chLambda("__k", chJSONText(ident("__k"))), chJSONList(a[1]))
	keep := chLambda("__p", Bin("=", Call("has", names, Call("tupleElement", ident("__p"), Int(1))), Int(0)))
	pairs := Call("arrayFilter", keep, Call("JSONExtractKeysAndValuesRaw", Call("ifNull", a[0], Str(""))))
	return &Case{Whens: []When{{Cond: chIsBag(a[0]), Then: chBagOf(pairs)}}}
}

// chArraySlice is array_slice(arr, start, end): Kusto's 0-based inclusive indexes, negative
// from the end, as arraySlice's 1-based offset and length. As DuckDB's list_slice, a start
// before the first element starts at it, and an empty range or a value that is not an
// array gives null.
func chArraySlice(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	l, n := ident("__al"), chLen(ident("__al"))
	pos := func(x Expr) Expr { // 1-based position of Kusto index x
		return &Case{Whens: []When{{Cond: Bin(">=", x, Int(0)), Then: Bin("+", x, Int(1))}}, Else: Bin("+", Bin("+", n, x), Int(1))}
	}
	from := Call("greatest", pos(a[1]), Int(1))
	to := Call("least", pos(a[2]), n)
	slice := &Case{Whens: []When{{Cond: Bin(">=", to, from), Then: Call("arraySlice", l, from, Bin("+", Bin("-", to, from), Int(1)))}}, Else: Call("arraySlice", l, Int(1), Int(0))}
	return chIfArray(a[0], chBind(chJSONList(a[0]), "__al", chJSONArrayOf(slice)))
}

// chMakeBag merges the group's property bags (other values are ignored): for a key in
// several bags the last one wins, and a key whose last value is JSON null is dropped, as
// DuckDB's fold of JSON merge patches does. Unlike merge patch, two bags nested under the
// same key are not merged: the last one wins whole. No bag gives null, as DuckDB's
// list_reduce over no rows.
func chMakeBag(cond bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		filter := chIsBag(a[0])
		if cond {
			filter = Bin("AND", filter, a[1])
		}
		bags := &Func{Name: "groupArray", Args: []Expr{Call("ifNull", a[0], Str(""))}, Filter: filter}
		pairs := Call("arrayFlatten", Call("arrayMap", chLambda("__b", Call("JSONExtractKeysAndValuesRaw", ident("__b"))), bags))
		p, i := ident("__p"), ident("__i")
		key := func(x Expr) Expr { return Call("tupleElement", x, Int(1)) }
		last := Bin("=", Call("arrayLastIndex", chLambda("__q", Bin("=", key(ident("__q")), key(p))), ident("__ps")), i)
		keep := &Lambda{Params: []string{"__p", "__i"}, Body: Bin("AND", last, Bin("!=", Call("tupleElement", p, Int(2)), Str("null")))}
		merged := chBind(pairs, "__ps", chBagOf(Call("arrayFilter", keep, ident("__ps"), Call("arrayEnumerate", ident("__ps")))))
		return &Case{Whens: []When{{Cond: Bin(">", &Func{Name: "count", Filter: filter}, Int(0)), Then: merged}}}
	}
}

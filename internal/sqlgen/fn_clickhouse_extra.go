package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// chExtraFuncs lowers, for ClickHouse, the functions of sema's extraFns family and the
// set functions that DuckDB writes in fn_extra.go, fn_text.go and fn_array.go.
func chExtraFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"dayofyear": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("toDayOfYear", a[0]), T: schema.TypeInt}
		},
		// Kusto's week_of_year is the ISO 8601 week, as DuckDB's weekofyear.
		"week_of_year": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("toISOWeek", a[0]), T: schema.TypeInt}
		},
		// strcmp compares bytes in both engines; the DuckDB lowering is plain SQL.
		"strcmp":             duckExtraFuncs()["strcmp"],
		"strrep":             chStrrep,
		"parse_command_line": chParseCommandLine,
		"indexof_regex":      chIndexofRegex,
		"translate":          chTranslate,
		"set_union": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return chJSONArrayOf(chDistinctInOrder(chConcatLists(a)))
		},
		"set_difference": chSetFilter(false),
		"set_intersect":  chSetFilter(true),
		"array_concat": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return chJSONArrayOf(chConcatLists(a))
		},
		"todecimal":                chConv.toNumber(schema.TypeDecimal),
		"agg:stdevif":              castAgg("stddevSampStable", true),
		"agg:varianceif":           castAgg("varSampStable", true),
		"agg:make_list_with_nulls": chMakeListWithNulls,
	}
}

// chStrrep repeats the text n times (at most 1024, as Kusto), joined by the delimiter.
func chStrrep(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	n := Call("least", a[1], Int(1024))
	times := func(k Expr) Expr { return Call("toUInt64", Call("greatest", k, Int(0))) }
	if len(a) == 2 {
		return Call("repeat", a[0], times(n))
	}
	joined := Call("concat", Call("repeat", Call("concat", a[0], a[2]), times(Bin("-", n, Int(1)))), a[0])
	return &Case{Whens: []When{{Cond: Bin("<", n, Int(1)), Then: Str("")}}, Else: joined}
}

// chParseCommandLine splits at white space outside double quotes and removes the quotes,
// with the expression parseCommandLine uses (re2 reads it as DuckDB does).
func chParseCommandLine(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	tokens := Call("extractAll", Call("ifNull", a[0], Str("")), Str(commandLineArg))
	unquote := chLambda("__t", Call("replaceAll", ident("__t"), Str(`"`), Str("")))
	return Call("toJSONString", Call("arrayMap", unquote, tokens))
}

// chIndexofRegex is the zero-based character index of the first match of a constant
// regex, or -1, as indexofRegex.
func chIndexofRegex(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	re, _ := constString(in[1])
	prefix := Call("regexpExtract", a[0], Str("(?s)^(.*?)(?:"+re+")"), Int(1))
	return &Case{Whens: []When{{Cond: Call("match", a[0], a[1]), Then: &Cast{X: Call("lengthUTF8", prefix), T: schema.TypeLong}}}, Else: Int(-1)}
}

// chTranslate is translate(searchList, replacementList, text) with Kusto's padding of a
// short replacement list by its last character, as translate does for DuckDB; an empty
// replacement list deletes every searched character. translateUTF8 wants constant lists no
// longer than the search list, so the padding is done here.
func chTranslate(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	from, ok1 := constString(in[0])
	to, ok2 := constString(in[1])
	if !ok1 || !ok2 {
		panic(unsupported("ClickHouse", "translate with lists that are not constants"))
	}
	f, t := []rune(from), []rune(to)
	if len(t) > 0 {
		for len(t) < len(f) {
			t = append(t, t[len(t)-1])
		}
		t = t[:len(f)]
	}
	return Call("translateUTF8", a[2], Str(from), Str(string(t)))
}

// chConcatLists is the raw JSON elements of the arrays, one after the other; a value
// that is not an array adds nothing.
func chConcatLists(a []Expr) Expr {
	lists := make([]Expr, len(a))
	for i, x := range a {
		lists[i] = chJSONList(x)
	}
	if len(lists) == 1 {
		return lists[0]
	}
	return Call("arrayConcat", lists...)
}

// chDistinctInOrder keeps the first occurrence of each element, in order (elements compare
// by their JSON text, as in DuckDB).
func chDistinctInOrder(list Expr) Expr {
	first := &Lambda{Params: []string{"__x", "__n"}, Body: Bin("=", Call("indexOf", ident("__l"), ident("__x")), ident("__n"))}
	return chBind(list, "__l", Call("arrayFilter", first, ident("__l"), Call("arrayEnumerate", ident("__l"))))
}

// chSetFilter keeps the distinct elements of the first array that are in (intersect) or
// not in (difference) every other array.
func chSetFilter(in bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		var cond Expr
		for _, other := range a[1:] {
			var has Expr = Bin("=", Call("has", chJSONList(other), ident("__x")), Int(1))
			if !in {
				has = &Unary{Op: "NOT", X: has}
			}
			if cond == nil {
				cond = has
			} else {
				cond = Bin("AND", cond, has)
			}
		}
		first := chDistinctInOrder(chJSONList(a[0]))
		return chJSONArrayOf(Call("arrayFilter", chLambda("__x", cond), first))
	}
}

// chMakeListWithNulls collects the group's values, nulls included: groupArray skips nulls,
// so each value goes in a one-element tuple.
func chMakeListWithNulls(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	if t := in[0].Type(); t == schema.TypeDatetime || t == schema.TypeTimespan {
		panic(unsupported("ClickHouse", "make_list_with_nulls of "+t.String()+" values"))
	}
	// toJSONString of a null is null, which arrayStringConcat would skip.
	elem := Call("COALESCE", chJSONValue(Call("tupleElement", ident("__v"), Int(1)), in[0].Type()), Str("null"))
	return chJSONArrayOf(Call("arrayMap", chLambda("__v", elem), Call("groupArray", Call("tuple", a[0]))))
}

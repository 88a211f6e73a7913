package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckDynamicFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		// getpath(d, '$.a.b') is the checker's lowering of d.a.b, d['a'] and d[0].
		"getpath": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("json_extract", a[0], a[1]) },
		// An index computed per row: $[n] from the start, $[#-n] from the end.
		"getindex": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			path := &Case{Whens: []When{{Cond: Bin("<", a[1], Int(0)),
				Then: Call("concat", Str("$[#"), &Cast{X: a[1], T: schema.TypeString}, Str("]"))}},
				Else: Call("concat", Str("$["), &Cast{X: a[1], T: schema.TypeString}, Str("]"))}
			return Call("json_extract", a[0], path)
		},
		// A member named per row, quoted as JSON so any key is one path step.
		"getkey": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("json_extract", a[0], Call("concat", Str("$."), Call("to_json", a[1])))
		},
		"array_length": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Case{Whens: []When{{Cond: Bin("=", Call("json_type", a[0]), Str("ARRAY")), Then: Call("json_array_length", a[0])}}}
		},
		"bag_keys":          func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("to_json", Call("json_keys", a[0])) },
		"bag_slot_jsontype": duckBagSlotJSONType,
		"bag_slot_keys":     func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("to_json", Call("json_keys", a[0])) },
		"kusto_jsontype":    duckKustoJSONType,
		"pack_array":        func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("json_array", a...) },
		"bag_pack":          fn("json_object"),
		"bag_pack_nonempty": bagPackNonEmpty,
		"pack":              fn("json_object"),
		"parse_url":         parseURL,
	}
}

const urlRE = `^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^:@/]*)(?::([^@/]*))?@)?([^/:?#]*)(?::([0-9]+))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$`

// parseURL builds Kusto's parse_url bag with a regular expression; the
// "Query Parameters" bag is left empty.
func parseURL(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	g := func(i int64) Expr { return Call("regexp_extract", a[0], Str(urlRE), &Lit{V: i, T: schema.TypeInt}) }
	return Call("json_object",
		Str("Scheme"), g(1), Str("Host"), g(4), Str("Port"), g(5), Str("Path"), g(6),
		Str("Username"), g(2), Str("Password"), g(3), Str("Query Parameters"), Call("json_object"), Str("Fragment"), g(8))
}

// bagPackNonEmpty is find's pack_: a bag of the named values that are neither null nor
// empty text. JSON merge patch drops the members whose value is null.
func bagPackNonEmpty(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	if len(a) == 0 {
		return &Lit{V: "{}", T: schema.TypeDynamic}
	}
	args := make([]Expr, len(a))
	for i := 0; i+1 < len(a); i += 2 {
		v := a[i+1]
		args[i] = a[i]
		args[i+1] = &Case{Whens: []When{{Cond: Bin("=", &Cast{X: v, T: schema.TypeString}, Str("")), Then: &Lit{T: in[i+1].Type()}}}, Else: v}
	}
	return Call("json_merge_patch", &Lit{V: "{}", T: schema.TypeDynamic}, Call("json_object", args...))
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckDynamicFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		// getpath(d, '$.a.b') is the checker's lowering of d.a.b, d['a'] and d[0].
		"getpath": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("json_extract", a[0], a[1]) },
		"array_length": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Case{Whens: []When{{Cond: Bin("=", Call("json_type", a[0]), Str("ARRAY")), Then: Call("json_array_length", a[0])}}}
		},
		"bag_keys":   func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("to_json", Call("json_keys", a[0])) },
		"pack_array": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("json_array", a...) },
		"bag_pack":   fn("json_object"),
		"pack":       fn("json_object"),
		"parse_url":  parseURL,
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

package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// fnAliases maps the old spellings Kusto still accepts (and that public
// Sentinel rules still use) to the current function or aggregate name. An
// alias behaves exactly as its target, including its default column name.
var fnAliases = map[string]string{
	"makeset":     "make_set",
	"makelist":    "make_list",
	"makeset_if":  "make_set_if",
	"makelist_if": "make_list_if",
	"makebag":     "make_bag",
	"parsejson":   "parse_json",
	"extractjson": "extract_json",
}

// canonicalCall returns e with an alias replaced by its target's name, or e
// itself; the returned call keeps e's spans so diagnostics point at e.
func canonicalCall(e *syntax.CallExpr) *syntax.CallExpr {
	target, ok := fnAliases[e.Name.Name]
	if !ok || target == e.Name.Name {
		return e
	}
	ce := *e
	ce.Name = &syntax.Ident{Span: e.Name.Span, Name: target}
	return &ce
}

// columnIfExists resolves column_ifexists(name, default) at compile time:
// the input's column of exactly that name when there is one, else default.
func (c *checker) columnIfExists(e *syntax.CallExpr, s *scope) plan.Expr {
	if len(e.Args) != 2 {
		c.errorf(e, "column_ifexists() takes 2 arguments, not %d", len(e.Args))
		return bad()
	}
	name, ok := e.Args[0].(*syntax.StringLit)
	if !ok {
		c.errorf(e.Args[0], "the column name of column_ifexists() must be a constant string")
		return bad()
	}
	if s != nil {
		for _, col := range s.cols {
			if col.Name == name.Value {
				return &plan.Col{Name: col.Name, T: col.Type}
			}
		}
	}
	return c.expr(e.Args[1], s)
}

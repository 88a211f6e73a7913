package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRoutePermissionsComplete finds every route the package registers (calls
// of Handle and HandleFunc with a pattern written as a string, a sum of
// strings, or a string ranged over from a literal list) and fails for any
// without an entry in routePermissions, and for entries no route uses.
func TestRoutePermissionsComplete(t *testing.T) {
	routes := registeredRoutes(t)
	if len(routes) < 20 {
		t.Fatalf("found only %d routes: the scan is broken", len(routes))
	}
	perms := routePermissions()
	for _, r := range routes {
		if _, ok := perms[r]; !ok {
			t.Errorf("route %q has no entry in routePermissions (authz.go): add one", r)
		}
	}
	for p := range perms {
		if !slices.Contains(routes, p) {
			t.Errorf("routePermissions has %q, which no route registers", p)
		}
	}
}

func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	consts := stringConsts(parsed)
	var routes []string
	for _, f := range parsed {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			ev := evaluator{consts: consts, stack: stack}
			vals, ok := ev.values(call.Args[0])
			if !ok {
				t.Errorf("%s: cannot read the route pattern; write it as a string literal", fset.Position(call.Pos()))
			}
			routes = append(routes, vals...)
			return true
		})
	}
	return routes
}

// stringConsts returns the package's string constants by name.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							out[n.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	return out
}

// evaluator computes the values a route pattern expression may take: string
// literals, sums, package constants, and variables ranged over a literal list
// of strings by an enclosing for statement.
type evaluator struct {
	consts map[string]string
	stack  []ast.Node // the enclosing nodes, outermost first
}

func (ev evaluator) values(e ast.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		return []string{s}, err == nil && e.Kind == token.STRING
	case *ast.Ident:
		if vs, ok := ev.ranged(e.Name); ok {
			return vs, true
		}
		c, ok := ev.consts[e.Name]
		return []string{c}, ok
	case *ast.BinaryExpr:
		l, ok1 := ev.values(e.X)
		r, ok2 := ev.values(e.Y)
		if e.Op != token.ADD || !ok1 || !ok2 {
			return nil, false
		}
		var out []string
		for _, a := range l {
			for _, b := range r {
				out = append(out, a+b)
			}
		}
		return out, true
	}
	return nil, false
}

// ranged returns the strings the innermost enclosing range over a literal
// list binds to name.
func (ev evaluator) ranged(name string) ([]string, bool) {
	for i := len(ev.stack) - 1; i >= 0; i-- {
		rs, ok := ev.stack[i].(*ast.RangeStmt)
		if !ok {
			continue
		}
		v, ok := rs.Value.(*ast.Ident)
		lit, ok2 := rs.X.(*ast.CompositeLit)
		if !ok || !ok2 || v.Name != name {
			continue
		}
		var out []string
		for _, e := range lit.Elts {
			if s, ok := e.(*ast.BasicLit); ok && s.Kind == token.STRING {
				u, _ := strconv.Unquote(s.Value)
				out = append(out, u)
			}
		}
		return out, true
	}
	return nil, false
}

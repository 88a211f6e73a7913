package sema

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// searchTable names the column of search's output that holds each row's table.
const searchTable = "$table"

// searchOps maps the wildcard shape of a search term (a leading and a
// trailing '*') to the string operator Kusto applies.
var searchOps = map[[2]bool]string{
	{false, false}: "has", {true, false}: "hassuffix", {false, true}: "hasprefix", {true, true}: "contains",
}

func checkSearchOp(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	return c.search(in, op.(*syntax.SearchOp))
}

func checkSearchSource(c *checker, s syntax.Source) plan.Node {
	return c.search(nil, s.(*syntax.SearchOp))
}

// search plans search as Kusto defines it: over the piped input, or over
// the union of the named tables with a $table column, keep the rows for
// which the predicate holds, where a bare string term means "any string
// column has the term" and Col:"term" means Col has the term.
func (c *checker) search(in plan.Node, s *syntax.SearchOp) plan.Node {
	cs, ok := c.searchKind(s.Options)
	if !ok {
		return nil
	}
	switch {
	case in != nil && s.Tables != nil:
		c.errorf(s, "search after '|' cannot also name tables with 'in (...)'")
		return nil
	case in == nil && s.Tables == nil:
		c.errorf(s, "search over every table is not supported: name the tables, as in 'search in (SigninLogs, AuditLogs) \"term\"'")
		return nil
	case in == nil:
		src := &syntax.Option{Span: s.Span, Name: "withsource", Value: &syntax.Ident{Span: s.Span, Name: searchTable}}
		if in = c.union(nil, &syntax.UnionOp{Span: s.Span, Options: []*syntax.Option{src}, Tables: s.Tables}); in == nil {
			return nil
		}
	}
	pred, ok := c.searchPred(s.Pred, in.Columns(), cs)
	if !ok {
		return nil
	}
	return checkWhere(c, in, &syntax.WhereOp{Span: s.Span, Keyword: "search", Pred: pred})
}

// searchKind reads kind=case_sensitive|case_insensitive|default.
func (c *checker) searchKind(opts []*syntax.Option) (bool, bool) {
	cs := false
	for _, o := range opts {
		switch v := optionName(o); {
		case o.Name == "kind" && v == "case_sensitive":
			cs = true
		case o.Name == "kind" && (v == "case_insensitive" || v == "default"):
		default:
			c.errorf(o, "unknown search option %s=%s; expected kind=case_sensitive or kind=case_insensitive", o.Name, v)
			return false, false
		}
	}
	return cs, true
}

// searchPred rewrites the search terms of e into string operators.
func (c *checker) searchPred(e syntax.Expr, cols []plan.Column, cs bool) (syntax.Expr, bool) {
	switch e := e.(type) {
	case *syntax.StringLit:
		return c.searchAny(e, cols, cs)
	case *syntax.ParenExpr:
		x, ok := c.searchPred(e.X, cols, cs)
		return &syntax.ParenExpr{Span: e.Span, X: x}, ok
	case *syntax.CallExpr:
		if e.Name.Name == "not" && len(e.Args) == 1 {
			x, ok := c.searchPred(e.Args[0], cols, cs)
			return &syntax.CallExpr{Span: e.Span, Name: e.Name, Args: []syntax.Expr{x}}, ok
		}
	case *syntax.BinaryExpr:
		switch e.Op {
		case "and", "or":
			x, okX := c.searchPred(e.X, cols, cs)
			y, okY := c.searchPred(e.Y, cols, cs)
			return &syntax.BinaryExpr{Span: e.Span, Op: e.Op, X: x, Y: y}, okX && okY
		case ":":
			lit, isLit := e.Y.(*syntax.StringLit)
			if !isLit {
				c.errorf(e.Y, "the term after ':' in search must be a string literal")
				return nil, false
			}
			op, term, ok := c.searchTerm(lit, cs)
			return &syntax.BinaryExpr{Span: e.Span, Op: op, X: e.X, Y: term}, ok
		}
	}
	return e, true
}

// searchAny is "some string column matches the term" (false when the input
// has no string column).
func (c *checker) searchAny(lit *syntax.StringLit, cols []plan.Column, cs bool) (syntax.Expr, bool) {
	op, term, ok := c.searchTerm(lit, cs)
	if !ok {
		return nil, false
	}
	var x syntax.Expr
	for _, col := range cols {
		if col.Type != schema.TypeString || col.Name == searchTable {
			continue
		}
		m := &syntax.BinaryExpr{Span: lit.Span, Op: op, X: &syntax.Ident{Span: lit.Span, Name: col.Name}, Y: term}
		if x == nil {
			x = m
		} else {
			x = &syntax.BinaryExpr{Span: lit.Span, Op: "or", X: x, Y: m}
		}
	}
	if x == nil {
		return &syntax.BoolLit{Span: lit.Span}, true
	}
	return &syntax.ParenExpr{Span: lit.Span, X: x}, true
}

// searchTerm is the operator and operand of a search term: "*x" is
// hassuffix, "x*" hasprefix, "*x*" contains, else has (with _cs under
// kind=case_sensitive).
func (c *checker) searchTerm(lit *syntax.StringLit, cs bool) (string, *syntax.StringLit, bool) {
	v := lit.Value
	pre := strings.HasPrefix(v, "*")
	v = strings.TrimPrefix(v, "*")
	suf := strings.HasSuffix(v, "*")
	v = strings.TrimSuffix(v, "*")
	if v == "" || strings.Contains(v, "*") {
		c.errorf(lit, "a search term with '*' inside (a regular expression match) is not supported yet")
		return "", nil, false
	}
	op := searchOps[[2]bool{pre, suf}]
	if cs {
		op += "_cs"
	}
	return op, &syntax.StringLit{Span: lit.Span, Value: v}, true
}

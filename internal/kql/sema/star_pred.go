package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// starOps are the string operators Kusto accepts with '*' (every column) on
// their left: 'where * has "x"' is true when some column has the term.
var starOps = map[string]bool{
	"has": true, "!has": true, "has_cs": true, "!has_cs": true,
	"contains": true, "!contains": true, "contains_cs": true, "!contains_cs": true,
	"hasprefix": true, "hassuffix": true, "hasprefix_cs": true, "hassuffix_cs": true,
	"startswith": true, "endswith": true, "startswith_cs": true, "endswith_cs": true,
}

// rewriteStarPred replaces every '* op term' in a where predicate by the
// disjunction of 'Col op term' over the string columns of the input (false
// when there is none), as search does. A negated operator ('* !has "x"')
// holds when no column has the term.
func (c *checker) rewriteStarPred(e syntax.Expr, cols []plan.Column) syntax.Expr {
	switch x := e.(type) {
	case *syntax.ParenExpr:
		return &syntax.ParenExpr{Span: x.Span, X: c.rewriteStarPred(x.X, cols)}
	case *syntax.CallExpr:
		if x.Name.Name == "not" && len(x.Args) == 1 {
			return &syntax.CallExpr{Span: x.Span, Name: x.Name, Args: []syntax.Expr{c.rewriteStarPred(x.Args[0], cols)}}
		}
	case *syntax.BinaryExpr:
		if _, star := x.X.(*syntax.StarExpr); star && starOps[x.Op] {
			return starDisjunction(x, cols)
		}
		if x.Op == "and" || x.Op == "or" {
			return &syntax.BinaryExpr{Span: x.Span, Op: x.Op, X: c.rewriteStarPred(x.X, cols), Y: c.rewriteStarPred(x.Y, cols)}
		}
	}
	return e
}

// starDisjunction builds (C1 op t or C2 op t ...) for the string columns, or
// for a negated op, not(C1 op' t or ...).
func starDisjunction(b *syntax.BinaryExpr, cols []plan.Column) syntax.Expr {
	op, neg := b.Op, false
	if op[0] == '!' {
		op, neg = op[1:], true
	}
	var x syntax.Expr
	for _, col := range cols {
		if col.Type != schema.TypeString || col.Name == searchTable {
			continue
		}
		m := &syntax.BinaryExpr{Span: b.Span, Op: op, X: &syntax.Ident{Span: b.X.(*syntax.StarExpr).Span, Name: col.Name}, Y: b.Y}
		if x == nil {
			x = m
		} else {
			x = &syntax.BinaryExpr{Span: b.Span, Op: "or", X: x, Y: m}
		}
	}
	if x == nil {
		x = &syntax.BoolLit{Span: b.Span}
	}
	x = &syntax.ParenExpr{Span: b.Span, X: x}
	if neg {
		return &syntax.CallExpr{Span: b.Span, Name: &syntax.Ident{Span: b.Span, Name: "not"}, Args: []syntax.Expr{x}}
	}
	return x
}

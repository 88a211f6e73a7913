package syntax

import (
	"strings"
	"unicode/utf8"
)

// precedence returns the binding strength of a binary operator.
func precedence(op string) int {
	switch op {
	case "or":
		return 1
	case "and":
		return 2
	case "+", "-":
		return 4
	case "*", "/", "%":
		return 5
	}
	return 3
}

func exprPrec(x Expr) int {
	switch x := x.(type) {
	case *BinaryExpr:
		return precedence(x.Op)
	case *InExpr, *BetweenExpr:
		return 3
	case *UnaryExpr:
		return 6
	}
	return 7
}

// operand prints x, parenthesized if it binds less tightly than min.
func (pr *printer) operand(x Expr, min int) {
	if exprPrec(x) < min {
		pr.str("(")
		pr.expr(x)
		pr.str(")")
		return
	}
	pr.expr(x)
}

func (pr *printer) expr(x Expr) {
	switch x := x.(type) {
	case nil:
	case *Ident:
		pr.ident(x)
	case *Wildcard:
		pr.str(x.Pattern)
	case *IntLit:
		pr.str(x.Text)
	case *RealLit:
		pr.str(x.Text)
	case *TimespanLit:
		pr.str(x.Text)
	case *StringLit:
		if x.Obfuscated {
			pr.str("h")
		}
		pr.str(stringLiteral(x.Value))
	case *BoolLit:
		pr.str(map[bool]string{true: "true", false: "false"}[x.Value])
	case *TypedLit:
		pr.str(x.Type + "(" + x.Value + ")")
	case *NullLit:
		pr.str("null")
	case *StarExpr:
		pr.str("*")
	case *BadExpr:
		pr.str("<bad>")
	default:
		pr.compound(x)
	}
}

// compound prints expressions that contain other expressions.
func (pr *printer) compound(x Expr) {
	switch x := x.(type) {
	case *DynamicLit:
		pr.str("dynamic(")
		pr.expr(x.Value)
		pr.str(")")
	case *ArrayLit:
		pr.str("[")
		pr.exprs(x.Elems, ", ")
		pr.str("]")
	case *BagLit:
		pr.bag(x)
	case *UnaryExpr:
		pr.str(x.Op)
		pr.operand(x.X, 6)
	case *BinaryExpr:
		prec := precedence(x.Op)
		pr.operand(x.X, prec)
		pr.str(" " + x.Op + " ")
		pr.operand(x.Y, prec+1)
	case *InExpr:
		pr.operand(x.X, 3)
		pr.str(" " + x.Op + " (")
		pr.exprs(x.List, ", ")
		pr.str(")")
	case *BetweenExpr:
		pr.between(x)
	default:
		pr.postfix(x)
	}
}

func (pr *printer) bag(x *BagLit) {
	pr.str("{")
	for i, e := range x.Entries {
		if i > 0 {
			pr.str(", ")
		}
		pr.str(QuoteString(e.Key) + ": ")
		pr.expr(e.Value)
	}
	pr.str("}")
}

func (pr *printer) between(x *BetweenExpr) {
	pr.operand(x.X, 3)
	if x.Not {
		pr.str(" !between (")
	} else {
		pr.str(" between (")
	}
	pr.operand(x.Lo, 4)
	pr.str(" .. ")
	pr.operand(x.Hi, 4)
	pr.str(")")
}

func (pr *printer) postfix(x Expr) {
	switch x := x.(type) {
	case *CallExpr:
		pr.ident(x.Name)
		pr.str("(")
		pr.exprs(x.Args, ", ")
		pr.str(")")
	case *MemberExpr:
		pr.operand(x.X, 7)
		pr.str(".")
		pr.ident(x.Name)
	case *IndexExpr:
		pr.operand(x.X, 7)
		pr.str("[")
		pr.expr(x.Index)
		pr.str("]")
	case *ParenExpr:
		pr.str("(")
		pr.expr(x.X)
		pr.str(")")
	case *TabularExpr:
		pr.pipeline(x.Query)
	case *FuncExpr:
		pr.funcExpr(x)
	case *ListExpr:
		pr.exprs(x.Elems, ", ")
	case *NamedArg:
		pr.expr(x.Name)
		pr.str(" = ")
		pr.expr(x.Value)
	}
}

func (pr *printer) funcExpr(f *FuncExpr) {
	if f.View {
		pr.str("view ")
	}
	pr.str("(")
	for i, prm := range f.Params {
		if i > 0 {
			pr.str(", ")
		}
		pr.param(prm)
	}
	pr.str(") { ")
	pr.nested++
	pr.stmts(f.Body, "; ")
	pr.nested--
	pr.str(" }")
}

func (pr *printer) param(prm *Param) {
	pr.ident(prm.Name)
	pr.str(":")
	switch {
	case prm.Star:
		pr.str("(*)")
	case prm.Tabular:
		pr.str("(")
		pr.columnDecls(prm.Columns)
		pr.str(")")
	default:
		pr.str(prm.Type)
	}
	if prm.Default != nil {
		pr.str(" = ")
		pr.expr(prm.Default)
	}
}

// stringLiteral renders a string value, as a verbatim @"..." literal when
// that avoids escaping backslashes (regular expressions, Windows paths).
func stringLiteral(v string) string {
	if !strings.Contains(v, `\`) || strings.ContainsAny(v, "\"\r\n") || !utf8.ValidString(v) {
		return QuoteString(v)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return QuoteString(v)
		}
	}
	return `@"` + v + `"`
}

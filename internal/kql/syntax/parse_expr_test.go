package syntax

import (
	"strings"
	"testing"
)

// sexpr renders an expression as a fully parenthesized prefix form so tests
// can assert precedence and associativity exactly.
func sexpr(x Expr) string {
	switch x := x.(type) {
	case *BinaryExpr:
		return "(" + x.Op + " " + sexpr(x.X) + " " + sexpr(x.Y) + ")"
	case *UnaryExpr:
		return "(" + x.Op + " " + sexpr(x.X) + ")"
	case *InExpr:
		return "(" + x.Op + " " + sexpr(x.X) + " [" + sexprs(x.List) + "])"
	case *BetweenExpr:
		op := "between"
		if x.Not {
			op = "!between"
		}
		return "(" + op + " " + sexpr(x.X) + " " + sexpr(x.Lo) + " " + sexpr(x.Hi) + ")"
	case *CallExpr:
		if len(x.Args) == 0 {
			return "(" + x.Name.Name + ")"
		}
		return "(" + x.Name.Name + " " + sexprs(x.Args) + ")"
	case *MemberExpr:
		return "(. " + sexpr(x.X) + " " + x.Name.Name + ")"
	case *IndexExpr:
		return "([] " + sexpr(x.X) + " " + sexpr(x.Index) + ")"
	case *ParenExpr:
		return "(paren " + sexpr(x.X) + ")"
	case *TabularExpr:
		return "{" + strings.ReplaceAll(Format(x.Query), "\n", " ") + "}"
	}
	return Format(x)
}

func sexprs(list []Expr) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = sexpr(x)
	}
	return strings.Join(parts, " ")
}

func TestParseExprPrecedence(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a or b and c", "(or a (and b c))"},
		{"a and b or c and d", "(or (and a b) (and c d))"},
		{"a == 1 and b != 2", "(and (== a 1) (!= b 2))"},
		{"a + b * c - d", "(- (+ a (* b c)) d)"},
		{"a - b - c", "(- (- a b) c)"},
		{"a / b % c * d", "(* (% (/ a b) c) d)"},
		{"-a * b", "(* (- a) b)"},
		{"- -a", "(- (- a))"},
		{"a + b > c * 2", "(> (+ a b) (* c 2))"},
		{"x has 'a' or y !has 'b'", `(or (has x "a") (!has y "b"))`},
		{"x contains_cs 'a' and y startswith 'b' and z endswith_cs 'c'", `(and (and (contains_cs x "a") (startswith y "b")) (endswith_cs z "c"))`},
		{"x hasprefix 'a' or x !hassuffix_cs 'b'", `(or (hasprefix x "a") (!hassuffix_cs x "b"))`},
		{"x =~ 'A' and x !~ 'b' and x <> 1", `(and (and (=~ x "A") (!~ x "b")) (<> x 1))`},
		{"x matches regex @'\\d+'", `(matches regex x @"\d+")`},
		{"x in (1, 2, 3)", "(in x [1 2 3])"},
		{"x !in~ ('a') and y in~ (z)", `(and (!in~ x ["a"]) (in~ y [z]))`},
		{"x has_any ('a', 'b') or x has_all (list)", `(or (has_any x ["a" "b"]) (has_all x [list]))`},
		{"x between (1 .. 10)", "(between x 1 10)"},
		{"t !between (ago(1d) .. now())", "(!between t (ago 1d) (now))"},
		{"x + 1 between (a - 1 .. b + 1)", "(between (+ x 1) (- a 1) (+ b 1))"},
		{"not(a and b)", "(not (and a b))"},
		{"d.a.b", "(. (. d a) b)"},
		{"d['k'][0].x", `(. ([] ([] d "k") 0) x)`},
		{"f(x)[1]", "([] (f x) 1)"},
		{"$left.a == $right.b", "(== (. $left a) (. $right b))"},
		{"arg_max(T, *)", "(arg_max T *)"},
		{"count()", "(count)"},
		{"(a + b) * c", "(* (paren (+ a b)) c)"},
		{"a in (T | project x)", "(in a [{T | project x}])"},
		{"toscalar(T | count)", "(toscalar {T | count})"},
		{"iff(a > 1, 'x', 'y')", `(iff (> a 1) "x" "y")`},
		{"true and false", "(and true false)"},
		{"['my col'] == 1", `(== ["my col"] 1)`},
		{"ago(1d) < t", "(< (ago 1d) t)"},
		{"dynamic([1, 'a', {'k': null}])", `dynamic([1, "a", {"k": null}])`},
		{"datetime(2024-01-01) + 1h", "(+ datetime(2024-01-01) 1h)"},
		{"'a' 'b'", `"ab"`},
	}
	for _, tt := range tests {
		x, diags := ParseExpr(tt.src)
		if len(diags) > 0 {
			t.Errorf("ParseExpr(%q): %s", tt.src, diagString(diags))
			continue
		}
		if got := sexpr(x); got != tt.want {
			t.Errorf("ParseExpr(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestParseLiterals(t *testing.T) {
	tests := []struct{ src, want string }{
		{"42", `(IntLit Text:"42" Value:42)`},
		{"0x10", `(IntLit Text:"0x10" Value:16)`},
		{"1.5", `(RealLit Text:"1.5" Value:1.5)`},
		{"1.5h", `(TimespanLit Text:"1.5h" Value:5400000000000)`},
		{"100ms", `(TimespanLit Text:"100ms" Value:100000000)`},
		{"1tick", `(TimespanLit Text:"1tick" Value:100)`},
		{"datetime(null)", `(TypedLit Type:"datetime" Value:"null")`},
		{"date(2024-01-01)", `(TypedLit Type:"datetime" Value:"2024-01-01")`},
		{"double(1.5)", `(TypedLit Type:"real" Value:"1.5")`},
		{"timespan(1.02:03:04)", `(TypedLit Type:"timespan" Value:"1.02:03:04")`},
		{"h'x'", `(StringLit Value:"x" Obfuscated:true)`},
		{"dynamic(null)", `(DynamicLit Value:(NullLit))`},
		{"dynamic({'a': -1})", `(DynamicLit Value:(BagLit Entries:[(BagEntry Key:"a" Value:(UnaryExpr Op:"-" X:(IntLit Text:"1" Value:1)))]))`},
		{"false", `(BoolLit)`},
		{"False", `(BoolLit)`},
		{"TRUE", `(BoolLit Value:true)`},
	}
	for _, tt := range tests {
		x, diags := ParseExpr(tt.src)
		if len(diags) > 0 {
			t.Errorf("ParseExpr(%q): %s", tt.src, diagString(diags))
			continue
		}
		if got := Dump(x); got != tt.want {
			t.Errorf("ParseExpr(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestSpans(t *testing.T) {
	src := "T | where a.b == f(1, 'x') and c in (1)"
	s, diags := Parse(src)
	if len(diags) > 0 {
		t.Fatal(diagString(diags))
	}
	pl := s.Stmts[0].(*ExprStmt).X.(*TabularExpr).Query
	w := pl.Ops[0].(*WhereOp)
	and := w.Pred.(*BinaryExpr)
	eq := and.X.(*BinaryExpr)
	checks := []struct {
		n    Node
		want string
	}{
		{pl, src},
		{pl.Source, "T"},
		{w, "where a.b == f(1, 'x') and c in (1)"},
		{and, "a.b == f(1, 'x') and c in (1)"},
		{eq.X, "a.b"},
		{eq.X.(*MemberExpr).Name, "b"},
		{eq.Y, "f(1, 'x')"},
		{eq.Y.(*CallExpr).Args[1], "'x'"},
		{and.Y, "c in (1)"},
	}
	for _, c := range checks {
		sp := c.n.NodeSpan()
		if got := src[sp.Start:sp.End]; got != c.want {
			t.Errorf("%T span covers %q, want %q", c.n, got, c.want)
		}
	}
}

package syntax

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Format renders a node as canonical KQL. Parsing the result yields the
// same tree (ignoring spans). Top-level pipelines put each '|' on its own
// line; nested ones stay on one line.
func Format(n Node) string {
	pr := &printer{}
	pr.node(n)
	return pr.b.String()
}

type printer struct {
	b      strings.Builder
	nested int
}

func (pr *printer) str(s string) { pr.b.WriteString(s) }

func (pr *printer) node(n Node) {
	switch n := n.(type) {
	case *Script:
		pr.stmts(n.Stmts, ";\n")
	case Stmt:
		pr.stmt(n)
	case Expr:
		pr.expr(n)
	case *Pipeline:
		pr.pipeline(n)
	case Source:
		pr.source(n)
	case Operator:
		pr.operator(n)
	case *NamedExpr:
		pr.named(n)
	case *SortKey:
		pr.sortKey(n)
	case *Option:
		pr.option(n)
	default:
		pr.str(fmt.Sprintf("<%T>", n))
	}
}

func (pr *printer) stmts(list []Stmt, sep string) {
	for i, s := range list {
		if i > 0 {
			pr.str(sep)
		}
		pr.stmt(s)
	}
}

func (pr *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		pr.str("let ")
		pr.ident(s.Name)
		pr.str(" = ")
		pr.expr(s.Value)
	case *SetStmt:
		pr.str("set " + s.Name)
		if s.Value != nil {
			pr.str(" = ")
			pr.expr(s.Value)
		}
	case *ExprStmt:
		pr.expr(s.X)
	}
}

// ident prints a name, bracketing it when it was quoted or is not a plain
// identifier.
func (pr *printer) ident(id *Ident) {
	if id == nil {
		return
	}
	if id.Quoted || !plainIdent(id.Name) {
		pr.str("[" + QuoteString(id.Name) + "]")
		return
	}
	pr.str(id.Name)
}

// plainIdent reports whether s lexes as a single identifier token.
func plainIdent(s string) bool {
	if s == "" || strings.HasPrefix(s, "!") {
		return false
	}
	toks, diags := Lex(s)
	return len(diags) == 0 && len(toks) == 2 && toks[0].Kind == TokIdent && toks[0].Text == s
}

// QuoteString renders s as a double-quoted KQL string literal, escaped so that the lexer reads
// back exactly s.
func QuoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && size == 1:
			b.WriteByte(s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

func (pr *printer) exprs(list []Expr, sep string) {
	for i, x := range list {
		if i > 0 {
			pr.str(sep)
		}
		pr.expr(x)
	}
}

func (pr *printer) named(n *NamedExpr) {
	if n == nil {
		return
	}
	switch len(n.Names) {
	case 0:
	case 1:
		pr.ident(n.Names[0])
		pr.str(" = ")
	default:
		pr.str("(")
		for i, id := range n.Names {
			if i > 0 {
				pr.str(", ")
			}
			pr.ident(id)
		}
		pr.str(") = ")
	}
	pr.expr(n.Expr)
}

func (pr *printer) namedList(list []*NamedExpr) {
	for i, n := range list {
		if i > 0 {
			pr.str(", ")
		}
		pr.named(n)
	}
}

func (pr *printer) sortKey(k *SortKey) {
	pr.expr(k.Expr)
	if k.Order != "" {
		pr.str(" " + k.Order)
	}
	if k.Nulls != "" {
		pr.str(" nulls " + k.Nulls)
	}
}

func (pr *printer) sortKeys(keys []*SortKey) {
	for i, k := range keys {
		if i > 0 {
			pr.str(", ")
		}
		pr.sortKey(k)
	}
}

func (pr *printer) option(o *Option) {
	pr.str(o.Name + "=")
	pr.expr(o.Value)
}

// options prints each option followed by a space.
func (pr *printer) options(opts []*Option) {
	for _, o := range opts {
		pr.option(o)
		pr.str(" ")
	}
}

func (pr *printer) columnDecls(cols []*ColumnDecl) {
	for i, c := range cols {
		if i > 0 {
			pr.str(", ")
		}
		pr.ident(c.Name)
		pr.str(":" + c.Type)
	}
}

func (pr *printer) pipeline(pl *Pipeline) {
	if pl == nil {
		return
	}
	sep := " "
	if pr.nested == 0 {
		sep = "\n"
	}
	pr.nested++
	defer func() { pr.nested-- }()
	if pl.Source != nil {
		pr.source(pl.Source)
	}
	for i, op := range pl.Ops {
		if i > 0 || pl.Source != nil {
			pr.str(sep + "| ")
		}
		pr.operator(op)
	}
}

func (pr *printer) tables(list []*Pipeline) {
	for i, t := range list {
		if i > 0 {
			pr.str(", ")
		}
		pr.pipeline(t)
	}
}

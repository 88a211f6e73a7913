package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// parse compiles its pattern to a regular expression anchored at both ends and padded with
// lazy wildcards, ^.*?R.*?$ (`parse x with * "user " User " " *`). RE2 must then match the
// whole line, and find its submatches over the whole line, where R alone stops at its match:
// in the hunting benchmark the anchored form cost a third more CPU than the whole query
// otherwise (BENCHMARKS.md). When no part of the pattern can match a newline, ^.*?R.*?$
// matches a text exactly when the text holds no newline and R matches somewhere in it, and
// with the same submatches: the lazy prefix picks the leftmost start at which R matches, as
// an unanchored search does, and the lazy suffix matches whatever follows. unanchorRegexes
// rewrites DuckDB's regexp_matches and regexp_extract calls on such constant patterns so.

// unanchorRegexes rewrites the regular-expression calls of every expression of q.
func unanchorRegexes(q Query) {
	mapQuery(q, unanchorCall)
}

// unanchorCall rewrites regexp_matches(s, '^.*?R.*?$') to
// strpos(s, chr(10)) = 0 AND regexp_matches(s, 'R'), and regexp_extract(s, '^.*?R.*?$', g)
// to CASE WHEN strpos(s, chr(10)) > 0 THEN <empty> ELSE regexp_extract(s, 'R', g) END (the
// empty string is DuckDB's answer when nothing matches). A null s gives null either way. s
// must be a plain column: it is read twice.
func unanchorCall(e Expr) Expr {
	f, ok := e.(*Func)
	if !ok || f.Distinct || f.Filter != nil || len(f.OrderBy) > 0 {
		return e
	}
	matches := f.Name == "regexp_matches" && len(f.Args) == 2
	extract := f.Name == "regexp_extract" && (len(f.Args) == 2 || len(f.Args) == 3)
	if !matches && !extract || !isPlainColumn(f.Args[0]) {
		return e
	}
	lit, ok := f.Args[1].(*Lit)
	if !ok || lit.T != schema.TypeString {
		return e
	}
	p, ok := lit.V.(string)
	if !ok {
		return e
	}
	r, ok := unanchoredCore(p)
	if !ok {
		return e
	}
	s := f.Args[0]
	nl := Call("strpos", s, Call("chr", &Lit{V: int64(10), T: schema.TypeInt}))
	args := append([]Expr{s, Str(r)}, f.Args[2:]...)
	if matches {
		return Bin("AND", Bin("=", nl, Int(0)), &Func{Name: f.Name, Args: args})
	}
	return &Case{
		Whens: []When{{Cond: Bin(">", nl, Int(0)), Then: Str("")}},
		Else:  &Func{Name: f.Name, Args: args},
	}
}

const (
	lazyHead = "^.*?"
	lazyTail = ".*?$"
)

// unanchoredCore is R of a pattern ^.*?R.*?$ in which nothing can match a newline.
func unanchoredCore(p string) (string, bool) {
	if len(p) < len(lazyHead)+len(lazyTail) || !strings.HasPrefix(p, lazyHead) || !strings.HasSuffix(p, lazyTail) {
		return "", false
	}
	r := p[len(lazyHead) : len(p)-len(lazyTail)]
	if r == "" {
		return "", false
	}
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) < 4 {
		return "", false
	}
	subs := re.Sub
	n := len(subs)
	if subs[0].Op != syntax.OpBeginText || !isLazyAny(subs[1]) || !isLazyAny(subs[n-2]) || subs[n-1].Op != syntax.OpEndText {
		return "", false
	}
	for _, s := range subs[2 : n-2] {
		if mayMatchNewline(s) {
			return "", false
		}
	}
	if _, err := syntax.Parse(r, syntax.Perl); err != nil {
		return "", false
	}
	return r, true
}

// isLazyAny is .*? without the s flag.
func isLazyAny(re *syntax.Regexp) bool {
	return re.Op == syntax.OpStar && re.Flags&syntax.NonGreedy != 0 && len(re.Sub) == 1 && re.Sub[0].Op == syntax.OpAnyCharNotNL
}

// mayMatchNewline reports whether re could match a newline, or holds an anchor or boundary
// whose meaning could depend on the anchors removed (conservatively, yes).
func mayMatchNewline(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpNoMatch, syntax.OpAnyCharNotNL:
		return false
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == '\n' {
				return true
			}
		}
		return false
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return true
			}
		}
		return false
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpConcat, syntax.OpAlternate:
		for _, s := range re.Sub {
			if mayMatchNewline(s) {
				return true
			}
		}
		return false
	default: // any character, line or text anchors, word boundaries
		return true
	}
}

// mapQuery replaces every expression node of q, its FROM items and its subqueries by f of
// it, bottom-up. Nodes are copied, not changed: the simplified tree shares some.
func mapQuery(q Query, f func(Expr) Expr) {
	switch q := q.(type) {
	case *Select:
		for i := range q.Items {
			q.Items[i].X = mapExpr(q.Items[i].X, f)
		}
		q.Where = mapExpr(q.Where, f)
		for i := range q.GroupBy {
			q.GroupBy[i] = mapExpr(q.GroupBy[i], f)
		}
		q.Qualify = mapExpr(q.Qualify, f)
		for i := range q.OrderBy {
			q.OrderBy[i].X = mapExpr(q.OrderBy[i].X, f)
		}
		mapFrom(q.From, f)
	case *SetOp:
		for _, p := range q.Parts {
			mapQuery(p, f)
		}
	}
}

func mapFrom(fr From, f func(Expr) Expr) {
	switch fr := fr.(type) {
	case *Subquery:
		mapQuery(fr.Q, f)
	case *Join:
		mapFrom(fr.L, f)
		mapFrom(fr.R, f)
		fr.On = mapExpr(fr.On, f)
	}
}

// mapExpr is e with f applied to each node, children first.
func mapExpr(e Expr, f func(Expr) Expr) Expr {
	if e == nil {
		return nil
	}
	m := func(x Expr) Expr { return mapExpr(x, f) }
	switch e := e.(type) {
	case *Func:
		if e == nil {
			return e
		}
		c := *e
		c.Args = subAll(e.Args, m)
		c.OrderBy = subOrders(e.OrderBy, m)
		c.Filter = m(e.Filter)
		return f(&c)
	case *Binary:
		return f(&Binary{Op: e.Op, L: m(e.L), R: m(e.R)})
	case *Unary:
		return f(&Unary{Op: e.Op, X: m(e.X)})
	case *IsNull:
		return f(&IsNull{X: m(e.X), Not: e.Not})
	case *In:
		if e.Sub != nil {
			mapQuery(e.Sub, f)
		}
		return f(&In{X: m(e.X), List: subAll(e.List, m), Sub: e.Sub, Not: e.Not})
	case *ScalarSub:
		mapQuery(e.Q, f)
		return f(e)
	case *Case:
		c := &Case{Else: m(e.Else)}
		for _, w := range e.Whens {
			c.Whens = append(c.Whens, When{Cond: m(w.Cond), Then: m(w.Then)})
		}
		return f(c)
	case *Cast:
		return f(&Cast{X: m(e.X), T: e.T, Try: e.Try})
	case *Field:
		return f(&Field{X: m(e.X), Name: e.Name, Index: e.Index})
	case *StructPack:
		return f(&StructPack{Names: e.Names, Vals: subAll(e.Vals, m)})
	case *Window:
		fn := *e.Fn
		fn.Args = subAll(e.Fn.Args, m)
		return f(&Window{Fn: &fn, PartitionBy: subAll(e.PartitionBy, m), OrderBy: subOrders(e.OrderBy, m), Frame: e.Frame})
	case *Lambda:
		return f(&Lambda{Params: e.Params, Body: m(e.Body)})
	}
	return f(e)
}

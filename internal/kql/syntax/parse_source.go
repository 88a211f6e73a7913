package syntax

// sourceKeywords are the words that start a tabular source other than a
// table name or a call.
var sourceKeywords = map[string]bool{
	"union": true, "datatable": true, "externaldata": true, "range": true, "print": true, "find": true, "search": true,
}

// parseSourceKeyword parses the keyword source starting at the current word.
func (p *parser) parseSourceKeyword() Source {
	switch p.cur().Text {
	case "union":
		return p.parseUnionSource()
	case "datatable":
		return p.parseDatatable()
	case "externaldata":
		return p.parseExternalData()
	case "range":
		return p.parseRange()
	case "print":
		return p.parsePrint()
	case "find":
		return p.parseFind()
	}
	return p.parseSearchSource()
}

// atSourceKeyword reports whether the current word starts a keyword source.
// Keywords are contextual: "print" followed by '|' or ',' is a name.
func (p *parser) atSourceKeyword() bool {
	t := p.cur()
	if t.Kind != TokIdent || !sourceKeywords[t.Text] {
		return false
	}
	n := p.peek(1)
	switch t.Text {
	case "datatable", "externaldata":
		return n.Kind == TokLParen
	case "range":
		return n.Kind == TokIdent || n.Kind == TokLBracket
	}
	switch n.Kind {
	case TokLBracket:
		return p.peek(2).Kind == TokString && p.peek(3).Kind == TokRBracket
	case TokEOF, TokPipe, TokRParen, TokRBracket, TokRBrace, TokComma, TokSemi, TokDot,
		TokAssign, TokEq, TokNotEq, TokLt, TokGt, TokLtEq, TokGtEq, TokSlash, TokPercent:
		return false
	default:
		return true
	}
}

// parseTabularOrExpr parses an expression that may be tabular: a keyword
// source or an expression followed by '|' operators becomes a TabularExpr.
func (p *parser) parseTabularOrExpr() Expr {
	start := p.start()
	if p.atSourceKeyword() {
		src := p.parseSourceKeyword()
		pl := p.parsePipes(start, src)
		return &TabularExpr{Span: pl.Span, Query: pl}
	}
	x := p.parseExpr()
	if !p.at(TokPipe) || !isSourceExpr(x) {
		return x
	}
	pl := p.parsePipes(start, p.exprToSource(x))
	return &TabularExpr{Span: pl.Span, Query: pl}
}

// isSourceExpr reports whether x can start a pipeline: a name, a call or a
// parenthesized expression.
func isSourceExpr(x Expr) bool {
	switch x.(type) {
	case *Ident, *CallExpr, *ParenExpr, *TabularExpr:
		return true
	}
	return false
}

// exprToSource converts a parsed expression to the source it names.
func (p *parser) exprToSource(x Expr) Source {
	switch x := x.(type) {
	case *Ident:
		return &TableRef{Span: x.Span, Name: x.Name, Quoted: x.Quoted}
	case *CallExpr:
		return &CallSource{Span: x.Span, Call: x}
	case *ParenExpr:
		return &ParenSource{Span: x.Span, Query: p.toPipeline(x.X)}
	case *TabularExpr:
		return &ParenSource{Span: x.Span, Query: x.Query}
	case *BadExpr:
		return nil
	}
	p.errorf(x.NodeSpan(), "expected a table name, a tabular function call or a parenthesized query")
	return nil
}

// toPipeline returns x as a pipeline: the query of a TabularExpr, or a
// pipeline whose source is x.
func (p *parser) toPipeline(x Expr) *Pipeline {
	if t, ok := x.(*TabularExpr); ok {
		return t.Query
	}
	return &Pipeline{Span: x.NodeSpan(), Source: p.exprToSource(x)}
}

// parsePipes parses "| operator" repeatedly after src.
func (p *parser) parsePipes(start int, src Source) *Pipeline {
	pl := &Pipeline{Source: src}
	for p.accept(TokPipe) {
		if op := p.parseOperator(); op != nil {
			pl.Ops = append(pl.Ops, op)
		}
	}
	pl.Span = p.span(start)
	return pl
}

// parseSubquery parses "( operator | operator ... )": a pipeline over the
// implicit input, as in mv-apply, facet and fork.
func (p *parser) parseSubquery(context string) *Pipeline {
	open := p.cur()
	if !p.expect(TokLParen, context) {
		return &Pipeline{Span: Span{open.Span.Start, open.Span.Start}}
	}
	if !p.enter() {
		p.leave()
		p.skipTo(TokRParen)
		return &Pipeline{Span: p.span(open.Span.Start)}
	}
	defer p.leave()
	pl := &Pipeline{}
	p.accept(TokPipe)
	for {
		if op := p.parseOperator(); op != nil {
			pl.Ops = append(pl.Ops, op)
		}
		if !p.accept(TokPipe) {
			break
		}
	}
	p.expectClose(open)
	pl.Span = p.span(open.Span.Start)
	return pl
}

// parseTableList parses the comma-separated tables of union, find and
// search: names, wildcards, calls and parenthesized queries.
func (p *parser) parseTableList() []*Pipeline {
	var list []*Pipeline
	for {
		list = append(list, p.parseTableItem())
		if !p.accept(TokComma) {
			return list
		}
	}
}

func (p *parser) parseTableItem() *Pipeline {
	if w := p.parseWildcard(); w != nil {
		return &Pipeline{Span: w.Span, Source: &TableRef{Span: w.Span, Name: w.Pattern, Wildcard: true}}
	}
	if !p.enter() {
		p.leave()
		return &Pipeline{Span: p.cur().Span}
	}
	defer p.leave()
	return p.toPipeline(p.parsePostfix())
}

// parseWildcard parses a name pattern containing '*' (Device*, *Events, *)
// written without spaces; it returns nil, consuming nothing, otherwise.
func (p *parser) parseWildcard() *Wildcard {
	t := p.cur()
	if t.Kind != TokIdent && t.Kind != TokStar {
		return nil
	}
	n, end, star := 0, t.Span.Start, false
	for {
		u := p.peek(n)
		if u.Span.Start != end || u.Kind != TokIdent && u.Kind != TokStar && u.Kind != TokInt {
			break
		}
		star = star || u.Kind == TokStar
		end = u.Span.End
		n++
	}
	if !star {
		return nil
	}
	for range n {
		p.next()
	}
	return &Wildcard{Span: Span{t.Span.Start, end}, Pattern: p.src[t.Span.Start:end]}
}

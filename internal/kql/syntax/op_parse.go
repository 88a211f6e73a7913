package syntax

// parseParse parses parse/parse-where [kind=...] [flags=...] Source with Pattern.
func parseParse(p *parser, name Token) Operator {
	op := &ParseOp{Keyword: name.Text, Options: p.parseOptions("kind", "flags")}
	op.Source = p.parseExpr()
	if p.expectWord("with", "after the source of '"+name.Text+"'") {
		op.Pattern = parsePattern(p)
	}
	op.Span = p.span(name.Span.Start)
	return op
}

// parsePattern parses the items of a parse pattern: string literals, '*'
// and Name[:Type] columns.
func parsePattern(p *parser) []*ParseItem {
	var items []*ParseItem
	for {
		t := p.cur()
		switch {
		case t.Kind == TokString:
			p.next()
			lit := p.stringLit(t)
			items = append(items, &ParseItem{Span: lit.Span, Kind: ParseLiteral, Literal: lit})
		case t.Kind == TokStar:
			p.next()
			items = append(items, &ParseItem{Span: t.Span, Kind: ParseStar})
		case p.atName():
			it := &ParseItem{Kind: ParseColumn, Column: p.parseName("")}
			if p.accept(TokColon) {
				it.Type = p.parseTypeName()
			}
			it.Span = p.span(t.Span.Start)
			items = append(items, it)
		default:
			if items == nil {
				p.expected("a parse pattern of string literals, '*' and column names")
			}
			return items
		}
	}
}

// parseParseKV parses parse-kv Source as (Cols) [with (Options)].
func parseParseKV(p *parser, name Token) Operator {
	op := &ParseKVOp{Source: p.parseExpr()}
	if p.expectWord("as", "after the source of 'parse-kv'") {
		open := p.cur()
		if p.expect(TokLParen, "before the columns of 'parse-kv'") {
			op.Columns = p.parseColumnDecls()
			p.expectClose(open)
		}
	}
	if p.acceptWord("with") {
		op.With = parsePropertyList(p, "'parse-kv'")
	}
	op.Span = p.span(name.Span.Start)
	return op
}

// parsePropertyList parses "(name = value, ...)" as used by parse-kv and
// render; a value may be a bare list (ycolumns = A, B).
func parsePropertyList(p *parser, context string) []*Option {
	open := p.cur()
	if !p.expect(TokLParen, "after 'with' in "+context) {
		return nil
	}
	var props []*Option
	for p.at(TokIdent) {
		start := p.start()
		name := p.next().Text
		p.expect(TokAssign, "after property '"+name+"'")
		v := p.parseOptionValue()
		if p.at(TokComma) && p.peek(1).Kind != TokRParen && p.peek(2).Kind != TokAssign {
			l := &ListExpr{Elems: []Expr{v}}
			for p.at(TokComma) && p.peek(2).Kind != TokAssign && p.peek(1).Kind != TokRParen {
				p.next()
				l.Elems = append(l.Elems, p.parseOptionValue())
			}
			l.Span = p.span(v.NodeSpan().Start)
			v = l
		}
		props = append(props, &Option{Span: p.span(start), Name: name, Value: v})
		if !p.accept(TokComma) {
			break
		}
	}
	p.expectClose(open)
	return props
}

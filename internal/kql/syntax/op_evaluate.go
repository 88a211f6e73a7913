package syntax

// parseEvaluate parses evaluate [hint.*] Plugin(args).
func parseEvaluate(p *parser, name Token) Operator {
	e := &EvaluateOp{Options: p.parseOptions()}
	e.Call = parsePluginCall(p, "after 'evaluate' (e.g. bag_unpack(Col))")
	if p.accept(TokColon) {
		open := p.cur()
		if p.expect(TokLParen, "before the output schema of 'evaluate'") {
			if p.accept(TokStar) {
				e.AllInput = true
				if !p.accept(TokComma) {
					p.expectClose(open)
					e.Span = p.span(name.Span.Start)
					return e
				}
			}
			e.Schema = p.parseColumnDecls()
			p.expectClose(open)
		}
	}
	e.Span = p.span(name.Span.Start)
	return e
}

// parseInvoke parses invoke Function(args).
func parseInvoke(p *parser, name Token) Operator {
	i := &InvokeOp{Call: parsePluginCall(p, "after 'invoke'")}
	i.Span = p.span(name.Span.Start)
	return i
}

// parsePluginCall parses Name(args...) as required by evaluate and invoke.
func parsePluginCall(p *parser, context string) *CallExpr {
	if !p.at(TokIdent) || p.peek(1).Kind != TokLParen {
		p.expected("a function call " + context)
		return &CallExpr{Span: Span{p.start(), p.start()}, Name: &Ident{}}
	}
	return p.parseCall(p.parseName(""))
}

// parseRender parses render Chart [with (Props)].
func parseRender(p *parser, name Token) Operator {
	r := &RenderOp{}
	if p.at(TokIdent) {
		r.Chart = p.next().Text
	} else {
		p.expected("a chart type after 'render' (e.g. timechart, barchart, piechart)")
	}
	if p.acceptWord("with") {
		r.With = parsePropertyList(p, "'render'")
	}
	r.Span = p.span(name.Span.Start)
	return r
}

// parseFacet parses facet by Cols [with (Sub)].
func parseFacet(p *parser, name Token) Operator {
	f := &FacetOp{}
	if p.expectWord("by", "after 'facet'") {
		for {
			f.Columns = append(f.Columns, p.parseName("to facet by"))
			if !p.accept(TokComma) {
				break
			}
		}
	}
	if p.acceptWord("with") {
		f.With = p.parseSubquery("after 'with' in 'facet'")
	}
	f.Span = p.span(name.Span.Start)
	return f
}

// parseFork parses fork [Name=](Sub) ...
func parseFork(p *parser, name Token) Operator {
	f := &ForkOp{}
	for p.at(TokLParen) || p.at(TokIdent) && p.peek(1).Kind == TokAssign {
		start := p.start()
		b := &ForkBranch{}
		if p.at(TokIdent) {
			b.Name = p.parseName("")
			p.next()
		}
		b.Query = p.parseSubquery("to start a 'fork' branch")
		b.Span = p.span(start)
		f.Branches = append(f.Branches, b)
	}
	if f.Branches == nil {
		p.expected("a parenthesized subquery after 'fork'")
	}
	f.Span = p.span(name.Span.Start)
	return f
}

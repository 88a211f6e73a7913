package syntax

// joinOptions are the option names join and lookup accept besides hint.*.
var joinOptions = []string{"kind", "withsource"}

// parseJoin parses join/lookup [kind=...] [hint.*=...] Right on Conds.
func parseJoin(p *parser, name Token) Operator {
	j := &JoinOp{Keyword: name.Text, Options: p.parseOptions(joinOptions...)}
	j.Right = parseJoinRight(p, name.Text)
	if p.expectWord("on", "after the right side of '"+name.Text+"'") {
		for {
			j.On = append(j.On, p.parseExpr())
			if !p.accept(TokComma) {
				break
			}
		}
	}
	j.Span = p.span(name.Span.Start)
	return j
}

// parseJoinRight parses the right side: a parenthesized query, a name or a call.
func parseJoinRight(p *parser, op string) *Pipeline {
	if !p.atName() && !p.at(TokLParen) {
		p.expected("the right side of '" + op + "' (a table name or a parenthesized query)")
		return &Pipeline{Span: Span{p.start(), p.start()}}
	}
	if !p.enter() {
		p.leave()
		return &Pipeline{Span: p.cur().Span}
	}
	defer p.leave()
	return p.toPipeline(p.parsePostfix())
}

// unionOptions are the option names union accepts besides hint.*.
var unionOptions = []string{"kind", "withsource", "isfuzzy"}

// parseUnionOp parses union [options] Tables after '|'.
func parseUnionOp(p *parser, name Token) Operator {
	u := &UnionOp{Options: p.parseOptions(unionOptions...)}
	u.Tables = p.parseTableList()
	u.Span = p.span(name.Span.Start)
	return u
}

// parseUnionSource parses union [options] Tables as the start of a query.
func (p *parser) parseUnionSource() Source {
	name := p.next()
	return parseUnionOp(p, name).(*UnionOp)
}

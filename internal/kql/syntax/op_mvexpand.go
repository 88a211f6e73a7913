package syntax

// mvExpandOptions are the option names of mv-expand and mv-apply.
var mvExpandOptions = []string{"bagexpansion", "with_itemindex", "kind"}

// parseMvExpand parses mv-expand [options] Col [to typeof(T)], ... [limit N].
func parseMvExpand(p *parser, name Token) Operator {
	m := &MvExpandOp{Options: p.parseOptions(mvExpandOptions...)}
	m.Columns = parseMvColumns(p)
	if p.acceptWord("limit") {
		m.Limit = p.parseExpr()
	}
	m.Span = p.span(name.Span.Start)
	return m
}

// parseMvApply parses mv-apply [options] Col [to typeof(T)], ... [limit N] on (Sub).
func parseMvApply(p *parser, name Token) Operator {
	m := &MvApplyOp{Options: p.parseOptions(mvExpandOptions...)}
	m.Columns = parseMvColumns(p)
	if p.acceptWord("limit") {
		m.Limit = p.parseExpr()
	}
	if p.expectWord("on", "before the subquery of 'mv-apply'") {
		m.Sub = p.parseSubquery("to start the subquery of 'mv-apply'")
	}
	m.Span = p.span(name.Span.Start)
	return m
}

func parseMvColumns(p *parser) []*MvColumn {
	var cols []*MvColumn
	for {
		start := p.start()
		c := &MvColumn{Column: p.parseNamedExpr()}
		if p.acceptWord("to") {
			c.ToType = parseTypeofType(p)
		}
		c.Span = p.span(start)
		cols = append(cols, c)
		if !p.accept(TokComma) {
			return cols
		}
	}
}

// parseTypeofType parses typeof(Type) and returns Type.
func parseTypeofType(p *parser) string {
	if !p.expectWord("typeof", "after 'to'") {
		return ""
	}
	open := p.cur()
	if !p.expect(TokLParen, "after 'typeof'") {
		return ""
	}
	typ := p.parseTypeName()
	p.expectClose(open)
	return typ
}

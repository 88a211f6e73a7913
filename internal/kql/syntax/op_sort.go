package syntax

// parseSort parses sort by Keys / order by Keys.
func parseSort(p *parser, name Token) Operator {
	s := &SortOp{Keyword: name.Text, Options: p.parseOptions()}
	if p.expectWord("by", "after '"+name.Text+"'") {
		s.By = p.parseSortKeys()
	}
	s.Span = p.span(name.Span.Start)
	return s
}

// parseTop parses top N by Keys.
func parseTop(p *parser, name Token) Operator {
	t := &TopOp{Options: p.parseOptions()}
	t.Count = p.parseExpr()
	if p.expectWord("by", "after the count of 'top'") {
		t.By = p.parseSortKeys()
	}
	t.Span = p.span(name.Span.Start)
	return t
}

// parseTopNested parses comma-separated top-nested levels.
func parseTopNested(p *parser, name Token) Operator {
	t := &TopNestedOp{}
	start := name.Span.Start
	for {
		t.Levels = append(t.Levels, parseTopNestedLevel(p, start))
		if !p.at(TokComma) || !p.peekWord(1, "top-nested") {
			break
		}
		p.next()
		start = p.next().Span.Start
	}
	t.Span = p.span(name.Span.Start)
	return t
}

// parseTopNestedLevel parses [N] of Expr [with others = X] by Agg [asc|desc].
func parseTopNestedLevel(p *parser, start int) *TopNestedLevel {
	l := &TopNestedLevel{}
	if !p.atWord("of") {
		l.Count = p.parseExpr()
	}
	if p.expectWord("of", "in 'top-nested'") {
		l.Of = p.parseNamedExpr()
	}
	if p.atWord("with") && p.peekWord(1, "others") {
		p.next()
		p.next()
		p.expect(TokAssign, "after 'with others'")
		l.Others = p.parseExpr()
	}
	if p.expectWord("by", "in 'top-nested'") {
		l.By = p.parseNamedExpr()
		if p.atWord("asc") || p.atWord("desc") {
			l.Order = p.next().Text
		}
	}
	l.Span = p.span(start)
	return l
}

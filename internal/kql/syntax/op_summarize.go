package syntax

// parseSummarize parses summarize [hint.*] [Aggs] [by Keys].
func parseSummarize(p *parser, name Token) Operator {
	s := &SummarizeOp{Options: p.parseOptions()}
	if p.atEndOfOperator() {
		p.expected("an aggregate or 'by' after 'summarize'")
	} else if !p.atWord("by") {
		s.Aggs = p.parseNamedExprs()
	}
	if p.acceptWord("by") {
		s.By = p.parseNamedExprs()
	}
	s.Span = p.span(name.Span.Start)
	return s
}

// parseMakeSeries parses make-series [kind=...] Aggs on Col
// (from A to B step C | in range(A, B, C)) [by Keys].
func parseMakeSeries(p *parser, name Token) Operator {
	m := &MakeSeriesOp{Options: p.parseOptions("kind")}
	for {
		start := p.start()
		a := &SeriesAgg{Agg: p.parseNamedExpr()}
		if p.atWord("default") && p.peek(1).Kind == TokAssign {
			p.next()
			p.next()
			a.Default = p.parseExpr()
		}
		a.Span = p.span(start)
		m.Aggs = append(m.Aggs, a)
		if !p.accept(TokComma) {
			break
		}
	}
	if p.expectWord("on", "after the aggregates of 'make-series'") {
		m.On = p.parseAdd()
		parseSeriesRange(p, m)
	}
	if p.acceptWord("by") {
		m.By = p.parseNamedExprs()
	}
	m.Span = p.span(name.Span.Start)
	return m
}

// parseSeriesRange parses the from/to/step or in range(...) of make-series.
func parseSeriesRange(p *parser, m *MakeSeriesOp) {
	if p.atWord("in") && p.peekWord(1, "range") {
		p.next()
		p.next()
		m.InRange = true
		open := p.cur()
		if p.expect(TokLParen, "after 'range'") {
			m.From = p.parseExpr()
			p.expect(TokComma, "after the start of the range")
			m.To = p.parseExpr()
			p.expect(TokComma, "after the end of the range")
			m.Step = p.parseExpr()
			p.expectClose(open)
		}
		return
	}
	if p.acceptWord("from") {
		m.From = p.parseAdd()
	}
	if p.acceptWord("to") {
		m.To = p.parseAdd()
	}
	if p.expectWord("step", "in 'make-series' (e.g. step 1h)") {
		m.Step = p.parseAdd()
	}
}

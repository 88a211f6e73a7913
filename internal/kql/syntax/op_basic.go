package syntax

// parseWhere parses where/filter Pred.
func parseWhere(p *parser, name Token) Operator {
	return &WhereOp{Keyword: name.Text, Pred: p.parseExpr(), Span: p.span(name.Span.Start)}
}

// parseCount parses count [as Name].
func parseCount(p *parser, name Token) Operator {
	c := &CountOp{}
	if p.acceptWord("as") {
		c.As = p.parseName("after 'as'")
	}
	c.Span = p.span(name.Span.Start)
	return c
}

// parseDistinct parses distinct [hint.*] Columns or distinct *.
func parseDistinct(p *parser, name Token) Operator {
	d := &DistinctOp{Options: p.parseOptions()}
	for {
		d.Columns = append(d.Columns, p.parseExpr())
		if !p.accept(TokComma) {
			break
		}
	}
	d.Span = p.span(name.Span.Start)
	return d
}

// parseTake parses take N / limit N.
func parseTake(p *parser, name Token) Operator {
	t := &TakeOp{Keyword: name.Text, Options: p.parseOptions()}
	t.Count = p.parseExpr()
	t.Span = p.span(name.Span.Start)
	return t
}

// parseSample parses sample N and sample-distinct N of Col.
func parseSample(p *parser, name Token) Operator {
	s := &SampleOp{Keyword: name.Text, Count: p.parseExpr()}
	if name.Text == "sample-distinct" {
		p.expectWord("of", "in 'sample-distinct'")
		s.Of = p.parseExpr()
	}
	s.Span = p.span(name.Span.Start)
	return s
}

// parseSerialize parses serialize [Name=Expr, ...].
func parseSerialize(p *parser, name Token) Operator {
	s := &SerializeOp{}
	if !p.atEndOfOperator() {
		s.Columns = p.parseNamedExprs()
	}
	s.Span = p.span(name.Span.Start)
	return s
}

// parseAs parses as [hint.materialized=true] Name.
func parseAs(p *parser, name Token) Operator {
	a := &AsOp{Options: p.parseOptions()}
	a.Name = p.parseName("after 'as'")
	a.Span = p.span(name.Span.Start)
	return a
}

// parseGetSchema parses getschema.
func parseGetSchema(p *parser, name Token) Operator {
	return &GetSchemaOp{Span: name.Span}
}

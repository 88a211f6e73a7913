package syntax

// parseDatatable parses datatable(Col:type, ...) [ values... ].
func (p *parser) parseDatatable() Source {
	start := p.next().Span.Start
	d := &DatatableSource{}
	open := p.next()
	if !p.at(TokRParen) {
		d.Columns = p.parseColumnDecls()
	}
	p.expectClose(open)
	lb := p.cur()
	if p.expect(TokLBracket, "with the rows of 'datatable'") {
		for !p.at(TokRBracket) && !p.at(TokEOF) {
			d.Values = append(d.Values, p.parseExpr())
			if !p.accept(TokComma) {
				break
			}
		}
		p.expectClose(lb)
	}
	d.Span = p.span(start)
	return d
}

// parseExternalData parses
// externaldata(Col:type, ...) [URI, ...] [with (Name = Value, ...)].
func (p *parser) parseExternalData() Source {
	start := p.next().Span.Start
	d := &ExternalDataSource{}
	open := p.next()
	if !p.at(TokRParen) {
		d.Columns = p.parseColumnDecls()
	}
	p.expectClose(open)
	lb := p.cur()
	if p.expect(TokLBracket, "with the storage URIs of 'externaldata'") {
		for !p.at(TokRBracket) && !p.at(TokEOF) {
			d.URIs = append(d.URIs, p.parseExpr())
			if !p.accept(TokComma) {
				break
			}
		}
		p.expectClose(lb)
	}
	if p.acceptWord("with") {
		d.Options = p.parseWithProperties("externaldata")
	}
	d.Span = p.span(start)
	return d
}

// parseWithProperties parses the parenthesized Name = Value list after
// 'with' in externaldata; values are expressions.
func (p *parser) parseWithProperties(op string) []*Option {
	open := p.cur()
	if !p.expect(TokLParen, "after 'with' in '"+op+"'") {
		return nil
	}
	var opts []*Option
	for p.at(TokIdent) {
		t := p.cur()
		name := p.parseDottedName()
		p.expect(TokAssign, "after property '"+name+"'")
		opts = append(opts, &Option{Name: name, Value: p.parseExpr(), Span: p.span(t.Span.Start)})
		if !p.accept(TokComma) {
			break
		}
	}
	p.expectClose(open)
	return opts
}

// parseRange parses range Col from A to B step C.
func (p *parser) parseRange() Source {
	start := p.next().Span.Start
	r := &RangeSource{Column: p.parseName("after 'range'")}
	p.expectWord("from", "in 'range'")
	r.From = p.parseExpr()
	p.expectWord("to", "in 'range'")
	r.To = p.parseExpr()
	p.expectWord("step", "in 'range'")
	r.Step = p.parseExpr()
	r.Span = p.span(start)
	return r
}

// parsePrint parses print [Name=]Expr, ...
func (p *parser) parsePrint() Source {
	start := p.next().Span.Start
	return &PrintSource{Columns: p.parseNamedExprs(), Span: p.span(start)}
}

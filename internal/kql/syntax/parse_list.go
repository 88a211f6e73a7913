package syntax

// parseNamedExprs parses comma-separated [Name =] Expr items.
func (p *parser) parseNamedExprs() []*NamedExpr {
	var list []*NamedExpr
	for {
		list = append(list, p.parseNamedExpr())
		if !p.accept(TokComma) {
			return list
		}
	}
}

// parseNamedExpr parses Expr, Name = Expr, or (A, B) = Expr.
func (p *parser) parseNamedExpr() *NamedExpr {
	start := p.start()
	n := &NamedExpr{}
	switch {
	case p.at(TokIdent) && p.peek(1).Kind == TokAssign:
		n.Names = []*Ident{p.parseName("")}
		p.next()
	case p.at(TokLBracket) && p.peek(1).Kind == TokString && p.peek(2).Kind == TokRBracket && p.peek(3).Kind == TokAssign:
		n.Names = []*Ident{p.parseName("")}
		p.next()
	case p.at(TokLParen) && p.atTupleNames():
		open := p.next()
		for !p.at(TokRParen) {
			n.Names = append(n.Names, p.parseName(""))
			p.accept(TokComma)
		}
		p.expectClose(open)
		p.next()
	}
	n.Expr = p.parseExpr()
	n.Span = p.span(start)
	return n
}

// atTupleNames reports whether "(A, B, ...) =" starts at the current '('.
func (p *parser) atTupleNames() bool {
	for i := 1; ; i += 2 {
		if p.peek(i).Kind != TokIdent {
			return false
		}
		switch p.peek(i + 1).Kind {
		case TokComma:
			continue
		case TokRParen:
			return p.peek(i+2).Kind == TokAssign
		default:
			return false
		}
	}
}

// parseOptions parses key=value options at the start of an operator. Only
// names accepted by allowed (and hint.* names) are options, so a following
// "Name = expr" column is not mistaken for one.
func (p *parser) parseOptions(allowed ...string) []*Option {
	var opts []*Option
	for p.at(TokIdent) {
		t := p.cur()
		isHint := t.Text == "hint" && p.peek(1).Kind == TokDot
		if !isHint && (!contains(allowed, t.Text) || p.peek(1).Kind != TokAssign) {
			return opts
		}
		name := p.parseDottedName()
		p.expect(TokAssign, "after option '"+name+"'")
		v := p.parseOptionValue()
		opts = append(opts, &Option{Span: p.span(t.Span.Start), Name: name, Value: v})
	}
	return opts
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseOptionValue parses the single-token value of an option: a name, a
// literal, true/false, or a signed number.
func (p *parser) parseOptionValue() Expr {
	t := p.cur()
	switch t.Kind {
	case TokIdent:
		if t.Text == "true" || t.Text == "false" {
			p.next()
			return &BoolLit{Span: t.Span, Value: t.Text == "true"}
		}
		return p.parseName("")
	case TokLBracket:
		return p.parseName("")
	case TokInt, TokReal, TokString, TokTimespan, TokTypedLit:
		return p.parseLiteral()
	case TokMinus:
		p.next()
		x := p.parseOptionValue()
		return &UnaryExpr{Span: p.span(t.Span.Start), Op: "-", X: x}
	default:
		// not a value; reported below
	}
	p.expected("an option value")
	return &BadExpr{Span: Span{t.Span.Start, t.Span.Start}}
}

// parseSortKeys parses Expr [asc|desc] [nulls first|last], ...
func (p *parser) parseSortKeys() []*SortKey {
	var keys []*SortKey
	for {
		keys = append(keys, p.parseSortKey(p.parseExpr()))
		if !p.accept(TokComma) {
			return keys
		}
	}
}

// parseSortKey parses the optional order and nulls placement after x.
func (p *parser) parseSortKey(x Expr) *SortKey {
	k := &SortKey{Expr: x}
	if p.atWord("asc") || p.atWord("desc") {
		k.Order = p.next().Text
	}
	if p.acceptWord("nulls") {
		if p.atWord("first") || p.atWord("last") {
			k.Nulls = p.next().Text
		} else {
			p.expected("'first' or 'last' after 'nulls'")
		}
	}
	k.Span = p.span(x.NodeSpan().Start)
	return k
}

package syntax

func (p *parser) parseScript() *Script {
	s := &Script{}
	for !p.at(TokEOF) {
		if p.accept(TokSemi) {
			continue
		}
		before := p.pos
		st := p.parseStmt(true)
		if st != nil {
			s.Stmts = append(s.Stmts, st)
		}
		if !p.at(TokSemi) && !p.at(TokEOF) {
			p.errorf(p.cur().Span, "unexpected %s; expected '|', ';' or end of query", p.cur().describe())
		}
		if p.panicking || !p.at(TokSemi) && !p.at(TokEOF) {
			p.syncStmt()
		}
		if p.pos == before {
			p.next()
		}
	}
	s.Span = Span{0, len(p.src)}
	return s
}

// syncStmt skips to the next ';' (ignoring stray closing brackets).
func (p *parser) syncStmt() {
	for {
		p.sync()
		if p.at(TokSemi) || p.at(TokEOF) {
			return
		}
		p.next()
	}
}

// report adds a diagnostic that does not disturb error recovery, for
// problems inside a well-formed token such as an invalid datetime value.
func (p *parser) report(sp Span, msg string) {
	if len(p.diags) < maxDiagnostics {
		p.diags = append(p.diags, Diagnostic{Span: sp, Severity: SeverityError, Message: msg})
	}
}

// parseStmt parses a let, set or query statement. At the top level a query
// statement must be tabular.
func (p *parser) parseStmt(top bool) Stmt {
	switch {
	case p.atWord("let") && (p.peek(1).Kind == TokIdent || p.peek(1).Kind == TokLBracket):
		return p.parseLet()
	case p.atWord("set") && p.peek(1).Kind == TokIdent && top:
		return p.parseSet()
	}
	start := p.start()
	x := p.parseTabularOrExpr()
	if top {
		if _, ok := x.(*TabularExpr); !ok {
			pl := p.toPipeline(x)
			x = &TabularExpr{Span: pl.Span, Query: pl}
		}
	}
	return &ExprStmt{Span: p.span(start), X: x}
}

func (p *parser) parseLet() Stmt {
	start := p.next().Span.Start
	name := p.parseName("after 'let'")
	let := &LetStmt{Name: name}
	if !p.expect(TokAssign, "after the name in 'let'") {
		let.Value = &BadExpr{Span: p.cur().Span}
		let.Span = p.span(start)
		return let
	}
	if p.atFunc() {
		let.Value = p.parseFunc()
	} else {
		let.Value = p.parseTabularOrExpr()
	}
	let.Span = p.span(start)
	return let
}

func (p *parser) parseSet() Stmt {
	start := p.next().Span.Start
	s := &SetStmt{Name: p.parseDottedName()}
	if p.accept(TokAssign) {
		s.Value = p.parseExpr()
	}
	s.Span = p.span(start)
	return s
}

// parseDottedName parses name(.name)* as used by set and hint.* options.
func (p *parser) parseDottedName() string {
	name := p.next().Text
	for p.at(TokDot) && p.peek(1).Kind == TokIdent {
		p.next()
		name += "." + p.next().Text
	}
	return name
}

// atFunc reports whether a lambda "(params) {" or "view (params) {" starts here.
func (p *parser) atFunc() bool {
	i := 0
	if p.atWord("view") {
		i = 1
	}
	if p.peek(i).Kind != TokLParen {
		return false
	}
	if p.peek(i+1).Kind == TokRParen {
		return p.peek(i+2).Kind == TokLBrace
	}
	return p.peek(i+1).Kind == TokIdent && p.peek(i+2).Kind == TokColon
}

// parseFunc parses [view] (params) { body }.
func (p *parser) parseFunc() Expr {
	start := p.start()
	f := &FuncExpr{View: p.acceptWord("view")}
	open := p.next()
	for !p.at(TokRParen) && !p.at(TokEOF) {
		f.Params = append(f.Params, p.parseParam())
		if !p.accept(TokComma) {
			break
		}
	}
	p.expectClose(open)
	f.Body = p.parseBody()
	f.Span = p.span(start)
	return f
}

func (p *parser) parseParam() *Param {
	start := p.start()
	prm := &Param{Name: p.parseName("for a parameter")}
	p.expect(TokColon, "after the parameter name")
	if p.at(TokLParen) {
		prm.Tabular = true
		open := p.next()
		if p.accept(TokStar) {
			prm.Star = true
		} else {
			prm.Columns = p.parseColumnDecls()
		}
		p.expectClose(open)
	} else {
		prm.Type = p.parseTypeName()
	}
	if p.accept(TokAssign) {
		prm.Default = p.parseExpr()
	}
	prm.Span = p.span(start)
	return prm
}

// parseBody parses "{ statements }" of a function.
func (p *parser) parseBody() []Stmt {
	open := p.cur()
	if !p.expect(TokLBrace, "to start the function body") {
		return nil
	}
	if !p.enter() {
		p.leave()
		p.skipTo(TokRBrace)
		return nil
	}
	defer p.leave()
	var body []Stmt
	for !p.at(TokRBrace) && !p.at(TokEOF) {
		if p.accept(TokSemi) {
			continue
		}
		before := p.pos
		body = append(body, p.parseStmt(false))
		if !p.at(TokSemi) && !p.at(TokRBrace) {
			p.expected("';' or '}'")
			p.sync()
		}
		if p.pos == before {
			break
		}
	}
	p.expectClose(open)
	return body
}

// parseTypeName parses a scalar type name such as string or long.
func (p *parser) parseTypeName() string {
	if p.at(TokIdent) {
		return p.next().Text
	}
	p.expected("a type name such as string, long, real, bool, datetime, timespan, guid or dynamic")
	return ""
}

// parseColumnDecls parses Name:Type, ... (at least one).
func (p *parser) parseColumnDecls() []*ColumnDecl {
	var cols []*ColumnDecl
	for {
		start := p.start()
		c := &ColumnDecl{Name: p.parseName("for a column")}
		p.expect(TokColon, "after the column name")
		c.Type = p.parseTypeName()
		c.Span = p.span(start)
		cols = append(cols, c)
		if !p.accept(TokComma) {
			return cols
		}
	}
}

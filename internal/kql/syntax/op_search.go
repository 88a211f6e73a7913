package syntax

// parseSearchOp parses search [kind=...] [in (Tables)] Pred after '|'.
func parseSearchOp(p *parser, name Token) Operator {
	s := &SearchOp{Options: p.parseOptions("kind")}
	if p.atWord("in") && p.peek(1).Kind == TokLParen {
		p.next()
		s.Tables = parseInTables(p)
	}
	s.Pred = parseSearchPred(p)
	s.Span = p.span(name.Span.Start)
	return s
}

// parseSearchSource parses search as the start of a query.
func (p *parser) parseSearchSource() Source {
	return parseSearchOp(p, p.next()).(*SearchOp)
}

// parseSearchPred parses a search predicate, in which Col:"term" means has.
func parseSearchPred(p *parser) Expr {
	saved := p.inSearch
	p.inSearch = true
	defer func() { p.inSearch = saved }()
	return p.parseExpr()
}

// parseInTables parses "(T1, T2, ...)" after in.
func parseInTables(p *parser) []*Pipeline {
	open := p.next()
	tables := p.parseTableList()
	p.expectClose(open)
	return tables
}

// parseFind parses find [withsource=X] [in (Tables)] where Pred
// [project-smart | project Cols].
func (p *parser) parseFind() Source {
	start := p.next().Span.Start
	f := &FindSource{Options: p.parseOptions("withsource", "kind", "datascope")}
	if p.atWord("in") && p.peek(1).Kind == TokLParen {
		p.next()
		f.Tables = parseInTables(p)
	}
	p.expectWord("where", "in 'find'")
	f.Pred = parseSearchPred(p)
	switch {
	case p.acceptWord("project-smart"):
		f.ProjectSmart = true
	case p.acceptWord("project"):
		for {
			f.Project = append(f.Project, p.parseName("to project"))
			if !p.accept(TokComma) {
				break
			}
		}
	}
	f.Span = p.span(start)
	return f
}

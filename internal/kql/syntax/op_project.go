package syntax

// parseProject parses project [Name=]Expr, ...
func parseProject(p *parser, name Token) Operator {
	return &ProjectOp{Columns: p.parseNamedExprs(), Span: p.span(name.Span.Start)}
}

// parseExtend parses extend [Name=]Expr, ...
func parseExtend(p *parser, name Token) Operator {
	return &ExtendOp{Columns: p.parseNamedExprs(), Span: p.span(name.Span.Start)}
}

// parseProjectAway parses project-away, project-keep and project-reorder:
// comma-separated names or wildcards, with asc/desc in project-reorder.
func parseProjectAway(p *parser, name Token) Operator {
	op := &ProjectAwayOp{Keyword: name.Text}
	for {
		var x Expr
		if w := p.parseWildcard(); w != nil {
			x = w
		} else {
			x = p.parseName("to " + name.Text[len("project-"):])
		}
		k := &SortKey{Expr: x, Span: x.NodeSpan()}
		if name.Text == "project-reorder" {
			k = p.parseSortKey(x)
		}
		op.Columns = append(op.Columns, k)
		if !p.accept(TokComma) {
			break
		}
	}
	op.Span = p.span(name.Span.Start)
	return op
}

// parseProjectRename parses project-rename New = Old, ...
func parseProjectRename(p *parser, name Token) Operator {
	op := &ProjectRenameOp{}
	for {
		start := p.start()
		r := &Rename{New: p.parseName("to rename to")}
		p.expect(TokAssign, "between the new and the old name in 'project-rename'")
		r.Old = p.parseName("to rename")
		r.Span = p.span(start)
		op.Renames = append(op.Renames, r)
		if !p.accept(TokComma) {
			break
		}
	}
	op.Span = p.span(name.Span.Start)
	return op
}

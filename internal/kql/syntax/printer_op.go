package syntax

func (pr *printer) source(s Source) {
	switch s := s.(type) {
	case *TableRef:
		if s.Wildcard {
			pr.str(s.Name)
		} else {
			pr.ident(&Ident{Name: s.Name, Quoted: s.Quoted})
		}
	case *CallSource:
		pr.expr(s.Call)
	case *ParenSource:
		pr.str("(")
		pr.pipeline(s.Query)
		pr.str(")")
	case *DatatableSource:
		pr.str("datatable(")
		pr.columnDecls(s.Columns)
		pr.str(") [")
		pr.exprs(s.Values, ", ")
		pr.str("]")
	case *ExternalDataSource:
		pr.externalData(s)
	case *RangeSource:
		pr.str("range ")
		pr.ident(s.Column)
		pr.str(" from ")
		pr.expr(s.From)
		pr.str(" to ")
		pr.expr(s.To)
		pr.str(" step ")
		pr.expr(s.Step)
	case *PrintSource:
		pr.str("print ")
		pr.namedList(s.Columns)
	case *FindSource:
		pr.find(s)
	case Operator:
		pr.operator(s)
	}
}

func (pr *printer) find(f *FindSource) {
	pr.str("find ")
	pr.options(f.Options)
	if f.Tables != nil {
		pr.str("in (")
		pr.tables(f.Tables)
		pr.str(") ")
	}
	pr.str("where ")
	pr.expr(f.Pred)
	if f.ProjectSmart {
		pr.str(" project-smart")
	}
	if f.Project != nil {
		pr.str(" project ")
		pr.exprs(f.Project, ", ")
	}
}

// operator prints a tabular operator; operator2 and operator3 continue the
// type switch so that no function grows past a screenful.
func (pr *printer) operator(op Operator) {
	switch op := op.(type) {
	case *WhereOp:
		pr.str(op.Keyword + " ")
		pr.expr(op.Pred)
	case *ProjectOp:
		pr.str("project ")
		pr.namedList(op.Columns)
	case *ExtendOp:
		pr.str("extend ")
		pr.namedList(op.Columns)
	case *ProjectAwayOp:
		pr.str(op.Keyword + " ")
		pr.sortKeys(op.Columns)
	case *ProjectRenameOp:
		pr.projectRename(op)
	case *SummarizeOp:
		pr.summarize(op)
	case *CountOp:
		pr.str("count")
		if op.As != nil {
			pr.str(" as ")
			pr.ident(op.As)
		}
	case *DistinctOp:
		pr.str("distinct ")
		pr.options(op.Options)
		pr.exprs(op.Columns, ", ")
	case *TakeOp:
		pr.str(op.Keyword + " ")
		pr.options(op.Options)
		pr.expr(op.Count)
	default:
		pr.operator2(op)
	}
}

func (pr *printer) operator2(op Operator) {
	switch op := op.(type) {
	case *TopOp:
		pr.str("top ")
		pr.options(op.Options)
		pr.expr(op.Count)
		pr.str(" by ")
		pr.sortKeys(op.By)
	case *SortOp:
		pr.str(op.Keyword + " ")
		pr.options(op.Options)
		pr.str("by ")
		pr.sortKeys(op.By)
	case *TopNestedOp:
		pr.topNested(op)
	case *JoinOp:
		pr.join(op)
	case *UnionOp:
		pr.str("union ")
		pr.options(op.Options)
		pr.tables(op.Tables)
	case *MvExpandOp:
		pr.str("mv-expand ")
		pr.mvColumns(op.Options, op.Columns, op.Limit)
	case *MvApplyOp:
		pr.str("mv-apply ")
		pr.mvColumns(op.Options, op.Columns, op.Limit)
		pr.str(" on ")
		pr.subquery(op.Sub)
	case *ParseOp:
		pr.parseOp(op)
	case *ParseKVOp:
		pr.parseKV(op)
	default:
		pr.operator3(op)
	}
}

func (pr *printer) operator3(op Operator) {
	switch op := op.(type) {
	case *MakeSeriesOp:
		pr.makeSeries(op)
	case *SerializeOp:
		pr.str("serialize")
		if op.Columns != nil {
			pr.str(" ")
			pr.namedList(op.Columns)
		}
	case *AsOp:
		pr.str("as ")
		pr.options(op.Options)
		pr.ident(op.Name)
	case *GetSchemaOp:
		pr.str("getschema")
	case *EvaluateOp:
		pr.str("evaluate ")
		pr.options(op.Options)
		pr.expr(op.Call)
		if op.Schema != nil || op.AllInput {
			pr.str(" : (")
			if op.AllInput {
				pr.str("*")
				if op.Schema != nil {
					pr.str(", ")
				}
			}
			pr.columnDecls(op.Schema)
			pr.str(")")
		}
	case *InvokeOp:
		pr.str("invoke ")
		pr.expr(op.Call)
	case *SampleOp:
		pr.str(op.Keyword + " ")
		pr.expr(op.Count)
		if op.Of != nil {
			pr.str(" of ")
			pr.expr(op.Of)
		}
	case *RenderOp:
		pr.render(op)
	case *FacetOp:
		pr.facet(op)
	case *ForkOp:
		pr.fork(op)
	case *SearchOp:
		pr.search(op)
	}
}

func (pr *printer) projectRename(op *ProjectRenameOp) {
	pr.str("project-rename ")
	for i, r := range op.Renames {
		if i > 0 {
			pr.str(", ")
		}
		pr.ident(r.New)
		pr.str(" = ")
		pr.ident(r.Old)
	}
}

func (pr *printer) summarize(op *SummarizeOp) {
	pr.str("summarize ")
	pr.options(op.Options)
	pr.namedList(op.Aggs)
	if op.By != nil {
		if op.Aggs != nil {
			pr.str(" ")
		}
		pr.str("by ")
		pr.namedList(op.By)
	}
}

func (pr *printer) topNested(op *TopNestedOp) {
	for i, l := range op.Levels {
		if i > 0 {
			pr.str(", ")
		}
		pr.str("top-nested ")
		if l.Count != nil {
			pr.expr(l.Count)
			pr.str(" ")
		}
		pr.str("of ")
		pr.named(l.Of)
		if l.Others != nil {
			pr.str(" with others = ")
			pr.expr(l.Others)
		}
		pr.str(" by ")
		pr.named(l.By)
		if l.Order != "" {
			pr.str(" " + l.Order)
		}
	}
}

func (pr *printer) join(op *JoinOp) {
	pr.str(op.Keyword + " ")
	pr.options(op.Options)
	pr.pipeline(op.Right)
	pr.str(" on ")
	pr.exprs(op.On, ", ")
}

func (pr *printer) mvColumns(opts []*Option, cols []*MvColumn, limit Expr) {
	pr.options(opts)
	for i, c := range cols {
		if i > 0 {
			pr.str(", ")
		}
		pr.named(c.Column)
		if c.ToType != "" {
			pr.str(" to typeof(" + c.ToType + ")")
		}
	}
	if limit != nil {
		pr.str(" limit ")
		pr.expr(limit)
	}
}

// subquery prints an implicit-input pipeline in parentheses.
func (pr *printer) subquery(pl *Pipeline) {
	pr.str("(")
	pr.nested++
	pr.pipeline(pl)
	pr.nested--
	pr.str(")")
}

func (pr *printer) parseOp(op *ParseOp) {
	pr.str(op.Keyword + " ")
	pr.options(op.Options)
	pr.expr(op.Source)
	pr.str(" with")
	for _, it := range op.Pattern {
		pr.str(" ")
		switch it.Kind {
		case ParseLiteral:
			pr.expr(it.Literal)
		case ParseStar:
			pr.str("*")
		case ParseColumn:
			pr.ident(it.Column)
			if it.Type != "" {
				pr.str(":" + it.Type)
			}
		}
	}
}

func (pr *printer) parseKV(op *ParseKVOp) {
	pr.str("parse-kv ")
	pr.expr(op.Source)
	pr.str(" as (")
	pr.columnDecls(op.Columns)
	pr.str(")")
	if op.With != nil {
		pr.str(" with ")
		pr.propertyList(op.With)
	}
}

func (pr *printer) propertyList(props []*Option) {
	pr.str("(")
	for i, o := range props {
		if i > 0 {
			pr.str(", ")
		}
		pr.option(o)
	}
	pr.str(")")
}

func (pr *printer) makeSeries(op *MakeSeriesOp) {
	pr.str("make-series ")
	pr.options(op.Options)
	for i, a := range op.Aggs {
		if i > 0 {
			pr.str(", ")
		}
		pr.named(a.Agg)
		if a.Default != nil {
			pr.str(" default = ")
			pr.expr(a.Default)
		}
	}
	pr.str(" on ")
	pr.expr(op.On)
	if op.InRange {
		pr.str(" in range(")
		pr.exprs([]Expr{op.From, op.To, op.Step}, ", ")
		pr.str(")")
	} else {
		pr.optionalClause(" from ", op.From)
		pr.optionalClause(" to ", op.To)
		pr.optionalClause(" step ", op.Step)
	}
	if op.By != nil {
		pr.str(" by ")
		pr.namedList(op.By)
	}
}

func (pr *printer) optionalClause(kw string, x Expr) {
	if x != nil {
		pr.str(kw)
		pr.expr(x)
	}
}

func (pr *printer) render(op *RenderOp) {
	pr.str("render " + op.Chart)
	if op.With != nil {
		pr.str(" with ")
		pr.propertyList(op.With)
	}
}

func (pr *printer) facet(op *FacetOp) {
	pr.str("facet by ")
	pr.exprs(op.Columns, ", ")
	if op.With != nil {
		pr.str(" with ")
		pr.subquery(op.With)
	}
}

func (pr *printer) fork(op *ForkOp) {
	pr.str("fork")
	for _, b := range op.Branches {
		pr.str(" ")
		if b.Name != nil {
			pr.ident(b.Name)
			pr.str("=")
		}
		pr.subquery(b.Query)
	}
}

func (pr *printer) search(op *SearchOp) {
	pr.str("search ")
	pr.options(op.Options)
	if op.Tables != nil {
		pr.str("in (")
		pr.tables(op.Tables)
		pr.str(") ")
	}
	pr.expr(op.Pred)
}

func (pr *printer) externalData(s *ExternalDataSource) {
	pr.str("externaldata(")
	pr.columnDecls(s.Columns)
	pr.str(") [")
	pr.exprs(s.URIs, ", ")
	pr.str("]")
	if len(s.Options) == 0 {
		return
	}
	pr.str(" with (")
	for i, o := range s.Options {
		if i > 0 {
			pr.str(", ")
		}
		pr.option(o)
	}
	pr.str(")")
}

package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// ingestionTime checks ingestion_time(): the hidden ingest time of the row's
// table record. It is supported while the rows come straight from a table
// scan (through where, sort, take and serialize) and a diagnostic elsewhere.
func (c *checker) ingestionTime(e *syntax.CallExpr, s *scope) plan.Expr {
	if len(e.Args) != 0 {
		c.errorf(e, "ingestion_time() takes no arguments, not %d", len(e.Args))
		return bad()
	}
	scan := scanBelow(s)
	if scan == nil {
		c.errorf(e, "ingestion_time() is only supported on rows straight from a table (after where, sort, take or serialize)")
		return bad()
	}
	col := plan.Column{Name: schema.ColIngestTime, Type: schema.TypeDatetime}
	if len(scan.Hidden) == 0 {
		scan.Hidden = append(scan.Hidden, col)
	}
	return &plan.Col{Name: col.Name, T: col.Type}
}

// scanBelow finds the table scan whose records reach scope s unchanged.
func scanBelow(s *scope) *plan.Scan {
	if s == nil {
		return nil
	}
	n := s.in
	if p, ok := n.(*plan.Project); ok && extendsInput(p) {
		n = p.In // the pending projection of extend: its columns are computed over p.In
	}
	for {
		switch x := n.(type) {
		case *plan.Scan:
			return x
		case *plan.Filter:
			n = x.In
		case *plan.Sort:
			n = x.In
		case *plan.Limit:
			n = x.In
		case *plan.Serialize:
			n = x.In
		default:
			return nil
		}
	}
}

// extendsInput reports whether p passes every input column through under its
// own name first, as extend's projection does.
func extendsInput(p *plan.Project) bool {
	in := p.In.Columns()
	if len(p.Items) < len(in) {
		return false
	}
	for i, col := range in {
		ref, ok := p.Items[i].Expr.(*plan.Col)
		if !ok || ref.Name != col.Name || p.Items[i].Name != col.Name {
			return false
		}
	}
	return true
}

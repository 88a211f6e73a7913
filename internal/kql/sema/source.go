package sema

import (
	"path"
	"reflect"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

type sourceFunc func(c *checker, src syntax.Source) plan.Node

// sources is the table of tabular sources, by syntax node type.
var sources func() map[reflect.Type]sourceFunc

func initSources() map[reflect.Type]sourceFunc {
	return map[reflect.Type]sourceFunc{
		reflect.TypeFor[*syntax.TableRef](): func(c *checker, s syntax.Source) plan.Node { return c.tableRef(s.(*syntax.TableRef)) },
		reflect.TypeFor[*syntax.ParenSource](): func(c *checker, s syntax.Source) plan.Node {
			return c.pipeline(s.(*syntax.ParenSource).Query)
		},
		reflect.TypeFor[*syntax.PrintSource]():     checkPrint,
		reflect.TypeFor[*syntax.DatatableSource](): checkDatatable,
		reflect.TypeFor[*syntax.RangeSource]():     checkRange,
		reflect.TypeFor[*syntax.CallSource]():      checkCallSource,
		reflect.TypeFor[*syntax.UnionOp](): func(c *checker, s syntax.Source) plan.Node {
			return c.union(nil, s.(*syntax.UnionOp))
		},
		reflect.TypeFor[*syntax.SearchOp]():           checkSearchSource,
		reflect.TypeFor[*syntax.FindSource]():         checkFind,
		reflect.TypeFor[*syntax.ExternalDataSource](): checkExternalData,
	}
}

func (c *checker) source(s syntax.Source) plan.Node {
	f, ok := sources()[reflect.TypeOf(s)]
	if !ok {
		c.errorf(s, "this source is not supported yet")
		return nil
	}
	return f(c, s)
}

func (c *checker) tableRef(t *syntax.TableRef) plan.Node {
	if t.Wildcard {
		c.errorf(t, "a table pattern is only allowed in union")
		return nil
	}
	if n, ok := c.tables[t.Name]; ok {
		return n
	}
	tab, ok := c.reg.Table(t.Name)
	if !ok {
		names := append(c.reg.Nearest(t.Name, 1), nil...)
		c.errorf(t, "unknown table '%s'%s", t.Name, didYouMean(names))
		return nil
	}
	if ok, reason := c.tableAllowed(tab.Name); !ok {
		c.errorf(t, "table %s %s", tab.Name, reason)
		return nil
	}
	if tab.Name != t.Name {
		c.warnf(t, "table '%s' is spelled '%s'; matched ignoring letter case", t.Name, tab.Name)
	}
	return c.scan(tab)
}

// scan reads a stored table with the tenant, device scope and time range
// injected.
func (c *checker) scan(tab *schema.Table) plan.Node {
	cols := make([]plan.Column, 0, len(tab.Columns))
	for _, col := range tab.Visible() {
		cols = append(cols, plan.Column{Name: col.Name, Type: col.Type})
	}
	return c.deviceScope(tab, &plan.Scan{Table: tab.Name, Cols: cols, Tenant: c.opts.Tenant, Tenants: c.opts.Tenants, From: c.opts.From, To: c.opts.To,
		IngestAfter: c.opts.IngestAfter, IngestThrough: c.opts.IngestThrough})
}

// matchTables expands a table pattern such as Device* to registry tables
// the caller may read.
func (c *checker) matchTables(pattern string) []*schema.Table {
	var out []*schema.Table
	for _, t := range c.reg.Tables() {
		if ok, _ := c.tableAllowed(t.Name); !ok {
			continue
		}
		if ok, _ := path.Match(pattern, t.Name); ok {
			out = append(out, t)
		}
	}
	return out
}

func checkPrint(c *checker, s syntax.Source) plan.Node {
	p := s.(*syntax.PrintSource)
	row := make([]plan.Expr, len(p.Columns))
	cols := make([]plan.Column, len(p.Columns))
	for i, ne := range p.Columns {
		row[i] = c.expr(ne.Expr, nil)
		name := "print_" + itoa(i)
		if len(ne.Names) > 0 {
			name = ne.Names[0].Name
		}
		cols[i] = plan.Column{Name: name, Type: row[i].Type()}
	}
	return &plan.Values{Cols: cols, Rows: [][]plan.Expr{row}}
}

func checkDatatable(c *checker, s syntax.Source) plan.Node {
	d := s.(*syntax.DatatableSource)
	cols := make([]plan.Column, len(d.Columns))
	for i, cd := range d.Columns {
		t, err := schema.ParseType(cd.Type)
		if err != nil {
			c.errorf(cd, "unknown type '%s'", cd.Type)
			return nil
		}
		cols[i] = plan.Column{Name: cd.Name.Name, Type: t}
	}
	if len(cols) == 0 || len(d.Values)%len(cols) != 0 {
		c.errorf(d, "datatable has %d values, not a multiple of its %d columns", len(d.Values), len(cols))
		return nil
	}
	var rows [][]plan.Expr
	for i := 0; i < len(d.Values); i += len(cols) {
		row := make([]plan.Expr, len(cols))
		for j := range cols {
			v := c.expr(d.Values[i+j], nil)
			if _, ok := v.(*plan.Const); !ok && !isBad(v) {
				c.errorf(d.Values[i+j], "datatable values must be constants")
				return nil
			}
			if !isBad(v) && !isNullConst(v) && common(v, &plan.Const{T: cols[j].Type, V: 0}) == schema.TypeInvalid {
				c.errorf(d.Values[i+j], "value for column '%s' must be %s, not %s", cols[j].Name, cols[j].Type, v.Type())
				return nil
			}
			row[j] = v
		}
		rows = append(rows, row)
	}
	return &plan.Values{Cols: cols, Rows: rows}
}

func checkRange(c *checker, s syntax.Source) plan.Node {
	r := s.(*syntax.RangeSource)
	from, to, step := c.expr(r.From, nil), c.expr(r.To, nil), c.expr(r.Step, nil)
	if isBad(from) || isBad(to) || isBad(step) {
		return nil
	}
	t := from.Type()
	okStep := isNumeric(t) && isNumeric(step.Type()) || t == schema.TypeDatetime && step.Type() == schema.TypeTimespan
	if !okStep || common(from, to) == schema.TypeInvalid && (!isNumeric(t) || !isNumeric(to.Type())) {
		c.errorf(r, "range needs numbers, or datetimes with a timespan step, not %s .. %s step %s", t, to.Type(), step.Type())
		return nil
	}
	if isNumeric(t) {
		t = numericResult(t, to.Type())
	}
	return &plan.Range{Col: plan.Column{Name: r.Column.Name, Type: t}, From: from, To: to, Step: step}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

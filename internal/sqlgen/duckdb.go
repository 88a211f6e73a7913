package sqlgen

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// DuckDB is the DuckDB dialect.
var DuckDB = &Dialect{Name: "duckdb", Funcs: duckdbFuncs(), Printer: duckPrinter{}}

// Printer prints a SQL tree in one dialect.
type Printer interface {
	Print(q Query) string
}

type duckPrinter struct{}

// Print renders q as DuckDB SQL.
func (duckPrinter) Print(q Query) string {
	var b strings.Builder
	p := &duckPrint{b: &b}
	p.query(q, 0)
	return b.String()
}

type duckPrint struct {
	b     *strings.Builder
	depth int // of the SELECT being printed, for subqueries in expressions
}

func (p *duckPrint) w(s ...string) {
	for _, x := range s {
		p.b.WriteString(x)
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteString quotes a SQL string literal. DuckDB's parser stops a literal
// at a NUL byte, so each NUL is spliced in as chr(0).
func quoteString(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if !strings.Contains(s, "\x00") {
		return q
	}
	return "(" + strings.ReplaceAll(q, "\x00", "' || chr(0) || '") + ")"
}

// DuckDBType is the DuckDB column type that stores Kusto type t; the event store creates its
// tables with it, so the compiler's casts and the stored columns agree.
func DuckDBType(t schema.Type) string {
	switch t {
	case schema.TypeString:
		return "VARCHAR"
	case schema.TypeDatetime:
		return "TIMESTAMP"
	case schema.TypeLong:
		return "BIGINT"
	case schema.TypeInt:
		return "INTEGER"
	case schema.TypeReal:
		return "DOUBLE"
	case schema.TypeBool:
		return "BOOLEAN"
	case schema.TypeDynamic:
		return "JSON"
	case schema.TypeGUID:
		return "UUID"
	case schema.TypeTimespan:
		return "INTERVAL"
	case schema.TypeDecimal:
		return "DECIMAL(38,9)"
	case schema.TypeInvalid:
	}
	return "VARCHAR"
}

func (p *duckPrint) nl(depth int) { p.w("\n", strings.Repeat("  ", depth)) }

func (p *duckPrint) query(q Query, depth int) {
	switch q := q.(type) {
	case *Select:
		p.sel(q, depth)
	case *SetOp:
		for i, part := range q.Parts {
			if i > 0 {
				p.nl(depth)
				p.w("UNION ALL")
				p.nl(depth)
			}
			p.query(part, depth)
		}
	}
}

func (p *duckPrint) sel(s *Select, depth int) {
	defer func(d int) { p.depth = d }(p.depth)
	p.depth = depth
	p.w("SELECT ")
	if s.Distinct {
		p.w("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			p.w(", ")
		}
		p.expr(it.X)
		if it.Alias != "" {
			p.w(" AS ", quoteIdent(it.Alias))
		}
	}
	if s.From != nil {
		p.nl(depth)
		p.w("FROM ")
		p.from(s.From, depth)
	}
	if s.Where != nil {
		p.nl(depth)
		p.w("WHERE ")
		p.expr(s.Where)
	}
	if len(s.GroupBy) > 0 {
		p.nl(depth)
		p.w("GROUP BY ")
		p.list(s.GroupBy)
	}
	if s.Qualify != nil {
		p.nl(depth)
		p.w("QUALIFY ")
		p.expr(s.Qualify)
	}
	if len(s.OrderBy) > 0 {
		p.nl(depth)
		p.w("ORDER BY ")
		p.orders(s.OrderBy)
	}
	if s.Limit >= 0 {
		p.nl(depth)
		p.w("LIMIT ", strconv.FormatInt(s.Limit, 10))
	}
}

func (p *duckPrint) orders(os []Order) {
	for i, o := range os {
		if i > 0 {
			p.w(", ")
		}
		p.expr(o.X)
		if o.Desc {
			p.w(" DESC")
		} else {
			p.w(" ASC")
		}
		if o.NullsFirst {
			p.w(" NULLS FIRST")
		} else {
			p.w(" NULLS LAST")
		}
	}
}

func (p *duckPrint) from(f From, depth int) {
	switch f := f.(type) {
	case *Table:
		p.w(quoteIdent(f.Name))
	case *Subquery:
		if f.Lateral {
			p.w("LATERAL ")
		}
		p.w("(")
		p.nl(depth + 1)
		p.query(f.Q, depth+1)
		p.nl(depth)
		p.w(") AS ", quoteIdent(f.Alias))
	case *Join:
		p.from(f.L, depth)
		p.nl(depth)
		p.w(string(f.Kind), " JOIN ")
		p.from(f.R, depth)
		p.w(" ON ")
		p.expr(f.On)
	case *Values:
		p.w("(VALUES ")
		for i, r := range f.Rows {
			if i > 0 {
				p.w(", ")
			}
			p.w("(")
			p.list(r)
			p.w(")")
		}
		p.w(") AS ", quoteIdent(f.Alias))
		p.colList(f.Cols)
	case *TableFunc:
		p.expr(f.Fn)
		p.w(" AS ", quoteIdent(f.Alias))
		p.colList(f.Cols)
	}
}

func (p *duckPrint) colList(cols []string) {
	p.w("(")
	for i, c := range cols {
		if i > 0 {
			p.w(", ")
		}
		p.w(quoteIdent(c))
	}
	p.w(")")
}

func (p *duckPrint) list(xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			p.w(", ")
		}
		p.expr(x)
	}
}

func (p *duckPrint) expr(e Expr) {
	switch e := e.(type) {
	case *Ident:
		if e.Table != "" {
			p.w(quoteIdent(e.Table), ".")
		}
		p.w(quoteIdent(e.Name))
	case *Lit:
		p.lit(e)
	case *Func:
		p.fn(e)
	case *Binary:
		p.w("(")
		p.expr(e.L)
		p.w(" ", e.Op, " ")
		p.expr(e.R)
		p.w(")")
	case *Unary:
		p.w("(", e.Op)
		if e.Op == "NOT" {
			p.w(" ")
		}
		p.expr(e.X)
		p.w(")")
	case *IsNull:
		p.w("(")
		p.expr(e.X)
		if e.Not {
			p.w(" IS NOT NULL)")
		} else {
			p.w(" IS NULL)")
		}
	case *In:
		p.w("(")
		p.expr(e.X)
		if e.Not {
			p.w(" NOT")
		}
		p.w(" IN (")
		if e.Sub != nil {
			p.nl(p.depth + 2)
			p.query(e.Sub, p.depth+2)
			p.nl(p.depth + 1)
		} else {
			p.list(e.List)
		}
		p.w("))")
	case *Case:
		p.w("CASE")
		for _, wh := range e.Whens {
			p.w(" WHEN ")
			p.expr(wh.Cond)
			p.w(" THEN ")
			p.expr(wh.Then)
		}
		if e.Else != nil {
			p.w(" ELSE ")
			p.expr(e.Else)
		}
		p.w(" END")
	case *Cast:
		if e.Try {
			p.w("TRY_CAST(")
		} else {
			p.w("CAST(")
		}
		p.expr(e.X)
		p.w(" AS ", DuckDBType(e.T), ")")
	case *Field:
		p.w("(")
		p.expr(e.X)
		p.w(").", quoteIdent(e.Name))
	case *StructPack:
		p.w("struct_pack(")
		for i, n := range e.Names {
			if i > 0 {
				p.w(", ")
			}
			p.w(quoteIdent(n), " := ")
			p.expr(e.Vals[i])
		}
		p.w(")")
	case *Window:
		p.fn(e.Fn)
		p.w(" OVER (")
		if len(e.PartitionBy) > 0 {
			p.w("PARTITION BY ")
			p.list(e.PartitionBy)
		}
		if len(e.OrderBy) > 0 {
			if len(e.PartitionBy) > 0 {
				p.w(" ")
			}
			p.w("ORDER BY ")
			p.orders(e.OrderBy)
		}
		if e.Frame != "" {
			p.w(" ", e.Frame)
		}
		p.w(")")
	case *Lambda:
		p.w("(lambda ")
		for i, n := range e.Params {
			if i > 0 {
				p.w(", ")
			}
			p.w(quoteIdent(n))
		}
		p.w(": ")
		p.expr(e.Body)
		p.w(")")
	case *Star:
		if e.Table != "" {
			p.w(quoteIdent(e.Table), ".")
		}
		p.w("*")
	default:
		panic(fmt.Sprintf("sqlgen: cannot print %T", e))
	}
}

func (p *duckPrint) fn(f *Func) {
	p.w(f.Name, "(")
	if f.Distinct {
		p.w("DISTINCT ")
	}
	p.list(f.Args)
	if len(f.OrderBy) > 0 {
		p.w(" ORDER BY ")
		p.orders(f.OrderBy)
	}
	p.w(")")
	if f.Filter != nil {
		p.w(" FILTER (WHERE ")
		p.expr(f.Filter)
		p.w(")")
	}
}

func (p *duckPrint) lit(l *Lit) {
	if l.V == nil {
		p.w("CAST(NULL AS ", DuckDBType(l.T), ")")
		return
	}
	switch v := l.V.(type) {
	case string:
		switch l.T {
		case schema.TypeDynamic:
			p.w("CAST(", quoteString(v), " AS JSON)")
		case schema.TypeGUID:
			p.w("CAST(", quoteString(v), " AS UUID)")
		default:
			p.w(quoteString(v))
		}
	case int64:
		if l.T == schema.TypeInt {
			p.w("CAST(", strconv.FormatInt(v, 10), " AS INTEGER)")
		} else {
			p.w("CAST(", strconv.FormatInt(v, 10), " AS BIGINT)")
		}
	case float64:
		switch {
		case math.IsNaN(v):
			p.w("CAST('nan' AS DOUBLE)")
		case math.IsInf(v, 1):
			p.w("CAST('inf' AS DOUBLE)")
		case math.IsInf(v, -1):
			p.w("CAST('-inf' AS DOUBLE)")
		default:
			p.w("CAST(", strconv.FormatFloat(v, 'g', -1, 64), " AS DOUBLE)")
		}
	case bool:
		if v {
			p.w("TRUE")
		} else {
			p.w("FALSE")
		}
	case time.Time:
		p.w("TIMESTAMP '", v.UTC().Format("2006-01-02 15:04:05.999999"), "'")
	case time.Duration:
		p.w("to_microseconds(CAST(", strconv.FormatInt(v.Microseconds(), 10), " AS BIGINT))")
	default:
		panic(fmt.Sprintf("sqlgen: cannot print literal %T", v))
	}
}

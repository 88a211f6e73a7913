package sqlgen

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// DuckDB is the DuckDB dialect.
var DuckDB = &Dialect{Name: "duckdb", Funcs: duckdbFuncs(), Printer: duckPrinter{}}

type duckPrinter struct{}

// Print renders q as DuckDB SQL.
func (duckPrinter) Print(q Query) string {
	p := newPrinter(duckSpelling{})
	p.query(q, 0)
	return p.b.String()
}

// duckSpelling is DuckDB's [spelling]: standard SQL with DuckDB's lambdas, structs and
// aggregate FILTER clauses.
type duckSpelling struct{}

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

func (duckSpelling) ident(s string) string { return quoteIdent(s) }

func (duckSpelling) binop(string) (string, bool) { return "", false }

func (duckSpelling) join(k JoinKind) string { return string(k) + " JOIN" }

func (duckSpelling) lateral() string { return "LATERAL " }

func (duckSpelling) other(*printer, Expr) bool { return false }

func (duckSpelling) values(p *printer, v *Values, _ int) {
	p.w("(VALUES ")
	for i, r := range v.Rows {
		if i > 0 {
			p.w(", ")
		}
		p.w("(")
		p.list(r)
		p.w(")")
	}
	p.w(") AS ", quoteIdent(v.Alias), "(")
	p.idents(v.Cols)
	p.w(")")
}

func (duckSpelling) tableFunc(p *printer, f *TableFunc) {
	p.expr(f.Fn)
	p.w(" AS ", quoteIdent(f.Alias), "(")
	p.idents(f.Cols)
	p.w(")")
}

func (duckSpelling) cast(p *printer, e *Cast) {
	if e.Try {
		p.w("TRY_CAST(")
	} else {
		p.w("CAST(")
	}
	p.expr(e.X)
	p.w(" AS ", DuckDBType(e.T), ")")
}

func (duckSpelling) field(p *printer, e *Field) {
	p.w("(")
	p.expr(e.X)
	p.w(").", quoteIdent(e.Name))
}

func (duckSpelling) structPack(p *printer, e *StructPack) {
	p.w("struct_pack(")
	for i, n := range e.Names {
		if i > 0 {
			p.w(", ")
		}
		p.w(quoteIdent(n), " := ")
		p.expr(e.Vals[i])
	}
	p.w(")")
}

func (duckSpelling) lambda(p *printer, e *Lambda) {
	p.w("(lambda ")
	p.idents(e.Params)
	p.w(": ")
	p.expr(e.Body)
	p.w(")")
}

func (duckSpelling) call(p *printer, f *Func) {
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

func (duckSpelling) null(t schema.Type) string { return "CAST(NULL AS " + DuckDBType(t) + ")" }

func (duckSpelling) str(v string, t schema.Type) string {
	switch t {
	case schema.TypeDynamic:
		return "CAST(" + quoteString(v) + " AS JSON)"
	case schema.TypeGUID:
		return "CAST(" + quoteString(v) + " AS UUID)"
	default:
	}
	return quoteString(v)
}

func (duckSpelling) integer(v int64, t schema.Type) string {
	if t == schema.TypeInt {
		return "CAST(" + strconv.FormatInt(v, 10) + " AS INTEGER)"
	}
	return "CAST(" + strconv.FormatInt(v, 10) + " AS BIGINT)"
}

func (duckSpelling) float(v float64) string {
	switch {
	case math.IsNaN(v):
		return "CAST('nan' AS DOUBLE)"
	case math.IsInf(v, 1):
		return "CAST('inf' AS DOUBLE)"
	case math.IsInf(v, -1):
		return "CAST('-inf' AS DOUBLE)"
	}
	return "CAST(" + strconv.FormatFloat(v, 'g', -1, 64) + " AS DOUBLE)"
}

func (duckSpelling) boolean(v bool) string {
	if v {
		return "TRUE"
	}
	return "FALSE"
}

func (duckSpelling) datetime(v time.Time) string {
	return "TIMESTAMP '" + v.UTC().Format("2006-01-02 15:04:05.999999") + "'"
}

func (duckSpelling) timespan(v time.Duration) string {
	return "to_microseconds(CAST(" + strconv.FormatInt(v.Microseconds(), 10) + " AS BIGINT))"
}

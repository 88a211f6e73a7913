package sqlgen

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// ClickHouse is the ClickHouse dialect. Its SQL is tested on chDB (see internal/store/chdb).
// Columns other than strings and the sort key are Nullable, so nulls keep Kusto's meaning;
// timespans are Int64 microseconds (DuckDB's INTERVAL precision); dynamic values are JSON text
// read with the JSONExtract functions. Plans it cannot lower yet fail with a
// "not supported in ClickHouse" error instead of SQL.
var ClickHouse = &Dialect{Name: "clickhouse", Title: "ClickHouse", Funcs: clickhouseFuncs(), Printer: chPrinter{}, Check: chCheck, windows: chWindowFuncs, nodes: chNodes}

// chCheck refuses the plan nodes the ClickHouse lowering does not handle yet.
func chCheck(n plan.Node) error {
	what := ""
	switch n.(type) {
	case *plan.OuterRow:
		// The mv-apply lowering replaces the outer row; one left over is a bug.
		what = "mv-apply"
	default:
		return nil
	}
	return unsupported("ClickHouse", what)
}

// clickhouseSettings are the query settings the generated SQL relies on, appended to each
// query: outer joins fill the missing side with null (not the type's default), and a column
// name means the column even where the same SELECT defines an alias of that name
// (sum(n) AS n, bin(T, 1h) AS T ... GROUP BY bin(T, 1h)), as in standard SQL.
const clickhouseSettings = "SETTINGS join_use_nulls = 1, prefer_column_name_to_alias = 1"

type chPrinter struct{}

// Print renders q as ClickHouse SQL.
func (chPrinter) Print(q Query) string {
	p := newPrinter(chSpelling{})
	p.query(q, 0)
	p.nl(0)
	p.w(clickhouseSettings)
	return p.b.String()
}

// chSpelling is ClickHouse's [spelling]: backquoted identifiers, backslash escapes,
// Nullable casts, -If/-Distinct aggregate combinators, tuples for structs and arrayJoin
// for VALUES rows.
type chSpelling struct{}

var (
	chIdentEscaper  = strings.NewReplacer(`\`, `\\`, "`", "\\`")
	chStringEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`)
)

// chQuoteIdent quotes an identifier with backquotes.
func chQuoteIdent(s string) string { return "`" + chIdentEscaper.Replace(s) + "`" }

// chQuoteString quotes a ClickHouse string literal: backslash is an escape character there.
func chQuoteString(s string) string { return "'" + chStringEscaper.Replace(s) + "'" }

// ClickHouseType is the ClickHouse column type that stores Kusto type t (without Nullable).
func ClickHouseType(t schema.Type) string {
	switch t {
	case schema.TypeString:
		return "String"
	case schema.TypeDatetime:
		return "DateTime64(6, 'UTC')"
	case schema.TypeLong, schema.TypeTimespan:
		return "Int64"
	case schema.TypeInt:
		return "Int32"
	case schema.TypeReal:
		return "Float64"
	case schema.TypeBool:
		return "Bool"
	case schema.TypeDynamic:
		return "String"
	case schema.TypeGUID:
		return "UUID"
	case schema.TypeDecimal:
		return "Decimal(38, 9)"
	case schema.TypeInvalid:
	}
	return "String"
}

// chNullable is the Nullable ClickHouse type of Kusto type t.
func chNullable(t schema.Type) string { return "Nullable(" + ClickHouseType(t) + ")" }

// chJoinKinds are ClickHouse's spellings of the SQL join kinds; semi and anti joins keep
// each left row once (ClickHouse's LEFT SEMI/ANTI JOIN).
var chJoinKinds = map[JoinKind]string{
	JoinInner: "INNER JOIN", JoinLeft: "LEFT JOIN", JoinRight: "RIGHT JOIN", JoinFull: "FULL JOIN",
	JoinSemi: "LEFT SEMI JOIN", JoinAnti: "LEFT ANTI JOIN",
}

func (chSpelling) ident(s string) string { return chQuoteIdent(s) }

func (chSpelling) join(k JoinKind) string { return chJoinKinds[k] }

func (chSpelling) lateral() string {
	panic(unsupported("ClickHouse", "correlated (lateral) subqueries"))
}

func (chSpelling) tableFunc(_ *printer, f *TableFunc) {
	panic(unsupported("ClickHouse", "table function "+f.Fn.Name))
}

// values prints VALUES rows as arrayJoin over an array of row tuples: ClickHouse has no
// VALUES list in FROM with column names, and a UNION ALL of one-row SELECTs would not keep
// the rows in order (serialize and row_number depend on it).
func (chSpelling) values(p *printer, v *Values, depth int) {
	p.w("(")
	p.nl(depth + 1)
	p.w("SELECT ")
	for j, c := range v.Cols {
		if j > 0 {
			p.w(", ")
		}
		p.w("tupleElement(`__row`, ", strconv.Itoa(j+1), ") AS ", chQuoteIdent(c))
	}
	p.nl(depth + 1)
	p.w("FROM (SELECT arrayJoin([")
	for i, r := range v.Rows {
		if i > 0 {
			p.w(", ")
		}
		p.w("tuple(")
		p.list(r)
		p.w(")")
	}
	p.w("]) AS `__row`)")
	p.nl(depth)
	p.w(") AS ", chQuoteIdent(v.Alias))
}

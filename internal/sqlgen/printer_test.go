package sqlgen

import (
	"math"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// TestPrinterSpellings prints the same nodes in both dialects: the shared printer writes
// the structure, each dialect's spelling its literals, casts, calls and special nodes.
func TestPrinterSpellings(t *testing.T) {
	n := &Ident{Name: "n"}
	cases := []struct {
		name     string
		x        Expr
		duck, ch string
	}{
		{"string with quote and NUL", Str("a'b\x00c"), `('a''b' || chr(0) || 'c')`, `'a\'b\0c'`},
		{"dynamic", &Lit{V: `{"a":1}`, T: schema.TypeDynamic}, `CAST('{"a":1}' AS JSON)`, `'{"a":1}'`},
		{"guid", &Lit{V: "0f8fad5b-d9cb-469f-a165-70867728950e", T: schema.TypeGUID}, "CAST('0f8fad5b-d9cb-469f-a165-70867728950e' AS UUID)", "toUUID('0f8fad5b-d9cb-469f-a165-70867728950e')"},
		{"int", &Lit{V: int64(7), T: schema.TypeInt}, "CAST(7 AS INTEGER)", "toInt32(7)"},
		{"long", Int(-5), "CAST(-5 AS BIGINT)", "toInt64(-5)"},
		{"real", &Lit{V: 1.5, T: schema.TypeReal}, "CAST(1.5 AS DOUBLE)", "toFloat64(1.5)"},
		{"nan", &Lit{V: math.NaN(), T: schema.TypeReal}, "CAST('nan' AS DOUBLE)", "nan"},
		{"-inf", &Lit{V: math.Inf(-1), T: schema.TypeReal}, "CAST('-inf' AS DOUBLE)", "-inf"},
		{"bool", &Lit{V: true, T: schema.TypeBool}, "TRUE", "true"},
		{"datetime", &Lit{V: time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC), T: schema.TypeDatetime}, "TIMESTAMP '2024-01-02 03:04:05.000006'", "toDateTime64('2024-01-02 03:04:05.000006', 6, 'UTC')"},
		{"timespan", &Lit{V: 2 * time.Second, T: schema.TypeTimespan}, "to_microseconds(CAST(2000000 AS BIGINT))", "toInt64(2000000)"},
		{"typed null", &Lit{T: schema.TypeLong}, "CAST(NULL AS BIGINT)", "CAST(NULL AS Nullable(Int64))"},
		{"cast", &Cast{X: n, T: schema.TypeString}, `CAST("n" AS VARCHAR)`, "CAST(`n` AS Nullable(String))"},
		{"try cast", &Cast{X: n, T: schema.TypeReal, Try: true}, `TRY_CAST("n" AS DOUBLE)`, "accurateCastOrNull(`n`, 'Float64')"},
		{"distinct aggregate", &Func{Name: "count", Args: []Expr{n}, Distinct: true}, `count(DISTINCT "n")`, "countDistinct(`n`)"},
		{"renamed function", Call("arg_max", n, n), `arg_max("n", "n")`, "argMax(`n`, `n`)"},
		{"lambda", &Lambda{Params: []string{"x", "y"}, Body: Bin("+", &Ident{Name: "x"}, &Ident{Name: "y"})}, `(lambda "x", "y": ("x" + "y"))`, "(`x`, `y`) -> (`x` + `y`)"},
		{"struct and field", &Field{X: &StructPack{Names: []string{"a"}, Vals: []Expr{n}}, Name: "a", Index: 1}, `(struct_pack("a" := "n"))."a"`, "tupleElement(tuple(`n`), 1)"},
		{"case, in, not", &Case{Whens: []When{{Cond: &In{X: n, List: []Expr{Int(1)}, Not: true}, Then: &Unary{Op: "NOT", X: n}}}, Else: &IsNull{X: n}}, `CASE WHEN ("n" NOT IN (CAST(1 AS BIGINT))) THEN (NOT "n") ELSE ("n" IS NULL) END`, "CASE WHEN (`n` NOT IN (toInt64(1))) THEN (NOT `n`) ELSE (`n` IS NULL) END"},
		{"window", &Window{Fn: Call("row_number"), PartitionBy: []Expr{n}, OrderBy: []Order{{X: n, Desc: true}}}, `row_number() OVER (PARTITION BY "n" ORDER BY "n" DESC NULLS LAST)`, "row_number() OVER (PARTITION BY `n` ORDER BY `n` DESC NULLS LAST)"},
		{"operator as a function", Bin("//", n, Int(2)), `("n" // CAST(2 AS BIGINT))`, "intDiv(`n`, toInt64(2))"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, d := range []struct {
				sp   spelling
				want string
			}{{duckSpelling{}, c.duck}, {chSpelling{}, c.ch}} {
				p := newPrinter(d.sp)
				p.expr(c.x)
				if got := p.b.String(); got != d.want {
					t.Errorf("%T: got %s, want %s", d.sp, got, d.want)
				}
			}
		})
	}
}

// TestPrinterFrom prints the same FROM clauses in both dialects: joins by the dialect's
// join spelling, VALUES as a VALUES list (DuckDB) or arrayJoin over tuples (ClickHouse).
func TestPrinterFrom(t *testing.T) {
	vals := &Values{Rows: [][]Expr{{Int(1)}}, Cols: []string{"a"}, Alias: "v"}
	q := &Select{Items: []SelectItem{{X: &Star{Table: "v"}}}, From: &Join{Kind: JoinSemi, L: vals, R: &Table{Name: "T"}, On: &Lit{V: true, T: schema.TypeBool}}, Limit: 5}
	duck := "SELECT \"v\".*\nFROM (VALUES (CAST(1 AS BIGINT))) AS \"v\"(\"a\")\nSEMI JOIN \"T\" ON TRUE\nLIMIT 5"
	ch := "SELECT `v`.*\nFROM (\n  SELECT tupleElement(`__row`, 1) AS `a`\n  FROM (SELECT arrayJoin([tuple(toInt64(1))]) AS `__row`)\n) AS `v`\nLEFT SEMI JOIN `T` ON true\nLIMIT 5\n" + clickhouseSettings
	if got := DuckDB.Printer.Print(q); got != duck {
		t.Errorf("DuckDB: got\n%s\nwant\n%s", got, duck)
	}
	if got := ClickHouse.Printer.Print(q); got != ch {
		t.Errorf("ClickHouse: got\n%s\nwant\n%s", got, ch)
	}
}

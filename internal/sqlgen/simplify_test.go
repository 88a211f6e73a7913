package sqlgen

import (
	"strconv"
	"strings"
	"testing"
)

// simplifyTree builds small lowered trees the way the lowering does: a scan projecting
// COALESCE'd columns over its table, and one subquery per operator.
type simplifyTree struct{ n int }

func (b *simplifyTree) sub(q Query) *Subquery {
	b.n++
	return &Subquery{Q: q, Alias: "t" + strconv.Itoa(b.n)}
}

func (b *simplifyTree) scan(cols ...string) *Select {
	s := &Select{From: &Table{Name: "T"}, Where: Bin("=", &Ident{Name: "TenantId"}, Str("t1")), Limit: -1}
	for _, c := range cols {
		s.Items = append(s.Items, SelectItem{X: Call("COALESCE", &Ident{Name: c}, Str("")), Alias: c})
	}
	return s
}

func (b *simplifyTree) where(q Query, pred Expr) *Select {
	return &Select{Items: []SelectItem{{X: &Star{}}}, From: b.sub(q), Where: pred, Limit: -1}
}

func (b *simplifyTree) project(q Query, items ...SelectItem) *Select {
	return &Select{Items: items, From: b.sub(q), Limit: -1}
}

func (b *simplifyTree) top(q Query, cols ...string) *Select {
	s := &Select{From: b.sub(q), Limit: -1}
	for _, c := range cols {
		s.Items = append(s.Items, SelectItem{X: &Ident{Name: c}})
	}
	return s
}

func col(n string) *Ident { return &Ident{Name: n} }

// oneLine is SQL with its line breaks and indentation folded into single spaces.
func oneLine(sql string) string { return strings.Join(strings.Fields(sql), " ") }

// TestSimplify checks which layers simplify folds and which columns it drops, and, as much,
// what it must leave alone: every case below a line "kept" would change the query's rows.
func TestSimplify(t *testing.T) {
	cases := []struct {
		name  string
		build func(b *simplifyTree) Query
		want  string
	}{
		{"stacked filters and the final projection fold into the scan, unread columns go", func(b *simplifyTree) Query {
			q := b.where(b.where(b.scan("A", "B", "C"), Bin("=", col("A"), Str("x"))), Bin("<>", col("B"), Str("")))
			return b.top(q, "A")
		}, `SELECT COALESCE("A", '') AS "A" FROM "T" WHERE ((("TenantId" = 't1') AND ("A" = 'x')) AND (COALESCE("B", '') <> ''))`},
		{"a projection composes with the scan; a filter on its computed column stays above", func(b *simplifyTree) Query {
			q := b.project(b.scan("A", "B"), SelectItem{X: col("A"), Alias: "X"}, SelectItem{X: Call("upper", col("B")), Alias: "Y"})
			return b.top(b.where(q, Bin("=", col("X"), Str("k"))), "Y")
		}, `SELECT "Y" FROM ( SELECT COALESCE("A", '') AS "X", upper(COALESCE("B", '')) AS "Y" FROM "T" WHERE ("TenantId" = 't1') ) AS "t2" WHERE ("X" = 'k')`},
		{"an aggregate composes with the scan", func(b *simplifyTree) Query {
			agg := &Select{Items: []SelectItem{{X: Call("count", &Star{}), Alias: "Count"}}, From: b.sub(b.where(b.scan("A", "B"), Bin("=", col("A"), Str("x")))), Limit: -1}
			return b.top(agg, "Count")
		}, `SELECT "Count" FROM ( SELECT count(*) AS "Count" FROM "T" WHERE (("TenantId" = 't1') AND ("A" = 'x')) ) AS "t3"`},
		{"kept: a filter over a computed column stays above it", func(b *simplifyTree) Query {
			q := b.project(b.scan("A", "B"), SelectItem{X: Call("regexp_extract", col("A"), Str("x(.)"), Int(1)), Alias: "R"})
			return b.top(b.where(q, Bin("<>", col("R"), Str(""))), "R")
		}, `SELECT "R" FROM ( SELECT regexp_extract(COALESCE("A", ''), 'x(.)', CAST(1 AS BIGINT)) AS "R" FROM "T" WHERE ("TenantId" = 't1') ) AS "t2" WHERE ("R" <> '')`},
		{"kept: a filter over a window stays above it", func(b *simplifyTree) Query {
			q := b.project(b.scan("A"), SelectItem{X: col("A"), Alias: "A"}, SelectItem{X: &Window{Fn: Call("row_number")}, Alias: "N"})
			return b.top(b.where(q, Bin("=", col("A"), Str("x"))), "N")
		}, `SELECT "N" FROM ( SELECT "A" AS "A", row_number() OVER () AS "N" FROM ( SELECT COALESCE("A", '') AS "A" FROM "T" WHERE ("TenantId" = 't1') ) AS "t1" ) AS "t2" WHERE ("A" = 'x')`},
		{"kept: an unread unnest, which multiplies rows", func(b *simplifyTree) Query {
			q := b.project(b.scan("A", "L"), SelectItem{X: col("A"), Alias: "A"}, SelectItem{X: Call("unnest", col("L")), Alias: "E"})
			return b.top(q, "A")
		}, `SELECT "A" FROM ( SELECT COALESCE("A", '') AS "A", unnest(COALESCE("L", '')) AS "E" FROM "T" WHERE ("TenantId" = 't1') ) AS "t2"`},
		{"kept: DISTINCT * reads every column", func(b *simplifyTree) Query {
			d := &Select{Distinct: true, Items: []SelectItem{{X: &Star{}}}, From: b.sub(b.scan("A", "B")), Limit: -1}
			return b.top(d, "A")
		}, `SELECT "A" FROM ( SELECT DISTINCT * FROM ( SELECT COALESCE("A", '') AS "A", COALESCE("B", '') AS "B" FROM "T" WHERE ("TenantId" = 't1') ) AS "t1" ) AS "t2"`},
		{"kept: a sorted, limited layer", func(b *simplifyTree) Query {
			s := &Select{Items: []SelectItem{{X: &Star{}}}, From: b.sub(b.scan("A", "B")), OrderBy: []Order{{X: col("B")}}, Limit: 3}
			return b.top(s, "A")
		}, `SELECT "A" FROM ( SELECT * FROM ( SELECT COALESCE("A", '') AS "A", COALESCE("B", '') AS "B" FROM "T" WHERE ("TenantId" = 't1') ) AS "t1" ORDER BY "B" ASC NULLS LAST LIMIT 3 ) AS "t2"`},
		{"kept: UNION ALL parts keep their columns", func(b *simplifyTree) Query {
			u := &SetOp{Parts: []Query{b.project(b.scan("A", "B"), SelectItem{X: col("A"), Alias: "A"}, SelectItem{X: col("B"), Alias: "B"}), b.scan("A", "B")}}
			return b.top(u, "A")
		}, `SELECT "A" FROM ( SELECT COALESCE("A", '') AS "A", COALESCE("B", '') AS "B" FROM "T" WHERE ("TenantId" = 't1') UNION ALL SELECT COALESCE("A", '') AS "A", COALESCE("B", '') AS "B" FROM "T" WHERE ("TenantId" = 't1') ) AS "t2"`},
		{"kept: a subquery read twice keeps what either reader needs", func(b *simplifyTree) Query {
			shared := b.scan("A", "B", "C")
			l, r := b.sub(shared), b.sub(shared)
			j := &Select{Items: []SelectItem{{X: &Ident{Table: l.Alias, Name: "A"}, Alias: "A"}, {X: &Ident{Table: r.Alias, Name: "B"}, Alias: "B"}},
				From: &Join{Kind: JoinInner, L: l, R: r, On: Bin("=", &Ident{Table: l.Alias, Name: "A"}, &Ident{Table: r.Alias, Name: "A"})}, Limit: -1}
			return b.top(j, "A", "B")
		}, `SELECT "t1"."A" AS "A", "t2"."B" AS "B" FROM ( SELECT COALESCE("A", '') AS "A", COALESCE("B", '') AS "B", COALESCE("C", '') AS "C" FROM "T" WHERE ("TenantId" = 't1') ) AS "t1" INNER JOIN ( SELECT COALESCE("A", '') AS "A", COALESCE("B", '') AS "B", COALESCE("C", '') AS "C" FROM "T" WHERE ("TenantId" = 't1') ) AS "t2" ON ("t1"."A" = "t2"."A")`},
		{"kept: the columns a lateral subquery reads", func(b *simplifyTree) Query {
			o := b.sub(b.where(b.scan("A", "L"), Bin("=", col("A"), Str("x"))))
			row := &Select{Items: []SelectItem{{X: &Ident{Table: o.Alias, Name: "L"}, Alias: "L"}}, Limit: -1}
			lat := b.sub(row)
			lat.Lateral = true
			j := &Select{Items: []SelectItem{{X: &Ident{Table: o.Alias, Name: "A"}, Alias: "A"}, {X: &Ident{Table: lat.Alias, Name: "L"}, Alias: "E"}},
				From: &Join{Kind: JoinInner, L: o, R: lat, On: &Lit{V: true, T: 0}}, Limit: -1}
			return b.top(j, "A", "E")
		}, `SELECT "t2"."A" AS "A", "t3"."L" AS "E" FROM ( SELECT COALESCE("A", '') AS "A", COALESCE("L", '') AS "L" FROM "T" WHERE (("TenantId" = 't1') AND ("A" = 'x')) ) AS "t2" INNER JOIN LATERAL ( SELECT "t2"."L" AS "L" ) AS "t3" ON TRUE`},
		{"a scalar subquery folds inside, and the names it reads are its own", func(b *simplifyTree) Query {
			inner := b.top(b.where(b.scan("A", "C"), Bin("=", col("C"), Str("y"))), "A")
			inner.Limit = 1
			q := b.project(b.scan("A", "B"), SelectItem{X: col("B"), Alias: "A"})
			return b.top(b.where(q, Bin(">", col("A"), &ScalarSub{Q: inner})), "A")
		}, `SELECT COALESCE("B", '') AS "A" FROM "T" WHERE (("TenantId" = 't1') AND (COALESCE("B", '') > ( SELECT COALESCE("A", '') AS "A" FROM "T" WHERE (("TenantId" = 't1') AND ("C" = 'y')) LIMIT 1 )))`},
		{"kept: a filter with a correlated scalar subquery stays above its FROM", func(b *simplifyTree) Query {
			q := b.project(b.scan("A", "B"), SelectItem{X: col("B"), Alias: "A"})
			corr := &Select{Items: []SelectItem{{X: &Ident{Table: "t2", Name: "A"}}}, Limit: 1}
			return b.top(b.where(q, Bin(">", col("A"), &ScalarSub{Q: corr})), "A")
		}, `SELECT "A" FROM ( SELECT COALESCE("B", '') AS "A" FROM "T" WHERE ("TenantId" = 't1') ) AS "t2" WHERE ("A" > ( SELECT "t2"."A" LIMIT 1 ))`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := oneLine(DuckDB.Printer.Print(simplify(c.build(&simplifyTree{}))))
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestBareFilter checks which WHERE conjuncts over a COALESCE'd string column compare the
// bare column instead: only those that a null column fails either way.
func TestBareFilter(t *testing.T) {
	c := Call("COALESCE", col("c"), Str(""))
	cases := []struct {
		name string
		x    Expr
		want string
	}{
		{"equals a constant", Bin("=", c, Str("x")), `("c" = 'x')`},
		{"constant first", Bin("=", Str("x"), c), `('x' = "c")`},
		{"in constants", &In{X: c, List: []Expr{Str("x"), Str("y")}}, `("c" IN ('x', 'y'))`},
		{"both conjuncts", Bin("AND", Bin("=", c, Str("x")), &In{X: c, List: []Expr{Str("y")}}), `(("c" = 'x') AND ("c" IN ('y')))`},
		{"lower-cased", Bin("=", Call("lower", c), Call("lower", Str("X"))), `(lower("c") = lower('X'))`},
		{"lower-cased in", &In{X: Call("lower", c), List: []Expr{Call("lower", Str("X")), Str("y")}}, `(lower("c") IN (lower('X'), 'y'))`},
		{"kept: equals empty", Bin("=", c, Str("")), `(COALESCE("c", '') = '')`},
		{"kept: in a list holding empty", &In{X: c, List: []Expr{Str("x"), Str("")}}, `(COALESCE("c", '') IN ('x', ''))`},
		{"kept: not in", &In{X: c, List: []Expr{Str("x")}, Not: true}, `(COALESCE("c", '') NOT IN ('x'))`},
		{"kept: not equal", Bin("<>", c, Str("x")), `(COALESCE("c", '') <> 'x')`},
		{"kept: under OR", Bin("OR", Bin("=", c, Str("x")), Bin("=", col("d"), Str("y"))), `((COALESCE("c", '') = 'x') OR ("d" = 'y'))`},
		{"kept: under NOT", &Unary{Op: "NOT", X: Bin("=", c, Str("x"))}, `(NOT (COALESCE("c", '') = 'x'))`},
		{"kept: lower of empty", Bin("=", Call("lower", c), Call("lower", Str(""))), `(lower(COALESCE("c", '')) = lower(''))`},
		{"kept: another function", Bin("=", Call("trim", c), Str("x")), `(trim(COALESCE("c", '')) = 'x')`},
		{"kept: another column", Bin("=", c, col("d")), `(COALESCE("c", '') = "d")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPrinter(duckSpelling{})
			p.expr(bareFilter(tc.x))
			if got := p.b.String(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

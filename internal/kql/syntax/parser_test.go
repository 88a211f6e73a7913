package syntax

import (
	"strings"
	"testing"
)

// oneLine parses src, requires no diagnostics and a stable round trip, and
// returns the canonical print on one line.
func oneLine(t *testing.T, src string) (string, *Script) {
	t.Helper()
	s, diags := Parse(src)
	if len(diags) > 0 {
		t.Fatalf("Parse(%q):\n%s", src, RenderAll(src, diags))
	}
	assertRoundTrip(t, s)
	return strings.ReplaceAll(Format(s), "\n", " "), s
}

// TestOperators checks the canonical print of every operator form; the
// print shows what the parser kept (names, options, clauses).
func TestOperators(t *testing.T) {
	tests := []struct{ src, want string }{
		{"T | where a > 1", "T | where a > 1"},
		{"T | filter a", "T | filter a"},
		{"T|project a,b=c+1,['x y']=d", `T | project a, b = c + 1, ["x y"] = d`},
		{"T | project-away a, b*, *c", "T | project-away a, b*, *c"},
		{"T | project-keep a*", "T | project-keep a*"},
		{"T | project-reorder b desc, a*", "T | project-reorder b desc, a*"},
		{"T | project-rename a=b, ['c d']=e", `T | project-rename a = b, ["c d"] = e`},
		{"T | extend x = 1, y", "T | extend x = 1, y"},
		{"T | summarize", ""},
		{"T | summarize count()", "T | summarize count()"},
		{"T | summarize by a", "T | summarize by a"},
		{"T | summarize c=count(), dcount(u) by bin(t, 1h), k", "T | summarize c = count(), dcount(u) by bin(t, 1h), k"},
		{"T | summarize (t, v) = arg_max(ts, v) by k", "T | summarize (t, v) = arg_max(ts, v) by k"},
		{"T | summarize hint.strategy=shuffle count() by k", "T | summarize hint.strategy=shuffle count() by k"},
		{"T | count", "T | count"},
		{"T | count as N", "T | count as N"},
		{"T | distinct *", "T | distinct *"},
		{"T | distinct a, b", "T | distinct a, b"},
		{"T | take 10", "T | take 10"},
		{"T | limit n", "T | limit n"},
		{"T | top 5 by a desc nulls last", "T | top 5 by a desc nulls last"},
		{"T | sort by a, b asc nulls first", "T | sort by a, b asc nulls first"},
		{"T | order by a desc", "T | order by a desc"},
		{"T | top-nested 3 of a by count(), top-nested of b with others='o' by m=max(x) asc", `T | top-nested 3 of a by count(), top-nested of b with others = "o" by m = max(x) asc`},
		{"T | join U on k", "T | join U on k"},
		{"T | join kind=leftouter hint.remote=auto (U | where x) on $left.a == $right.b, c", "T | join kind=leftouter hint.remote=auto (U | where x) on $left.a == $right.b, c"},
		{"T | lookup kind=inner U on k", "T | lookup kind=inner U on k"},
		{"T | union U, (V | take 1), W*", "T | union U, (V | take 1), W*"},
		{"union withsource=S kind=inner isfuzzy=true A, B", "union withsource=S kind=inner isfuzzy=true A, B"},
		{"union *", "union *"},
		{"T | mv-expand a", "T | mv-expand a"},
		{"T | mvexpand a limit 5", "T | mv-expand a limit 5"},
		{"T | mv-expand bagexpansion=bag with_itemindex=i x = a to typeof(string), b limit 10", "T | mv-expand bagexpansion=bag with_itemindex=i x = a to typeof(string), b limit 10"},
		{"T | mv-apply x = a to typeof(long) on (top 1 by x)", "T | mv-apply x = a to typeof(long) on (top 1 by x)"},
		{"T | mv-apply with_itemindex=i a limit 5 on (summarize s = sum(a) | extend y = 1)", "T | mv-apply with_itemindex=i a limit 5 on (summarize s = sum(a) | extend y = 1)"},
		{"T | parse s with 'a' x:int * 'b' y", `T | parse s with "a" x:int * "b" y`},
		{"T | parse kind=regex flags=Ui s with @'(\\d+)' n:long", `T | parse kind=regex flags=Ui s with @"(\d+)" n:long`},
		{"T | parse-where kind=simple s with x '=' y", `T | parse-where kind=simple s with x "=" y`},
		{"T | parse-kv s as (a:string, b:long)", "T | parse-kv s as (a:string, b:long)"},
		{"T | parse-kv s as (a:string) with (pair_delimiter=';', kv_delimiter='=', quote='\"', greedy=true)", `T | parse-kv s as (a:string) with (pair_delimiter=";", kv_delimiter="=", quote="\"", greedy=true)`},
		{"T | make-series c=count() on t step 1h", "T | make-series c = count() on t step 1h"},
		{"T | make-series kind=nonempty avg(x) default=0, m=max(y) on t from ago(1d) to now() step 1h by k", "T | make-series kind=nonempty avg(x) default = 0, m = max(y) on t from ago(1d) to now() step 1h by k"},
		{"T | make-series count() on t in range(ago(7d), now(), 1d)", "T | make-series count() on t in range(ago(7d), now(), 1d)"},
		{"T | serialize", "T | serialize"},
		{"T | serialize rn = row_number()", "T | serialize rn = row_number()"},
		{"T | as X", "T | as X"},
		{"T | as hint.materialized=true X", "T | as hint.materialized=true X"},
		{"T | getschema", "T | getschema"},
		{"T | evaluate bag_unpack(d)", "T | evaluate bag_unpack(d)"},
		{"T | evaluate hint.distribution=per_node pivot(k, sum(v), g)", "T | evaluate hint.distribution=per_node pivot(k, sum(v), g)"},
		{"T | evaluate bag_unpack(d) : (a:string, b:long)", "T | evaluate bag_unpack(d) : (a:string, b:long)"},
		{"T | evaluate bag_unpack(d, 'p_') : (*, p_a:string)", "T | evaluate bag_unpack(d, \"p_\") : (*, p_a:string)"},
		{"T | invoke f(1, 'a')", `T | invoke f(1, "a")`},
		{"T | sample 10", "T | sample 10"},
		{"T | sample-distinct 5 of k", "T | sample-distinct 5 of k"},
		{"T | render piechart", "T | render piechart"},
		{"T | render timechart with (title='x', ycolumns=a, b, legend=hidden)", `T | render timechart with (title="x", ycolumns=a, b, legend=hidden)`},
		{"T | facet by a, b", "T | facet by a, b"},
		{"T | facet by a with (where x | take 2)", "T | facet by a with (where x | take 2)"},
		{"T | fork (count) (take 1)", "T | fork (count) (take 1)"},
		{"T | fork a=(count) b=(take 1)", "T | fork a=(count) b=(take 1)"},
		{"T | search 'x'", `T | search "x"`},
		{"search kind=case_sensitive in (A, B*) c:'x' or 'y'", `search kind=case_sensitive in (A, B*) c : "x" or "y"`},
		{"find in (A) where x == 1", "find in (A) where x == 1"},
		{"find withsource=S where x project-smart", "find withsource=S where x project-smart"},
		{"find where x project a, b", "find where x project a, b"},
		{"print 1, x = 'a'", `print 1, x = "a"`},
		{"range i from 0 to 10 step 2 | count", "range i from 0 to 10 step 2 | count"},
		{"datatable(a:string, b:long) ['x', 1, 'y', -2]", `datatable(a:string, b:long) ["x", 1, "y", -2]`},
		{"datatable(a:dynamic) [dynamic([1]), dynamic({'k': 1})]", `datatable(a:dynamic) [dynamic([1]), dynamic({"k": 1})]`},
		{"externaldata(IP:string) [@'https://x/y.txt'] with (format='txt')", `externaldata(IP:string) ["https://x/y.txt"] with (format="txt")`},
		{"externaldata(a:string, b:long) ['u1', 'u2'] | take 1", `externaldata(a:string, b:long) ["u1", "u2"] | take 1`},
		{"externaldata(a:string) [h'u'] with (format='csv', ignoreFirstRecord=true)", `externaldata(a:string) [h"u"] with (format="csv", ignoreFirstRecord=true)`},
		{"_GetWatchlist('w') | take 1", `_GetWatchlist("w") | take 1`},
		{"(T | take 1) | count", "(T | take 1) | count"},
		{"materialize(T) | count", "materialize(T) | count"},
		{"['My Table'] | count", `["My Table"] | count`},
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		got, _ := oneLine(t, tt.src)
		if got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestStatements(t *testing.T) {
	tests := []struct{ src, want string }{
		{"let x = 5; T", `(Script Stmts:[(LetStmt Name:(Ident Name:"x") Value:(IntLit Text:"5" Value:5)) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"T"))))])`},
		{"let T2 = T | take 1; T2", `(Script Stmts:[(LetStmt Name:(Ident Name:"T2") Value:(TabularExpr Query:(Pipeline Source:(TableRef Name:"T") Ops:[(TakeOp Keyword:"take" Count:(IntLit Text:"1" Value:1))]))) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"T2"))))])`},
		{"let f = (a:string, b:int = 5) { a }; print f('x')", `(Script Stmts:[(LetStmt Name:(Ident Name:"f") Value:(FuncExpr Params:[(Param Name:(Ident Name:"a") Type:"string") (Param Name:(Ident Name:"b") Type:"int" Default:(IntLit Text:"5" Value:5))] Body:[(ExprStmt X:(Ident Name:"a"))])) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(PrintSource Columns:[(NamedExpr Expr:(CallExpr Name:(Ident Name:"f") Args:[(StringLit Value:"x")]))]))))])`},
		{"let v = view () { let y = 1; T | take y }; v", `(Script Stmts:[(LetStmt Name:(Ident Name:"v") Value:(FuncExpr View:true Body:[(LetStmt Name:(Ident Name:"y") Value:(IntLit Text:"1" Value:1)) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"T") Ops:[(TakeOp Keyword:"take" Count:(Ident Name:"y"))])))])) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"v"))))])`},
		{"let g = (T:(a:string, b:long), n:long) { T | take n }; g(U, 1)", `(Script Stmts:[(LetStmt Name:(Ident Name:"g") Value:(FuncExpr Params:[(Param Name:(Ident Name:"T") Tabular:true Columns:[(ColumnDecl Name:(Ident Name:"a") Type:"string") (ColumnDecl Name:(Ident Name:"b") Type:"long")]) (Param Name:(Ident Name:"n") Type:"long")] Body:[(ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"T") Ops:[(TakeOp Keyword:"take" Count:(Ident Name:"n"))])))])) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(CallSource Call:(CallExpr Name:(Ident Name:"g") Args:[(Ident Name:"U") (IntLit Text:"1" Value:1)])))))])`},
		{"let m = materialize(T | take 1); m", `(Script Stmts:[(LetStmt Name:(Ident Name:"m") Value:(CallExpr Name:(Ident Name:"materialize") Args:[(TabularExpr Query:(Pipeline Source:(TableRef Name:"T") Ops:[(TakeOp Keyword:"take" Count:(IntLit Text:"1" Value:1))]))])) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"m"))))])`},
		{"set notruncation; set query_now = datetime(2024-01-01); T", `(Script Stmts:[(SetStmt Name:"notruncation") (SetStmt Name:"query_now" Value:(TypedLit Type:"datetime" Value:"2024-01-01")) (ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"T"))))])`},
		{";;T;;", `(Script Stmts:[(ExprStmt X:(TabularExpr Query:(Pipeline Source:(TableRef Name:"T"))))])`},
		{"", `(Script)`},
		{"// only a comment", `(Script)`},
	}
	for _, tt := range tests {
		s, diags := Parse(tt.src)
		if len(diags) > 0 {
			t.Errorf("Parse(%q): %s", tt.src, diagString(diags))
			continue
		}
		if got := Dump(s); got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
		assertRoundTrip(t, s)
	}
}

// TestContextualKeywords checks that Kusto keywords work as names where
// a name is expected.
func TestContextualKeywords(t *testing.T) {
	tests := []struct{ src, want string }{
		{"T | project where, by, on, kind, project", "T | project where, by, on, kind, project"},
		{"T | extend range = 1, print = 2", "T | extend range = 1, print = 2"},
		{"T | summarize count() by from, to, step", "T | summarize count() by from, to, step"},
		{"T | where set_has_element(s, 1) and range(1, 3, 1)[0] == 1", "T | where set_has_element(s, 1) and range(1, 3, 1)[0] == 1"},
		{"let by = 1; print by", "let by = 1; print by"},
		{"T | where Type == 'x' | extend time = 1", `T | where Type == "x" | extend time = 1`},
	}
	for _, tt := range tests {
		got, _ := oneLine(t, tt.src)
		if got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

// TestRoundTripEdgeCases covers inputs whose canonical print differs from
// the source: escapes, verbatim strings, quoted names, joined literals and
// implicit precedence.
func TestRoundTripEdgeCases(t *testing.T) {
	tests := []struct{ src, want string }{
		{`print "a\tb\u0001", @"C:\x", h@'k\', "x" 'y'`, `print "a\tb\u0001", @"C:\x", h@"k\", "xy"`},
		{"print ['a b'], ['in~'], ['1x'], ['where']", `print ["a b"], ["in~"], ["1x"], ["where"]`},
		{"print a - (b - c), (a - b) - c, -(-a), a * (b + c)", "print a - (b - c), (a - b) - c, -(-a), a * (b + c)"},
		{"print 0 > a in (1), a between (1 .. 2) == true", "print 0 > a in (1), a between (1 .. 2) == true"},
		{"print datetime( 2024-01-01 ), date(2024-01-01), time(1d)", "print datetime(2024-01-01), datetime(2024-01-01), timespan(1d)"},
		{"print d.['x y'].z, d['k'], $left.a", `print d.["x y"].z, d["k"], $left.a`},
		{"T | where a !in~ ('x') and b !between (1 .. 2)", `T | where a !in~ ("x") and b !between (1 .. 2)`},
		{"print x = ```a\"b\\c```", `print x = "a\"b\\c"`},
		{"print dynamic([-1, +2, {'a': [true, null]}])", `print dynamic([-1, +2, {"a": [true, null]}])`},
	}
	for _, tt := range tests {
		got, _ := oneLine(t, tt.src)
		if got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

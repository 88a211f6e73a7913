package syntax

import (
	"strings"
	"testing"
)

// diagLines renders diagnostics as "line:col: message" lines, the form the
// CLI prints.
func diagLines(src string, diags []Diagnostic) string {
	lines := make([]string, len(diags))
	for i, d := range diags {
		lines[i] = PositionOf(src, d.Span.Start).String() + ": " + d.Message
	}
	return strings.Join(lines, "\n")
}

// TestDiagnostics asserts the exact positions and messages of parse errors,
// including several independent errors in one query (recovery at '|' and
// ';').
func TestDiagnostics(t *testing.T) {
	tests := []struct{ src, want string }{
		{"T | summarise count() by X | whre x == 1 | take 5", "1:5: unknown operator 'summarise'; did you mean 'summarize'?\n1:30: unknown operator 'whre'; did you mean 'where'?"},
		{"T\n| where Timestamp > ago(1d)\n| extnd x = 1\n| project-awya a\n| sortt by x", "3:3: unknown operator 'extnd'; did you mean 'extend'?\n4:3: unknown operator 'project-awya'; did you mean 'project-away'?\n5:3: unknown operator 'sortt'; did you mean 'sort'?"},
		{"T | where (a == 1 | take 5", "1:19: expected ')' to close '(' opened at 1:11"},
		{"T | extend x = 1 +\n| where y ==", "2:1: expected an expression, found '|'\n2:13: expected an expression, found end of query"},
		{"T | where x = 5", "1:13: unexpected '=' in 'where'; use '==' to compare values"},
		{"let x = ;\nT | take", "1:9: expected an expression, found ';'\n2:9: expected an expression, found end of query"},
		{"T | join kind=inner (U | where) on", "1:31: expected an expression, found ')'\n1:35: expected an expression, found end of query"},
		{"T | join kind=inner U", "1:22: expected 'on' after the right side of 'join', found end of query"},
		{"T | summarize count() by", "1:25: expected an expression, found end of query"},
		{"T | summarize", "1:14: expected an aggregate or 'by' after 'summarize', found end of query"},
		{"T | sort Timestamp desc", "1:10: expected 'by' after 'sort', found 'Timestamp'"},
		{"T | top 10 Timestamp", "1:12: expected 'by' after the count of 'top', found 'Timestamp'"},
		{"T | scan with (step s: true;)", "1:5: operator 'scan' is not supported"},
		{"T | where x in \"a\", \"b\"", "1:16: expected '(' after 'in', found string literal"},
		{"T | where x between (1, 10)", "1:23: expected '..' between the bounds of 'between', found ','"},
		{"T | mv-apply x on summarize count()", "1:19: expected '(' to start the subquery of 'mv-apply', found 'summarize'"},
		{"T | parse s with", "1:17: expected a parse pattern of string literals, '*' and column names, found end of query"},
		{"T | make-series count() on t from ago(1d)", "1:42: expected 'step' in 'make-series' (e.g. step 1h), found end of query"},
		{"T | project a, , b", "1:16: expected an expression, found ','"},
		{"T | where a | | take 1", "1:15: expected an operator name after '|', found '|'"},
		{"T | 5", "1:5: expected an operator name after '|', found number '5'"},
		{"T | project a) | take 1", "1:14: unexpected ')'; expected '|', ';' or end of query"},
		{"datatable(a:string ['x']", "1:20: expected ')' to close '(' opened at 1:10"},
		{"externaldata(a:string) ['u'] with format='txt'", "1:35: expected '(' after 'with' in 'externaldata', found 'format'"},
		{"print x = dynamic([1, 2)", "1:24: expected ']' to close '[' opened at 1:19"},
		{"let f = (a:string { a }; f('x')", "1:19: expected ')' to close '(' opened at 1:9"},
		{"T | take 5 T2", "1:12: unexpected 'T2' in 'take'; expected '|', ';' or end of query"},
		{"T | where x has \"abc", "1:17: unterminated string literal; close it with \""},
		{"print datetime(2024-13-45), guid(nope), bool(maybe), int(1.5), timespan(1x)", "1:7: invalid datetime literal '2024-13-45'; write it as datetime(2024-01-31) or datetime(2024-01-31 13:45:00)\n1:29: invalid guid literal 'nope'; write it as guid(00000000-0000-0000-0000-000000000000)\n1:41: invalid bool literal 'maybe'; write it as bool(true) or bool(false)\n1:54: invalid int literal '1.5'; write a whole number or null\n1:64: invalid timespan literal '1x'; write it as timespan(1d), timespan(30m) or timespan(1.02:03:04)"},
		{"T | render", "1:11: expected a chart type after 'render' (e.g. timechart, barchart, piechart), found end of query"},
		{"T | evaluate bag_unpack", "1:14: expected a function call after 'evaluate' (e.g. bag_unpack(Col)), found 'bag_unpack'"},
		{"print 99999999999999999999", "1:7: integer literal 99999999999999999999 is out of range for long"},
		{"T | where x == 1 | Summarize count()", "1:20: unknown operator 'Summarize'; did you mean 'summarize'?"},
		{"T | project-rename a b", "1:22: expected '=' between the new and the old name in 'project-rename', found 'b'"},
		{"T | extend x = tostring(y | take 1", "1:35: expected ')' to close '(' opened at 1:24"},
		{"1 + 2", "1:1: expected a table name, a tabular function call or a parenthesized query"},
		{"T | where a.", "1:13: expected a name after '.', found end of query"},
		{"T | join kind=inner (U | take 1)\non x | whre y; U | extnd", "2:8: unknown operator 'whre'; did you mean 'where'?\n2:20: unknown operator 'extnd'; did you mean 'extend'?"},
		{"T | summarize count() bye X", "1:23: unexpected 'bye' in 'summarize'; did you mean 'by'?"},
		{"T | where x hass 'a'", "1:13: unexpected 'hass' in 'where'; did you mean 'has'?"},
		{"T | where a == 1 || b == 2", "1:18: unexpected '||'; use 'or' to combine conditions"},
		{"T | where a == 1 && b == 2", "1:18: unexpected '&&'; use 'and' to combine conditions"},
		{"T | where x contians 'a' | take 1 | extnd y = 1", "1:13: unexpected 'contians' in 'where'; did you mean 'contains'?\n1:37: unknown operator 'extnd'; did you mean 'extend'?"},
	}
	for _, tt := range tests {
		_, diags := Parse(tt.src)
		if got := diagLines(tt.src, diags); got != tt.want {
			t.Errorf("Parse(%q) diagnostics\n got: %s\nwant: %s", tt.src, got, tt.want)
		}
	}
}

func TestDiagnosticSpans(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"T | summarise x", "4-13: unknown operator 'summarise'; did you mean 'summarize'?"},
		{"T | project-awya a", "4-16: unknown operator 'project-awya'; did you mean 'project-away'?"},
		{"T | where (a", "12-12: expected ')' to close '(' opened at 1:11"},
		{"T | take 5 T2", "11-13: unexpected 'T2' in 'take'; expected '|', ';' or end of query"},
		{"print datetime(x)", "6-17: invalid datetime literal 'x'; write it as datetime(2024-01-31) or datetime(2024-01-31 13:45:00)"},
	}
	for _, tt := range tests {
		_, diags := Parse(tt.src)
		if got := diagString(diags); got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

// TestRecoveryKeepsGoodOperators checks that the operators around a bad one
// are still in the tree.
func TestRecoveryKeepsGoodOperators(t *testing.T) {
	src := "T | where a == 1 | summarise x | take 5; U | count"
	s, diags := Parse(src)
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %s", len(diags), diagString(diags))
	}
	want := "T\n| where a == 1\n| take 5;\nU\n| count"
	if got := Format(s); got != want {
		t.Errorf("recovered tree prints as\n%s\nwant\n%s", got, want)
	}
}

func TestNestingLimit(t *testing.T) {
	tests := []string{
		"print x = " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"print x = " + strings.Repeat("-", 5000) + "1",
		"print x = dynamic(" + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + ")",
		strings.Repeat("(", 5000) + "T" + strings.Repeat(")", 5000),
		"T | mv-apply x on " + strings.Repeat("(mv-apply x on ", 3000) + "(take 1" + strings.Repeat(")", 3001),
		"print " + strings.Repeat("f(", 5000) + strings.Repeat(")", 5000),
		"print " + strings.Repeat("1 in (", 5000) + strings.Repeat(")", 5000),
	}
	for _, src := range tests {
		_, diags := Parse(src)
		if len(diags) != 1 || !strings.Contains(diags[0].Message, "nested too deeply (more than 100 levels)") {
			t.Errorf("Parse(%.30q...): diagnostics %s, want one nesting error", src, diagString(diags))
		}
	}
	ok := "print x = " + strings.Repeat("(", 95) + "1" + strings.Repeat(")", 95)
	if _, diags := Parse(ok); len(diags) > 0 {
		t.Errorf("95 levels: unexpected %s", diagString(diags))
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"summarize", "sort", "project", "project-away", "where", "extend", "take", "top"}
	tests := []struct{ name, want string }{
		{"summarise", "summarize"}, {"Where", "where"}, {"extedn", "extend"}, {"projct", "project"},
		{"tke", "take"}, {"xyzzy", ""}, {"pro", ""}, {"project-aw", "project-away"},
	}
	for _, tt := range tests {
		if got := suggest(tt.name, names); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

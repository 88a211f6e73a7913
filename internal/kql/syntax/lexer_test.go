package syntax

import (
	"strings"
	"testing"
)

// tokString renders tokens compactly: kind names for punctuation, and
// kind(value) for words and literals.
func tokString(toks []Token) string {
	var parts []string
	for _, t := range toks {
		switch t.Kind {
		case TokEOF:
			continue
		case TokIdent:
			parts = append(parts, "id("+t.Text+")")
		case TokInt:
			parts = append(parts, "int("+t.Text+")")
		case TokReal:
			parts = append(parts, "real("+t.Text+")")
		case TokTimespan:
			parts = append(parts, "ts("+t.Text+")")
		case TokString:
			prefix := "str"
			if t.Obfuscated {
				prefix = "hstr"
			}
			parts = append(parts, prefix+"("+t.Value+")")
		case TokTypedLit:
			parts = append(parts, "lit("+strings.TrimSpace(t.Text[:strings.IndexByte(t.Text, '(')])+":"+t.Value+")")
		case TokIllegal:
			parts = append(parts, "illegal("+t.Text+")")
		default:
			parts = append(parts, t.Kind.String())
		}
	}
	return strings.Join(parts, " ")
}

func TestLex(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"T | where x", "id(T) | id(where) id(x)"},
		{"project-away mv-expand mv-apply parse-kv make-series top-nested sample-distinct parse-where project-reorder project-keep project-rename",
			"id(project-away) id(mv-expand) id(mv-apply) id(parse-kv) id(make-series) id(top-nested) id(sample-distinct) id(parse-where) id(project-reorder) id(project-keep) id(project-rename)"},
		{"a-b", "id(a) - id(b)"},
		{"project-awya", "id(project) - id(awya)"},
		{"graph-shortest-paths graph-shortest", "id(graph-shortest-paths) id(graph) - id(shortest)"},
		{"!in !in~ in~ !has !has_cs !contains !startswith !endswith_cs !between !hasprefix", "id(!in) id(!in~) id(in~) id(!has) id(!has_cs) id(!contains) id(!startswith) id(!endswith_cs) id(!between) id(!hasprefix)"},
		{"== != <> =~ !~ <= >= => .. < > = + - * / % : ; , . ( ) [ ] { } ?", "== != <> =~ !~ <= >= => .. < > = + - * / % : ; , . ( ) [ ] { } ?"},
		{"42 0x1F 1.5 1e3 2.5E-2 7", "int(42) int(0x1F) real(1.5) real(1e3) real(2.5E-2) int(7)"},
		{"1d 30m 100ms 2h 5s 1.5h 10microsecond 1tick 3days 2hours 1min", "ts(1d) ts(30m) ts(100ms) ts(2h) ts(5s) ts(1.5h) ts(10microsecond) ts(1tick) ts(3days) ts(2hours) ts(1min)"},
		{"1..10", "int(1) .. int(10)"},
		{`'a' "b" 'it\'s' "q\"x" "t\tn\nb\\"`, "str(a) str(b) str(it's) str(q\"x) str(t\tn\nb\\)"},
		{`@"C:\Windows\" @'a''b' @"x""y"`, `str(C:\Windows\) str(a'b) str(x"y)`},
		{`h"secret" H'x' h@"C:\a"`, `hstr(secret) hstr(x) hstr(C:\a)`},
		{"```a\nb``` '''c\nd'''", "str(a\nb) str(c\nd)"},
		{`"\u0041\x42"`, "str(AB)"},
		{"datetime(2024-01-01 10:00) timespan(1d) guid(74be27de-1e4e-49d9-b579-fe0b331d3642) datetime(null)",
			"lit(datetime:2024-01-01 10:00) lit(timespan:1d) lit(guid:74be27de-1e4e-49d9-b579-fe0b331d3642) lit(datetime:null)"},
		{"bool(true) long(null) int(5) real(nan) decimal(1.5) date(2024-01-01) time(1:00:00)",
			"lit(bool:true) lit(long:null) lit(int:5) lit(real:nan) lit(decimal:1.5) lit(date:2024-01-01) lit(time:1:00:00)"},
		{"datetime ( 2024-01-01 )", "lit(datetime:2024-01-01)"},
		{"x:datetime, y:long)", "id(x) : id(datetime) , id(y) : id(long) )"},
		{"dynamic([1])", "id(dynamic) ( [ int(1) ] )"},
		{"$left.a $right.b", "id($left) . id(a) id($right) . id(b)"},
		{"['my col'] [\"x\"]", "[ str(my col) ] [ str(x) ]"},
		{"a // comment\n| b // more", "id(a) | id(b)"},
		{"Device*", "id(Device) *"},
		{"été données", "id(été) id(données)"},
		{"", ""},
	}
	for _, tt := range tests {
		toks, diags := Lex(tt.src)
		if len(diags) > 0 {
			t.Errorf("Lex(%q): unexpected diagnostics %v", tt.src, diags)
		}
		if got := tokString(toks); got != tt.want {
			t.Errorf("Lex(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
		if toks[len(toks)-1].Kind != TokEOF {
			t.Errorf("Lex(%q): last token is %v, want EOF", tt.src, toks[len(toks)-1].Kind)
		}
	}
}

func TestLexSpans(t *testing.T) {
	toks, _ := Lex("ab | @'x' 1d")
	want := []Span{{0, 2}, {3, 4}, {5, 9}, {10, 12}, {12, 12}}
	for i, w := range want {
		if toks[i].Span != w {
			t.Errorf("token %d (%q) span = %v, want %v", i, toks[i].Text, toks[i].Span, w)
		}
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string // "start-end: message", one per diagnostic
	}{
		{`"abc`, `0-4: unterminated string literal; close it with "`},
		{"'abc\nx'", "0-4: unterminated string literal; close it with '\n6-7: unterminated string literal; close it with '"},
		{"```abc", "0-3: unterminated multi-line string literal; close it with ```"},
		{"a # b", "2-3: invalid character '#'"},
		{"12abc", "2-5: invalid suffix 'abc' on number; timespan units are d, h, m, s, ms, microsecond, tick"},
		{"a ! b", "2-3: unexpected '!'; use '!=' or 'not(...)', or a negated operator such as '!has'"},
		{`"a\qb"`, `2-4: invalid escape sequence "\\q" in string literal`},
		{"datetime(2024", "8-9: expected ')' to close '(' of datetime literal"},
		{"\xff", "0-1: invalid utf-8 encoding"},
	}
	for _, tt := range tests {
		_, diags := Lex(tt.src)
		if got := diagString(diags); got != tt.want {
			t.Errorf("Lex(%q) diagnostics\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

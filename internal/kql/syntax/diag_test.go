package syntax

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// diagString renders diagnostics as "start-end: message" lines.
func diagString(diags []Diagnostic) string {
	parts := make([]string, len(diags))
	for i, d := range diags {
		parts[i] = fmt.Sprintf("%d-%d: %s", d.Span.Start, d.Span.End, d.Message)
	}
	return strings.Join(parts, "\n")
}

func TestPositionOf(t *testing.T) {
	src := "ab\ncdé f\n\nx"
	tests := []struct {
		offset int
		want   string
	}{
		{0, "1:1"}, {2, "1:3"}, {3, "2:1"}, {5, "2:3"}, {7, "2:4"}, {8, "2:5"}, {10, "3:1"}, {11, "4:1"}, {12, "4:2"}, {99, "4:2"}, {-1, "1:1"},
	}
	for _, tt := range tests {
		if got := PositionOf(src, tt.offset).String(); got != tt.want {
			t.Errorf("PositionOf(%d) = %s, want %s", tt.offset, got, tt.want)
		}
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		src  string
		d    Diagnostic
		want string
	}{
		{"T\n| summarise count()", Diagnostic{Span: Span{4, 13}, Message: "unknown operator 'summarise'; did you mean 'summarize'?"},
			"2:3: unknown operator 'summarise'; did you mean 'summarize'?\n| summarise count()\n  ^^^^^^^^^"},
		{"T | where", Diagnostic{Span: Span{9, 9}, Message: "expected an expression, found end of query"},
			"1:10: expected an expression, found end of query\nT | where\n         ^"},
		{"\tx == 'é' y\nnext", Diagnostic{Span: Span{11, 12}, Message: "m"},
			"1:11: m\n    x == 'é' y\n             ^"},
		{"a\nbcd", Diagnostic{Span: Span{0, 4}, Message: "spans lines"}, "1:1: spans lines\na\n^"},
	}
	for _, tt := range tests {
		if got := Render(tt.src, tt.d); got != tt.want {
			t.Errorf("Render(%q)\n got:\n%s\nwant:\n%s", tt.src, got, tt.want)
		}
	}
}

func TestSeverityString(t *testing.T) {
	for s, want := range map[Severity]string{SeverityError: "error", SeverityWarning: "warning", SeverityInfo: "info", 9: "severity(9)"} {
		if got := s.String(); got != want {
			t.Errorf("Severity(%d).String() = %q, want %q", int(s), got, want)
		}
	}
	if HasErrors([]Diagnostic{{Severity: SeverityWarning}}) || !HasErrors([]Diagnostic{{Severity: SeverityError}}) {
		t.Error("HasErrors is wrong")
	}
}

func TestDiagnosticJSON(t *testing.T) {
	_, diags := Parse("T | whre x")
	got, err := json.Marshal(diags)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"span":{"start":4,"end":8},"severity":"error","message":"unknown operator 'whre'; did you mean 'where'?"}]`
	if string(got) != want {
		t.Errorf("json = %s, want %s", got, want)
	}
}

package syntax

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Span is a half-open range [Start, End) of byte offsets into the source.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// NodeSpan returns the span itself; embedding Span makes a struct a [Node].
func (s Span) NodeSpan() Span { return s }

// Len returns the number of bytes the span covers.
func (s Span) Len() int { return s.End - s.Start }

// join returns the smallest span covering both s and t.
func (s Span) join(t Span) Span {
	if t.Start < s.Start {
		s.Start = t.Start
	}
	if t.End > s.End {
		s.End = t.End
	}
	return s
}

// Severity says how serious a diagnostic is.
type Severity int

// Severity values, most serious first.
const (
	SeverityError Severity = iota
	SeverityWarning
	SeverityInfo
)

// String returns the lowercase name of the severity.
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText renders the severity by name, so JSON shows "error".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Diagnostic is a message about a span of the source. The lexer, parser and
// later compiler phases all report problems as diagnostics; the API returns
// them as JSON ({"span": {"start", "end"}, "severity", "message"}).
type Diagnostic struct {
	Span     Span     `json:"span"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// Position is a 1-based line and column. Col counts Unicode code points
// (runes), not bytes, from the start of the line, so a caret lines up under
// the character in a terminal.
type Position struct {
	Line int
	Col  int
}

// String renders the position as "line:col".
func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// PositionOf maps a byte offset in src to its 1-based line and rune column.
// Offsets past the end map to the position just after the last character.
func PositionOf(src string, offset int) Position {
	if offset > len(src) {
		offset = len(src)
	}
	if offset < 0 {
		offset = 0
	}
	lineStart := strings.LastIndexByte(src[:offset], '\n') + 1
	line := strings.Count(src[:lineStart], "\n") + 1
	return Position{Line: line, Col: utf8.RuneCountInString(src[lineStart:offset]) + 1}
}

// HasErrors reports whether any diagnostic has error severity.
func HasErrors(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Render formats d as "line:col: message" followed by the source line the
// span starts on and a caret line underlining the span (clipped to that line).
func Render(src string, d Diagnostic) string {
	pos := PositionOf(src, d.Span.Start)
	start := d.Span.Start
	if start > len(src) {
		start = len(src)
	}
	if start < 0 {
		start = 0
	}
	lineStart := strings.LastIndexByte(src[:start], '\n') + 1
	lineEnd := strings.IndexByte(src[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(src)
	} else {
		lineEnd += start
	}
	line := strings.TrimRight(src[lineStart:lineEnd], "\r")
	end := d.Span.End
	if end > lineStart+len(line) {
		end = lineStart + len(line)
	}
	width := 1
	if end > start {
		width = utf8.RuneCountInString(src[start:end])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n%s\n", pos, d.Message, expandTabs(line))
	b.WriteString(caretPad(src[lineStart:start]))
	b.WriteString(strings.Repeat("^", width))
	return b.String()
}

// RenderAll renders every diagnostic with [Render], one block after another.
func RenderAll(src string, diags []Diagnostic) string {
	parts := make([]string, len(diags))
	for i, d := range diags {
		parts[i] = Render(src, d)
	}
	return strings.Join(parts, "\n")
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// caretPad returns the blank prefix that puts a caret under the character
// following prefix, keeping tabs as four spaces like expandTabs.
func caretPad(prefix string) string {
	n := 0
	for _, r := range prefix {
		if r == '\t' {
			n += 4
		} else if r != '\r' {
			n++
		}
	}
	return strings.Repeat(" ", n)
}

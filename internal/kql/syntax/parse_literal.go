package syntax

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var datetimeLayouts = []string{
	"2006-01-02", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04",
	"2006-01-02 15:04", "2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00", "2006/01/02",
	"2006/01/02 15:04:05.999999999", "2006-01-02T15", "2006-01", "2006", time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006", "2 Jan 2006 15:04:05", "01/02/2006",
	"01/02/2006 15:04:05.999999999",
}

var (
	timespanClock = regexp.MustCompile(`^-?(\d+\.)?\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,7})?)?$`)
	timespanUnit  = regexp.MustCompile(`^-?\d+(\.\d+)?[a-z]+$`)
	guidPattern   = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)
)

// checkTypedLit validates the text between the parentheses of a typed
// literal; it returns an error message, or "" if the value is valid.
func checkTypedLit(typ, v string) string {
	if v == "null" {
		return ""
	}
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	ok := false
	switch typ {
	case "datetime":
		ok = validDatetime(v)
	case "timespan":
		ok = timespanClock.MatchString(v) || timespanUnit.MatchString(v) && validUnit(v)
	case "guid":
		ok = guidPattern.MatchString(v)
	case "bool":
		ok = strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "int", "long":
		_, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 0, 64)
		ok = err == nil
	case "real", "decimal":
		_, err := strconv.ParseFloat(v, 64)
		ok = err == nil || strings.EqualFold(v, "nan") || strings.EqualFold(strings.TrimLeft(v, "+-"), "inf")
	}
	if ok {
		return ""
	}
	return "invalid " + typ + " literal '" + v + "'; " + typedLitHint[typ]
}

var typedLitHint = map[string]string{
	"datetime": "write it as datetime(2024-01-31) or datetime(2024-01-31 13:45:00)",
	"timespan": "write it as timespan(1d), timespan(30m) or timespan(1.02:03:04)",
	"guid":     "write it as guid(00000000-0000-0000-0000-000000000000)",
	"bool":     "write it as bool(true) or bool(false)",
	"int":      "write a whole number or null",
	"long":     "write a whole number or null",
	"real":     "write a number, nan, inf or null",
	"decimal":  "write a number or null",
}

func validDatetime(v string) bool {
	for _, layout := range datetimeLayouts {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
}

func validUnit(v string) bool {
	i := strings.IndexFunc(v, func(r rune) bool { return r >= 'a' && r <= 'z' })
	_, ok := timespanUnits[v[i:]]
	return ok
}

// parseDynamic parses dynamic(value) with a JSON-like value.
func (p *parser) parseDynamic() Expr {
	start := p.next().Span.Start
	open := p.next()
	v := p.parseDynamicValue()
	p.expectClose(open)
	return &DynamicLit{Span: p.span(start), Value: v}
}

func (p *parser) parseDynamicValue() Expr {
	if !p.enter() {
		p.leave()
		return &BadExpr{Span: p.cur().Span}
	}
	defer p.leave()
	t := p.cur()
	switch {
	case t.Kind == TokLBracket:
		return p.parseDynamicArray()
	case t.Kind == TokLBrace:
		return p.parseDynamicBag()
	case t.Kind == TokIdent && t.Text == "null":
		p.next()
		return &NullLit{Span: t.Span}
	case t.Kind == TokIdent && isBoolWord(t.Text):
		p.next()
		return &BoolLit{Span: t.Span, Value: strings.EqualFold(t.Text, "true")}
	case t.Kind == TokMinus || t.Kind == TokPlus:
		p.next()
		x := p.parseDynamicValue()
		return &UnaryExpr{Span: p.span(t.Span.Start), Op: t.Text, X: x}
	case t.Kind == TokInt || t.Kind == TokReal || t.Kind == TokString || t.Kind == TokTimespan || t.Kind == TokTypedLit:
		return p.parseLiteral()
	}
	p.expected("a dynamic value (array, property bag, number, string, true, false or null)")
	return &BadExpr{Span: Span{t.Span.Start, t.Span.Start}}
}

func (p *parser) parseDynamicArray() Expr {
	open := p.next()
	a := &ArrayLit{}
	for !p.at(TokRBracket) && !p.at(TokEOF) {
		a.Elems = append(a.Elems, p.parseDynamicValue())
		if !p.accept(TokComma) {
			break
		}
	}
	p.expectClose(open)
	a.Span = p.span(open.Span.Start)
	return a
}

func (p *parser) parseDynamicBag() Expr {
	open := p.next()
	b := &BagLit{}
	for !p.at(TokRBrace) && !p.at(TokEOF) {
		kt := p.cur()
		if kt.Kind != TokString && kt.Kind != TokIdent {
			p.expected("a property name")
			break
		}
		p.next()
		p.expect(TokColon, "after property name")
		v := p.parseDynamicValue()
		b.Entries = append(b.Entries, &BagEntry{Span: p.span(kt.Span.Start), Key: kt.Value, Value: v})
		if !p.accept(TokComma) {
			break
		}
	}
	p.expectClose(open)
	b.Span = p.span(open.Span.Start)
	return b
}

// isBoolWord reports whether text is a bool literal: Kusto accepts true and
// false in lower case, capitalized (True, as public rules write it) and in
// upper case.
func isBoolWord(text string) bool {
	switch text {
	case "true", "false", "True", "False", "TRUE", "FALSE":
		return true
	}
	return false
}

package api

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// This file holds the OData subset the security API's $filter and $orderby accept:
// comparisons (eq, ne, gt, ge, lt, le), and, or, not, parentheses, in (...), lambda any
// over a collection (tags/any(t: t eq 'x')), string, number, boolean, null and datetime
// literals (2026-05-01T10:00:00Z, bare as OData writes them, or quoted). A filter is parsed
// and checked against the resource's fields once, then evaluated per resource.

// FilterError is a $filter or $orderby error at a 1-based character position.
type FilterError struct {
	Param string
	Pos   int
	Msg   string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("%s: position %d: %s", e.Param, e.Pos, e.Msg)
}

// fieldKind is the type of a filterable field.
type fieldKind int

const (
	kindString fieldKind = iota
	kindTime
	kindNumber
	kindStrings // a collection of strings, for any()
)

// field describes one filterable field: its kind, and for enumerations the allowed values.
type field struct {
	kind   fieldKind
	values []string
}

// record is a resource as the filter sees it: its fields' values by name (string,
// time.Time, float64 or []string).
type record func(name string) any

// token kinds of the filter lexer.
const (
	tokEOF = iota
	tokIdent
	tokString
	tokNumber
	tokTime
	tokPunct // ( ) , / :
)

type ftoken struct {
	kind int
	text string
	pos  int // 1-based
}

// lexFilter splits s into tokens.
func lexFilter(param, s string) ([]ftoken, error) {
	var out []ftoken
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case strings.ContainsRune("(),/:", r):
			out = append(out, ftoken{tokPunct, string(r), i + 1})
			i++
		case r == '\'':
			str, n, ok := lexString(rs[i:])
			if !ok {
				return nil, &FilterError{param, i + 1, "unterminated string literal"}
			}
			out = append(out, ftoken{tokString, str, i + 1})
			i += n
		case unicode.IsDigit(r) || r == '-' && i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			j := i + 1
			for j < len(rs) && (unicode.IsDigit(rs[j]) || strings.ContainsRune(".-:+TZ", rs[j])) {
				j++
			}
			text := string(rs[i:j])
			kind := tokNumber
			if strings.Contains(text, "T") || strings.Count(text, "-") >= 2 {
				kind = tokTime
			}
			out = append(out, ftoken{kind, text, i + 1})
			i = j
		case unicode.IsLetter(r) || r == '_' || r == '@' || r == '$':
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '.') {
				j++
			}
			out = append(out, ftoken{tokIdent, string(rs[i:j]), i + 1})
			i = j
		default:
			return nil, &FilterError{param, i + 1, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return append(out, ftoken{tokEOF, "", len(rs) + 1}), nil
}

// lexString reads a quoted literal (” is a quote) and returns it and the runes it took.
func lexString(rs []rune) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(rs); i++ {
		if rs[i] != '\'' {
			b.WriteRune(rs[i])
			continue
		}
		if i+1 < len(rs) && rs[i+1] == '\'' {
			b.WriteRune('\'')
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

// expr is a checked filter expression.
type expr interface {
	eval(rec record, vars map[string]any) any
}

type (
	orExpr  struct{ l, r expr }
	andExpr struct{ l, r expr }
	notExpr struct{ x expr }
	cmpExpr struct {
		op   string
		l, r expr
	}
	inExpr struct {
		x    expr
		list []any
	}
	fieldExpr struct{ name string }
	varExpr   struct{ name string }
	litExpr   struct{ v any }
	anyExpr   struct {
		coll  string
		v     string
		pred  expr
		empty bool // any() with no predicate
	}
)

func (e orExpr) eval(r record, v map[string]any) any {
	return isTrue(e.l.eval(r, v)) || isTrue(e.r.eval(r, v))
}
func (e andExpr) eval(r record, v map[string]any) any {
	return isTrue(e.l.eval(r, v)) && isTrue(e.r.eval(r, v))
}
func (e notExpr) eval(r record, v map[string]any) any { return !isTrue(e.x.eval(r, v)) }
func (e fieldExpr) eval(r record, _ map[string]any) any {
	return r(e.name)
}
func (e varExpr) eval(_ record, v map[string]any) any { return v[e.name] }
func (e litExpr) eval(record, map[string]any) any     { return e.v }
func (e cmpExpr) eval(r record, v map[string]any) any {
	return compareOp(e.op, e.l.eval(r, v), e.r.eval(r, v))
}
func (e inExpr) eval(r record, v map[string]any) any {
	x := e.x.eval(r, v)
	return slices.ContainsFunc(e.list, func(y any) bool { return compareOp("eq", x, y) })
}
func (e anyExpr) eval(r record, v map[string]any) any {
	items, _ := r(e.coll).([]string)
	if e.empty {
		return len(items) > 0
	}
	inner := map[string]any{}
	for k, x := range v {
		inner[k] = x
	}
	for _, it := range items {
		inner[e.v] = it
		if isTrue(e.pred.eval(r, inner)) {
			return true
		}
	}
	return false
}

func isTrue(v any) bool { b, _ := v.(bool); return b }

// compareOp compares two values of one kind; strings compare case-insensitively, as
// Graph does for enumerations and names. Comparisons with null are false except eq/ne.
func compareOp(op string, a, b any) bool {
	if a == nil || b == nil {
		eq := a == nil && b == nil
		if s, ok := a.(string); ok && b == nil {
			eq = s == ""
		}
		return (op == "eq" && eq) || (op == "ne" && !eq)
	}
	c, ok := compare(a, b)
	if !ok {
		return op == "ne"
	}
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func compare(a, b any) (int, bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return strings.Compare(strings.ToLower(x), strings.ToLower(y)), ok
	case float64:
		y, ok := b.(float64)
		switch {
		case !ok:
			return 0, false
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case time.Time:
		y, ok := b.(time.Time)
		return x.Compare(y), ok
	case bool:
		y, ok := b.(bool)
		if x == y {
			return 0, ok
		}
		return 1, ok
	}
	return 0, false
}

package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// filterParser is a recursive-descent parser over the tokens of one $filter.
type filterParser struct {
	param  string
	toks   []ftoken
	i      int
	fields map[string]field
	vars   map[string]bool // lambda variables in scope
}

// operand is a parsed operand with its kind, for checking comparisons.
type operand struct {
	e     expr
	kind  fieldKind
	field string // the field's name when the operand is a field or lambda variable
	enum  []string
	lit   bool
	bool  bool // a whole boolean expression (coll/any(...))
	pos   int
}

var comparisons = []string{"eq", "ne", "gt", "ge", "lt", "le"}

// parseFilter parses and checks s against fields.
func parseODataFilter(s string, fields map[string]field) (expr, error) {
	toks, err := lexFilter("$filter", s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{param: "$filter", toks: toks, fields: fields, vars: map[string]bool{}}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errAt(t, "unexpected %q; expected and, or or the end", t.text)
	}
	return e, nil
}

func (p *filterParser) peek() ftoken { return p.toks[p.i] }
func (p *filterParser) next() ftoken { t := p.toks[p.i]; p.i = min(p.i+1, len(p.toks)-1); return t }

func (p *filterParser) errAt(t ftoken, format string, args ...any) error {
	return &FilterError{Param: p.param, Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *filterParser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, w)
}

func (p *filterParser) expect(punct string) error {
	t := p.next()
	if t.kind != tokPunct || t.text != punct {
		return p.errAt(t, "expected %q, found %s", punct, describe(t))
	}
	return nil
}

func describe(t ftoken) string {
	if t.kind == tokEOF {
		return "the end"
	}
	return strconv.Quote(t.text)
}

func (p *filterParser) or() (expr, error) {
	l, err := p.and()
	for err == nil && p.isWord("or") {
		p.next()
		var r expr
		if r, err = p.and(); err == nil {
			l = orExpr{l, r}
		}
	}
	return l, err
}

func (p *filterParser) and() (expr, error) {
	l, err := p.not()
	for err == nil && p.isWord("and") {
		p.next()
		var r expr
		if r, err = p.not(); err == nil {
			l = andExpr{l, r}
		}
	}
	return l, err
}

func (p *filterParser) not() (expr, error) {
	if p.isWord("not") {
		p.next()
		x, err := p.not()
		return notExpr{x}, err
	}
	return p.comparison()
}

// comparison is "( expr )", "coll/any(...)", or "operand [op operand | in (list)]".
func (p *filterParser) comparison() (expr, error) {
	if t := p.peek(); t.kind == tokPunct && t.text == "(" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	}
	l, err := p.operand()
	if err != nil || l.bool {
		return l.e, err
	}
	t := p.peek()
	switch {
	case t.kind == tokIdent && slices.Contains(comparisons, strings.ToLower(t.text)):
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		return p.checkCompare(strings.ToLower(t.text), l, r)
	case t.kind == tokIdent && strings.EqualFold(t.text, "in"):
		p.next()
		return p.in(l)
	}
	if l.kind == kindStrings || l.lit || l.field == "" {
		return nil, p.errAt(t, "expected a comparison operator (eq, ne, gt, ge, lt, le, in), found %s", describe(t))
	}
	return nil, p.errAt(t, "expected a comparison operator after %s, found %s", l.field, describe(t))
}

// operand reads a field, a lambda variable, a literal or a collection's any(); for any()
// the returned operand holds the whole boolean expression with field "".
func (p *filterParser) operand() (operand, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return operand{e: litExpr{t.text}, kind: kindString, lit: true, pos: t.pos}, nil
	case tokNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return operand{}, p.errAt(t, "bad number %q", t.text)
		}
		return operand{e: litExpr{f}, kind: kindNumber, lit: true, pos: t.pos}, nil
	case tokTime:
		tm, err := parseODataTime(t.text)
		if err != nil {
			return operand{}, p.errAt(t, "bad datetime %q (want RFC 3339, such as 2026-05-01T10:00:00Z)", t.text)
		}
		return operand{e: litExpr{tm}, kind: kindTime, lit: true, pos: t.pos}, nil
	case tokIdent:
		return p.identOperand(t)
	}
	return operand{}, p.errAt(t, "expected a field or a value, found %s", describe(t))
}

func (p *filterParser) identOperand(t ftoken) (operand, error) {
	switch strings.ToLower(t.text) {
	case "true", "false":
		return operand{e: litExpr{strings.EqualFold(t.text, "true")}, lit: true, kind: kindNumber, pos: t.pos}, nil
	case "null":
		return operand{e: litExpr{nil}, lit: true, kind: kindString, pos: t.pos}, nil
	}
	if p.vars[t.text] {
		return operand{e: varExpr{t.text}, kind: kindString, field: t.text, pos: t.pos}, nil
	}
	f, ok := p.fields[t.text]
	if !ok {
		return operand{}, p.errAt(t, "cannot filter on %q (fields: %s)", t.text, strings.Join(fieldNames(p.fields), ", "))
	}
	if f.kind != kindStrings {
		return operand{e: fieldExpr{t.text}, kind: f.kind, field: t.text, enum: f.values, pos: t.pos}, nil
	}
	if n := p.peek(); n.kind != tokPunct || n.text != "/" {
		return operand{}, p.errAt(n, "%s is a collection: use %s/any(t: t eq 'value')", t.text, t.text)
	}
	p.next()
	e, err := p.lambda(t.text)
	return operand{e: e, bool: true, pos: t.pos}, err
}

// lambda parses "any(v: predicate)" or "any()" after "coll/".
func (p *filterParser) lambda(coll string) (expr, error) {
	t := p.next()
	if t.kind != tokIdent || !strings.EqualFold(t.text, "any") {
		return nil, p.errAt(t, "expected any after %s/, found %s", coll, describe(t))
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	if n := p.peek(); n.kind == tokPunct && n.text == ")" {
		p.next()
		return anyExpr{coll: coll, empty: true}, nil
	}
	v := p.next()
	if _, isField := p.fields[v.text]; v.kind != tokIdent || isField {
		return nil, p.errAt(v, "expected a lambda variable name, found %s", describe(v))
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	p.vars[v.text] = true
	pred, err := p.or()
	delete(p.vars, v.text)
	if err != nil {
		return nil, err
	}
	return anyExpr{coll: coll, v: v.text, pred: pred}, p.expect(")")
}

// in parses "(v1, v2, ...)" after "operand in".
func (p *filterParser) in(l operand) (expr, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var list []any
	for {
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !r.lit {
			return nil, &FilterError{p.param, r.pos, "in takes a list of values"}
		}
		c, err := p.checkCompare("eq", l, r)
		if err != nil {
			return nil, err
		}
		list = append(list, c.(cmpExpr).r.(litExpr).v)
		t := p.next()
		if t.kind == tokPunct && t.text == ")" {
			return inExpr{x: l.e, list: list}, nil
		}
		if t.kind != tokPunct || t.text != "," {
			return nil, p.errAt(t, "expected \",\" or \")\" in the list, found %s", describe(t))
		}
	}
}

// checkCompare checks that l and r compare: a time field with a datetime (a quoted one is
// converted), an enumeration with one of its values.
func (p *filterParser) checkCompare(op string, l, r operand) (expr, error) {
	if r.field != "" && l.lit { // 'x' eq field: check the literal against the field
		e, err := p.checkCompare(flip(op), r, l)
		if err != nil {
			return nil, err
		}
		c := e.(cmpExpr)
		return cmpExpr{op: op, l: c.r, r: c.l}, nil
	}
	if !r.lit || l.lit {
		return cmpExpr{op: op, l: l.e, r: r.e}, nil
	}
	lit := r.e.(litExpr)
	if lit.v == nil {
		return cmpExpr{op: op, l: l.e, r: r.e}, nil
	}
	switch l.kind {
	case kindTime:
		if s, ok := lit.v.(string); ok {
			tm, err := parseODataTime(s)
			if err != nil {
				return nil, &FilterError{p.param, r.pos, fmt.Sprintf("%s is a datetime; %q is not (want RFC 3339)", l.field, s)}
			}
			lit.v = tm
		}
		if _, ok := lit.v.(time.Time); !ok {
			return nil, &FilterError{p.param, r.pos, fmt.Sprintf("%s is a datetime; compare it with a datetime such as 2026-05-01T00:00:00Z", l.field)}
		}
	case kindString:
		s, ok := lit.v.(string)
		if !ok {
			return nil, &FilterError{p.param, r.pos, fmt.Sprintf("%s is a string; quote the value", l.field)}
		}
		if len(l.enum) > 0 && !slices.ContainsFunc(l.enum, func(v string) bool { return strings.EqualFold(v, s) }) {
			return nil, &FilterError{p.param, r.pos, fmt.Sprintf("unknown %s %q (want one of %s)", l.field, s, strings.Join(l.enum, ", "))}
		}
	case kindNumber, kindStrings: // numbers compare as they are; collections only through any()
	}
	return cmpExpr{op: op, l: l.e, r: lit}, nil
}

func flip(op string) string {
	switch op {
	case "gt":
		return "lt"
	case "lt":
		return "gt"
	case "ge":
		return "le"
	case "le":
		return "ge"
	}
	return op
}

// parseODataTime reads an RFC 3339 datetime or a date.
func parseODataTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	return t.UTC(), err
}

func fieldNames(fields map[string]field) []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// orderKey is one $orderby key.
type orderKey struct {
	field string
	desc  bool
}

// parseOrderBy reads "field [asc|desc], ..." against fields (collections are not orderable).
func parseOrderBy(s string, fields map[string]field) ([]orderKey, error) {
	var out []orderKey
	pos := 1
	for part := range strings.SplitSeq(s, ",") {
		words := strings.Fields(part)
		at := pos + len(part) - len(strings.TrimLeft(part, " "))
		pos += len(part) + 1
		if len(words) == 0 || len(words) > 2 {
			return nil, &FilterError{"$orderby", at, "expected \"field [asc|desc]\""}
		}
		f, ok := fields[words[0]]
		if !ok || f.kind == kindStrings {
			return nil, &FilterError{"$orderby", at, fmt.Sprintf("cannot order by %q (fields: %s)", words[0], strings.Join(fieldNames(fields), ", "))}
		}
		k := orderKey{field: words[0]}
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				k.desc = true
			default:
				return nil, &FilterError{"$orderby", at + len(words[0]) + 1, fmt.Sprintf("expected asc or desc, found %q", words[1])}
			}
		}
		out = append(out, k)
	}
	return out, nil
}

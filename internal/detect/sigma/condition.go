package sigma

import (
	"fmt"
	"strconv"
	"strings"
)

// CondError is a condition syntax error at a byte offset of the condition text.
type CondError struct {
	Pos int
	Msg string
}

func (e *CondError) Error() string { return fmt.Sprintf("col %d: %s", e.Pos+1, e.Msg) }

// condExpr is a parsed condition.
type condExpr interface{ at() int }

type (
	condAnd struct {
		l, r condExpr
		pos  int
	}
	condOr struct {
		l, r condExpr
		pos  int
	}
	condNot struct {
		x   condExpr
		pos int
	}
	condRef struct {
		name string
		pos  int
	}
	// condOf is "N of pattern", "all of pattern", "any of them"; n == 0 means all.
	condOf struct {
		n       int
		pattern string // with * wildcards; "them" means every search
		them    bool
		pos     int
	}
)

func (c *condAnd) at() int { return c.pos }
func (c *condOr) at() int  { return c.pos }
func (c *condNot) at() int { return c.pos }
func (c *condRef) at() int { return c.pos }
func (c *condOf) at() int  { return c.pos }

type condToken struct {
	text string
	pos  int
}

// maxCondDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxCondDepth = 200

type condParser struct {
	toks  []condToken
	i     int
	end   int
	depth int
}

// parseCondition parses a Sigma condition.
func parseCondition(s string) (condExpr, error) {
	toks, err := lexCondition(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks, end: len(s)}
	if len(toks) == 0 {
		return nil, &CondError{0, "empty condition"}
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t, ok := p.peek(); ok {
		return nil, &CondError{t.pos, fmt.Sprintf("unexpected %q", t.text)}
	}
	return e, nil
}

func lexCondition(s string) ([]condToken, error) {
	var toks []condToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{s[i : i+1], i})
			i++
		case c == '|':
			return nil, &CondError{i, "aggregation expressions (| count() ...) are deprecated; write a correlation rule"}
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, condToken{s[i:j], i})
			i = j
		default:
			return nil, &CondError{i, fmt.Sprintf("unexpected character %q", c)}
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '*' || c == '-' || c == '.' || c == '?' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= 0x80
}

func (p *condParser) peek() (condToken, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return condToken{}, false
}

func (p *condParser) keyword(kw string) (condToken, bool) {
	t, ok := p.peek()
	if ok && strings.EqualFold(t.text, kw) {
		p.i++
		return t, true
	}
	return t, false
}

func (p *condParser) or() (condExpr, error) {
	l, err := p.and()
	for err == nil {
		t, ok := p.keyword("or")
		if !ok {
			break
		}
		var r condExpr
		if r, err = p.and(); err == nil {
			l = &condOr{l, r, t.pos}
		}
	}
	return l, err
}

func (p *condParser) and() (condExpr, error) {
	l, err := p.unary()
	for err == nil {
		t, ok := p.keyword("and")
		if !ok {
			break
		}
		var r condExpr
		if r, err = p.unary(); err == nil {
			l = &condAnd{l, r, t.pos}
		}
	}
	return l, err
}

func (p *condParser) unary() (condExpr, error) {
	if p.depth++; p.depth > maxCondDepth {
		t, _ := p.peek()
		return nil, &CondError{t.pos, "condition nested too deeply"}
	}
	defer func() { p.depth-- }()
	if t, ok := p.keyword("not"); ok {
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &condNot{x, t.pos}, nil
	}
	return p.primary()
}

var condKeywords = map[string]bool{"and": true, "or": true, "not": true, "of": true, "them": true, ")": true, "(": true}

func (p *condParser) primary() (condExpr, error) {
	t, ok := p.peek()
	if !ok {
		return nil, &CondError{p.end, "condition ends early: want a search name"}
	}
	if t.text == "(" {
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, ok := p.keyword(")"); !ok {
			at, _ := p.peek()
			if p.i >= len(p.toks) {
				at.pos = p.end
			}
			return nil, &CondError{at.pos, fmt.Sprintf("missing ) for ( at col %d", t.pos+1)}
		}
		return e, nil
	}
	if q, ok := p.quantity(t); ok {
		return p.of(t, q)
	}
	if condKeywords[strings.ToLower(t.text)] {
		return nil, &CondError{t.pos, fmt.Sprintf("unexpected %q: want a search name", t.text)}
	}
	p.i++
	return &condRef{t.text, t.pos}, nil
}

// quantity recognizes "all", "any" or a count before "of".
func (p *condParser) quantity(t condToken) (int, bool) {
	if p.i+1 >= len(p.toks) || !strings.EqualFold(p.toks[p.i+1].text, "of") {
		return 0, false
	}
	switch strings.ToLower(t.text) {
	case "all":
		return 0, true
	case "any":
		return 1, true
	}
	n, err := strconv.Atoi(t.text)
	return n, err == nil
}

func (p *condParser) of(q condToken, n int) (condExpr, error) {
	if n < 0 || (n == 0 && !strings.EqualFold(q.text, "all")) {
		return nil, &CondError{q.pos, fmt.Sprintf("invalid count %q before of", q.text)}
	}
	p.i += 2
	t, ok := p.peek()
	if !ok {
		return nil, &CondError{p.end, "want a search pattern or them after of"}
	}
	if condKeywords[strings.ToLower(t.text)] && !strings.EqualFold(t.text, "them") {
		return nil, &CondError{t.pos, fmt.Sprintf("unexpected %q: want a search pattern or them after of", t.text)}
	}
	p.i++
	return &condOf{n: n, pattern: t.text, them: strings.EqualFold(t.text, "them"), pos: q.pos}, nil
}

// globMatch matches a search name against a pattern with * and ? wildcards, in linear time
// per star (the usual backtrack-to-last-star scan).
func globMatch(pattern, name string) bool {
	p, n, star, mark := 0, 0, -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			p, mark = star+1, mark+1
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

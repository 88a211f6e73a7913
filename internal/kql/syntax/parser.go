package syntax

import (
	"fmt"
	"sort"
)

// MaxDepth is the deepest nesting of expressions and subqueries the parser
// accepts; deeper input gets a diagnostic instead of exhausting the stack.
const MaxDepth = 100

// maxDiagnostics caps the diagnostics of one parse so garbage input cannot
// produce an unbounded list.
const maxDiagnostics = 100

// Parse parses a KQL script: ';'-separated let, set and query statements.
// It always returns a tree (possibly with gaps where input was bad) and the
// diagnostics of the lexer and parser, sorted by position.
func Parse(src string) (*Script, []Diagnostic) {
	p := newParser(src)
	s := p.parseScript()
	return s, p.finish()
}

// ParseExpr parses a single scalar expression, such as a predicate stored
// apart from a query.
func ParseExpr(src string) (Expr, []Diagnostic) {
	p := newParser(src)
	e := p.parseExpr()
	if !p.at(TokEOF) {
		p.errorf(p.cur().Span, "unexpected %s after expression", p.cur().describe())
	}
	return e, p.finish()
}

type parser struct {
	src     string
	toks    []Token
	pos     int
	prevEnd int
	diags   []Diagnostic
	lexErrs int
	// panicking suppresses follow-on errors until the parser resynchronizes.
	panicking bool
	depth     int
	tooDeep   bool
	inSearch  bool
	// ops is the operator table; it is a field, not a package variable
	// reference, so the table's parse functions may parse nested pipelines.
	ops map[string]opSpec
}

func newParser(src string) *parser {
	toks, diags := Lex(src)
	return &parser{src: src, toks: toks, diags: diags, lexErrs: len(diags), ops: operators}
}

func (p *parser) finish() []Diagnostic {
	sort.SliceStable(p.diags, func(i, j int) bool { return p.diags[i].Span.Start < p.diags[j].Span.Start })
	return p.diags
}

func (p *parser) cur() Token { return p.toks[p.pos] }

// peek returns the token n positions ahead of the current one.
func (p *parser) peek(n int) Token {
	if p.pos+n < len(p.toks) {
		return p.toks[p.pos+n]
	}
	return p.toks[len(p.toks)-1]
}

// next consumes and returns the current token; it never moves past EOF.
func (p *parser) next() Token {
	t := p.toks[p.pos]
	if t.Kind != TokEOF {
		p.pos++
		p.prevEnd = t.Span.End
	}
	return t
}

func (p *parser) at(k Kind) bool { return p.toks[p.pos].Kind == k }

// atWord reports whether the current token is the unquoted word w.
func (p *parser) atWord(w string) bool {
	t := p.toks[p.pos]
	return t.Kind == TokIdent && t.Text == w
}

func (p *parser) peekWord(n int, w string) bool {
	t := p.peek(n)
	return t.Kind == TokIdent && t.Text == w
}

func (p *parser) accept(k Kind) bool {
	if p.at(k) {
		p.next()
		return true
	}
	return false
}

func (p *parser) acceptWord(w string) bool {
	if p.atWord(w) {
		p.next()
		return true
	}
	return false
}

// span returns the span from start to the end of the last consumed token.
func (p *parser) span(start int) Span {
	if p.prevEnd < start {
		return Span{start, start}
	}
	return Span{start, p.prevEnd}
}

func (p *parser) start() int { return p.toks[p.pos].Span.Start }

// errorf reports an error unless the parser is already recovering from one.
func (p *parser) errorf(sp Span, format string, args ...any) {
	if p.panicking {
		return
	}
	p.panicking = true
	if p.at(TokIllegal) && p.cur().Span == sp {
		return // the lexer has reported it
	}
	if len(p.diags) >= maxDiagnostics {
		return
	}
	p.diags = append(p.diags, Diagnostic{Span: sp, Severity: SeverityError, Message: fmt.Sprintf(format, args...)})
}

// expected reports that what was expected is missing at the current token.
func (p *parser) expected(what string) {
	p.errorf(p.cur().Span, "expected %s, found %s", what, p.cur().describe())
}

// expect consumes a token of kind k or reports what the context expected.
func (p *parser) expect(k Kind, context string) bool {
	if p.accept(k) {
		return true
	}
	p.errorf(p.cur().Span, "expected '%s' %s, found %s", k, context, p.cur().describe())
	return false
}

// expectWord consumes the word w or reports it missing.
func (p *parser) expectWord(w, context string) bool {
	if p.acceptWord(w) {
		return true
	}
	p.errorf(p.cur().Span, "expected '%s' %s, found %s", w, context, p.cur().describe())
	return false
}

var closers = map[Kind]Kind{TokLParen: TokRParen, TokLBracket: TokRBracket, TokLBrace: TokRBrace}

// expectClose consumes the bracket closing open, or reports where it opened.
func (p *parser) expectClose(open Token) {
	want := closers[open.Kind]
	if p.accept(want) {
		return
	}
	if p.panicking {
		p.skipTo(want)
		return
	}
	p.errorf(p.cur().Span, "expected '%s' to close '%s' opened at %s", want, open.Kind, PositionOf(p.src, open.Span.Start))
	p.skipTo(want)
}

// skipTo skips balanced tokens up to and including closer, stopping early at
// a ';' or at a closer of an enclosing group.
func (p *parser) skipTo(closer Kind) {
	depth := 0
	for {
		switch k := p.cur().Kind; {
		case k == TokEOF || k == TokSemi && depth == 0:
			return
		case k == TokLParen || k == TokLBracket || k == TokLBrace:
			depth++
		case k == TokRParen || k == TokRBracket || k == TokRBrace:
			if depth == 0 {
				if k == closer {
					p.next()
				}
				return
			}
			depth--
		}
		p.next()
	}
}

// sync skips to the next '|' or ';' at the current nesting level, or to the
// closing bracket of the enclosing group, and ends error recovery.
func (p *parser) sync() {
	depth := 0
	for {
		switch k := p.cur().Kind; {
		case k == TokEOF:
			p.panicking = false
			return
		case (k == TokPipe || k == TokSemi) && depth == 0:
			p.panicking = false
			return
		case k == TokLParen || k == TokLBracket || k == TokLBrace:
			depth++
		case k == TokRParen || k == TokRBracket || k == TokRBrace:
			if depth == 0 {
				p.panicking = false
				return
			}
			depth--
		}
		p.next()
	}
}

// enter increments the nesting depth; it reports false (once, with a
// diagnostic) when the depth exceeds MaxDepth. Callers must call leave.
func (p *parser) enter() bool {
	p.depth++
	if p.depth <= MaxDepth {
		return true
	}
	if !p.tooDeep {
		p.tooDeep = true
		p.panicking = false
		p.errorf(p.cur().Span, "query is nested too deeply (more than %d levels)", MaxDepth)
	}
	return false
}

func (p *parser) leave() { p.depth-- }

// atEndOfOperator reports whether the current token can follow a complete
// operator: '|', ';', a closing bracket or the end of the query.
func (p *parser) atEndOfOperator() bool {
	switch p.cur().Kind {
	case TokPipe, TokSemi, TokRParen, TokRBracket, TokRBrace, TokEOF:
		return true
	default:
		return false
	}
}

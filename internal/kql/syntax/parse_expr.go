package syntax

import (
	"strconv"
	"strings"
	"time"
)

// parseExpr parses a scalar expression with Kusto precedence:
// or < and < comparison < additive < multiplicative < unary < postfix.
func (p *parser) parseExpr() Expr {
	if !p.enter() {
		p.leave()
		return &BadExpr{Span: p.cur().Span}
	}
	defer p.leave()
	return p.parseOr()
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.atWord("or") {
		p.next()
		y := p.parseAnd()
		x = &BinaryExpr{Span: x.NodeSpan().join(y.NodeSpan()), Op: "or", X: x, Y: y}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseCmp()
	for p.atWord("and") {
		p.next()
		y := p.parseCmp()
		x = &BinaryExpr{Span: x.NodeSpan().join(y.NodeSpan()), Op: "and", X: x, Y: y}
	}
	return x
}

// cmpPunct maps comparison punctuation to its operator text.
var cmpPunct = map[Kind]string{
	TokEq: "==", TokNotEq: "!=", TokLtGt: "<>", TokEqTilde: "=~", TokNotTilde: "!~",
	TokLt: "<", TokLtEq: "<=", TokGt: ">", TokGtEq: ">=",
}

// cmpWords are the string comparison operators written as words.
var cmpWords = map[string]bool{
	"has": true, "!has": true, "has_cs": true, "!has_cs": true,
	"hasprefix": true, "!hasprefix": true, "hasprefix_cs": true, "!hasprefix_cs": true,
	"hassuffix": true, "!hassuffix": true, "hassuffix_cs": true, "!hassuffix_cs": true,
	"contains": true, "!contains": true, "contains_cs": true, "!contains_cs": true,
	"startswith": true, "!startswith": true, "startswith_cs": true, "!startswith_cs": true,
	"endswith": true, "!endswith": true, "endswith_cs": true, "!endswith_cs": true,
}

// listWords are the operators whose right operand is a parenthesized list.
var listWords = map[string]bool{
	"in": true, "!in": true, "in~": true, "!in~": true, "has_any": true, "has_all": true,
	"!has_any": true, "!has_all": true,
}

func (p *parser) parseCmp() Expr {
	x := p.parseAdd()
	for {
		t := p.cur()
		var op string
		switch {
		case cmpPunct[t.Kind] != "":
			op = cmpPunct[t.Kind]
		case t.Kind == TokColon && p.inSearch:
			op = ":"
		case t.Kind != TokIdent:
			return x
		case cmpWords[t.Text]:
			op = t.Text
		case listWords[t.Text]:
			x = p.parseInList(x)
			continue
		case t.Text == "between" || t.Text == "!between":
			x = p.parseBetween(x)
			continue
		case t.Text == "matches" && p.peekWord(1, "regex"):
			p.next()
			op = "matches regex"
		default:
			return x
		}
		p.next()
		y := p.parseAdd()
		x = &BinaryExpr{Span: x.NodeSpan().join(y.NodeSpan()), Op: op, X: x, Y: y}
	}
}

// parseInList parses "in (a, b, ...)" and friends after x.
func (p *parser) parseInList(x Expr) Expr {
	op := p.next().Text
	open := p.cur()
	if !p.expect(TokLParen, "after '"+op+"'") {
		return &InExpr{Span: p.span(x.NodeSpan().Start), Op: op, X: x}
	}
	var list []Expr
	if !p.at(TokRParen) {
		list = p.parseArgList()
	}
	p.expectClose(open)
	return &InExpr{Span: p.span(x.NodeSpan().Start), Op: op, X: x, List: list}
}

// parseArgList parses comma-separated arguments, each a scalar or tabular
// expression.
func (p *parser) parseArgList() []Expr {
	var list []Expr
	for {
		list = append(list, p.parseTabularOrExpr())
		if !p.accept(TokComma) {
			return list
		}
	}
}

// parseBetween parses "between (lo .. hi)" after x.
func (p *parser) parseBetween(x Expr) Expr {
	not := p.next().Text == "!between"
	b := &BetweenExpr{Not: not, X: x}
	open := p.cur()
	if p.expect(TokLParen, "after 'between'") {
		b.Lo = p.parseAdd()
		p.expect(TokDotDot, "between the bounds of 'between'")
		b.Hi = p.parseAdd()
		p.expectClose(open)
	}
	if b.Lo == nil {
		b.Lo = &BadExpr{Span: p.cur().Span}
	}
	if b.Hi == nil {
		b.Hi = &BadExpr{Span: p.cur().Span}
	}
	b.Span = p.span(x.NodeSpan().Start)
	return b
}

func (p *parser) parseAdd() Expr {
	x := p.parseMul()
	for p.at(TokPlus) || p.at(TokMinus) {
		op := p.next().Text
		y := p.parseMul()
		x = &BinaryExpr{Span: x.NodeSpan().join(y.NodeSpan()), Op: op, X: x, Y: y}
	}
	return x
}

func (p *parser) parseMul() Expr {
	x := p.parseUnary()
	for p.at(TokStar) || p.at(TokSlash) || p.at(TokPercent) {
		op := p.next().Text
		y := p.parseUnary()
		x = &BinaryExpr{Span: x.NodeSpan().join(y.NodeSpan()), Op: op, X: x, Y: y}
	}
	return x
}

func (p *parser) parseUnary() Expr {
	if !p.at(TokMinus) && !p.at(TokPlus) {
		return p.parsePostfix()
	}
	if !p.enter() {
		p.leave()
		return &BadExpr{Span: p.cur().Span}
	}
	defer p.leave()
	t := p.next()
	x := p.parseUnary()
	return &UnaryExpr{Span: p.span(t.Span.Start), Op: t.Text, X: x}
}

func (p *parser) parsePostfix() Expr {
	x := p.parsePrimary()
	for {
		switch {
		case p.at(TokDot):
			p.next()
			name := p.parseName("after '.'")
			x = &MemberExpr{Span: p.span(x.NodeSpan().Start), X: x, Name: name}
		case p.at(TokLBracket):
			open := p.next()
			idx := p.parseExpr()
			p.expectClose(open)
			x = &IndexExpr{Span: p.span(x.NodeSpan().Start), X: x, Index: idx}
		default:
			return x
		}
	}
}

func (p *parser) parsePrimary() Expr {
	t := p.cur()
	switch t.Kind {
	case TokIdent:
		return p.parseIdentExpr()
	case TokInt, TokReal, TokTimespan, TokString, TokTypedLit:
		return p.parseLiteral()
	case TokLParen:
		return p.parseParen()
	case TokStar:
		p.next()
		return &StarExpr{Span: t.Span}
	case TokIllegal:
		p.next() // the lexer has reported it
		return &BadExpr{Span: t.Span}
	case TokLBracket:
		if p.peek(1).Kind == TokString && p.peek(2).Kind == TokRBracket {
			return p.parseName("")
		}
	default:
		// not the start of an expression; reported below
	}
	p.expected("an expression")
	return &BadExpr{Span: Span{t.Span.Start, t.Span.Start}}
}

// parseIdentExpr parses a name, true/false, dynamic(...) or a call.
func (p *parser) parseIdentExpr() Expr {
	t := p.cur()
	switch {
	case isBoolWord(t.Text) && t.Kind == TokIdent:
		p.next()
		return &BoolLit{Span: t.Span, Value: strings.EqualFold(t.Text, "true")}
	case t.Text == "dynamic" && p.peek(1).Kind == TokLParen:
		return p.parseDynamic()
	case isOperatorWord(t.Text):
		p.expected("an expression")
		return &BadExpr{Span: Span{t.Span.Start, t.Span.Start}}
	case p.peek(1).Kind == TokLParen:
		name := p.parseName("")
		return p.parseCall(name)
	}
	return p.parseName("")
}

// isOperatorWord reports whether w can only be a binary operator.
func isOperatorWord(w string) bool {
	return w == "and" || w == "or" || w[0] == '!' || cmpWords[w] || listWords[w] || w == "between"
}

// parseCall parses the argument list of a call to name.
func (p *parser) parseCall(name *Ident) *CallExpr {
	open := p.next()
	c := &CallExpr{Name: name}
	if !p.at(TokRParen) {
		for {
			c.Args = append(c.Args, p.parseCallArg())
			if !p.accept(TokComma) {
				break
			}
		}
	}
	p.expectClose(open)
	c.Span = p.span(name.Start)
	return c
}

// parseCallArg parses one argument of a call: an expression, or Name = Expr naming the
// parameter it sets.
func (p *parser) parseCallArg() Expr {
	if p.at(TokIdent) && p.peek(1).Kind == TokAssign {
		n := p.parseName("")
		p.next()
		v := p.parseTabularOrExpr()
		return &NamedArg{Span: p.span(n.Start), Name: n, Value: v}
	}
	return p.parseTabularOrExpr()
}

func (p *parser) parseParen() Expr {
	open := p.next()
	x := p.parseTabularOrExpr()
	p.expectClose(open)
	return &ParenExpr{Span: p.span(open.Span.Start), X: x}
}

// parseName parses an identifier or a bracketed name ['...'].
func (p *parser) parseName(context string) *Ident {
	t := p.cur()
	if t.Kind == TokIdent && t.Text[0] != '!' {
		p.next()
		return &Ident{Span: t.Span, Name: t.Text}
	}
	if t.Kind == TokLBracket && p.peek(1).Kind == TokString && p.peek(2).Kind == TokRBracket {
		p.next()
		s := p.next()
		p.next()
		return &Ident{Span: p.span(t.Span.Start), Name: s.Value, Quoted: true}
	}
	if context == "" {
		p.expected("a name")
	} else {
		p.expected("a name " + context)
	}
	return &Ident{Span: Span{t.Span.Start, t.Span.Start}}
}

// atName reports whether a name (plain or bracketed) starts here.
func (p *parser) atName() bool {
	return p.at(TokIdent) || p.at(TokLBracket) && p.peek(1).Kind == TokString && p.peek(2).Kind == TokRBracket
}

func (p *parser) parseLiteral() Expr {
	t := p.next()
	switch t.Kind {
	case TokInt:
		v, err := strconv.ParseInt(t.Text, 0, 64)
		if err != nil {
			p.report(t.Span, "integer literal "+t.Text+" is out of range for long")
		}
		return &IntLit{Span: t.Span, Text: t.Text, Value: v}
	case TokReal:
		v, err := strconv.ParseFloat(t.Text, 64)
		if err != nil {
			p.report(t.Span, "real literal "+t.Text+" is out of range")
		}
		return &RealLit{Span: t.Span, Text: t.Text, Value: v}
	case TokTimespan:
		return &TimespanLit{Span: t.Span, Text: t.Text, Value: timespanValue(t.Text)}
	case TokTypedLit:
		return p.typedLit(t)
	default:
		return p.stringLit(t)
	}
}

// stringLit builds a string literal, joining adjacent literals as Kusto
// does ("a" "b" is "ab").
func (p *parser) stringLit(t Token) *StringLit {
	s := &StringLit{Span: t.Span, Value: t.Value, Obfuscated: t.Obfuscated}
	for p.at(TokString) {
		n := p.next()
		s.Value += n.Value
		s.Obfuscated = s.Obfuscated || n.Obfuscated
		s.End = n.Span.End
	}
	return s
}

// timespanValue converts a lexed timespan literal such as 1.5h to a duration.
func timespanValue(text string) time.Duration {
	i := strings.IndexFunc(text, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
	n, err := strconv.ParseFloat(text[:i], 64)
	if err != nil {
		return 0
	}
	return time.Duration(n * float64(timespanUnits[text[i:]]))
}

func (p *parser) typedLit(t Token) Expr {
	name := strings.TrimSpace(t.Text[:strings.IndexByte(t.Text, '(')])
	typ := typedLitNames[name]
	if msg := checkTypedLit(typ, t.Value); msg != "" {
		p.report(t.Span, msg)
	}
	return &TypedLit{Span: t.Span, Type: typ, Value: t.Value}
}

package syntax

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lex splits src into tokens. The result always ends with an [EOF] token.
// Problems (unterminated strings, invalid characters, bad number suffixes)
// are reported as diagnostics and the lexer continues after them.
func Lex(src string) ([]Token, []Diagnostic) {
	lx := &lexer{src: src}
	toks := make([]Token, 0, len(src)/4+8)
	for {
		t := lx.next()
		toks = append(toks, t)
		if t.Kind == TokEOF {
			return toks, lx.diags
		}
	}
}

type lexer struct {
	src   string
	pos   int
	diags []Diagnostic
}

func (lx *lexer) errorf(start, end int, format string, args ...any) {
	lx.diags = append(lx.diags, Diagnostic{Span: Span{start, end}, Severity: SeverityError, Message: fmt.Sprintf(format, args...)})
}

func (lx *lexer) peek(off int) byte {
	if lx.pos+off < len(lx.src) {
		return lx.src[lx.pos+off]
	}
	return 0
}

func (lx *lexer) tok(kind Kind, start int) Token {
	text := lx.src[start:lx.pos]
	return Token{Kind: kind, Span: Span{start, lx.pos}, Text: text, Value: text}
}

// skipSpace skips white space and // comments.
func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
		case c == '/' && lx.peek(1) == '/':
			nl := strings.IndexByte(lx.src[lx.pos:], '\n')
			if nl < 0 {
				lx.pos = len(lx.src)
			} else {
				lx.pos += nl + 1
			}
		default:
			return
		}
	}
}

func (lx *lexer) next() Token {
	lx.skipSpace()
	start := lx.pos
	if lx.pos >= len(lx.src) {
		return Token{Kind: TokEOF, Span: Span{start, start}}
	}
	c := lx.src[lx.pos]
	switch {
	case (c == 'h' || c == 'H') && lx.startsString(1):
		lx.pos++
		t := lx.lexString(start)
		t.Obfuscated = true
		return t
	case c == '@' && isQuote(lx.peek(1)):
		return lx.lexString(start)
	case isQuote(c) || c == '`' && strings.HasPrefix(lx.src[lx.pos:], "```"):
		return lx.lexString(start)
	case c < 0x80 && isIdentStart(c) || c >= 0x80 && lx.letterAt(lx.pos):
		return lx.lexWord(start)
	case isDigit(c):
		return lx.lexNumber(start)
	case c == '!':
		return lx.lexBang(start)
	}
	return lx.lexPunct(start)
}

// startsString reports whether a string literal (optionally verbatim) starts
// at pos+off.
func (lx *lexer) startsString(off int) bool {
	c := lx.peek(off)
	if c == '@' {
		c = lx.peek(off + 1)
	}
	return isQuote(c) || c == '`' && strings.HasPrefix(lx.src[lx.pos+off:], "```")
}

func isQuote(c byte) bool      { return c == '\'' || c == '"' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || c == '$' || isLetter(c) }
func isIdentPart(c byte) bool  { return c == '_' || isLetter(c) || isDigit(c) }

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 }

func (lx *lexer) scanWord() {
	for lx.pos < len(lx.src) && isIdentPart(lx.src[lx.pos]) {
		if lx.src[lx.pos] >= 0x80 {
			r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return
			}
			lx.pos += size
			continue
		}
		lx.pos++
	}
}

// letterAt reports whether a Unicode letter starts at byte offset i.
func (lx *lexer) letterAt(i int) bool {
	r, _ := utf8.DecodeRuneInString(lx.src[i:])
	return unicode.IsLetter(r)
}

// lexWord lexes an identifier, joining hyphenated operator names, "in~", and
// typed literals such as datetime(2024-01-01).
func (lx *lexer) lexWord(start int) Token {
	if lx.src[lx.pos] == '$' {
		lx.pos++
	}
	lx.scanWord()
	good := lx.pos
	for lx.peek(0) == '-' && lx.pos+1 < len(lx.src) && isIdentStart(lx.src[lx.pos+1]) {
		lx.pos++
		lx.scanWord()
		w := lx.src[start:lx.pos]
		if hyphenWords[w] {
			good = lx.pos
		} else if !isHyphenPrefix(w) {
			break
		}
	}
	lx.pos = good
	word := lx.src[start:lx.pos]
	if word == "in" && lx.peek(0) == '~' {
		lx.pos++
	}
	if _, ok := typedLitNames[word]; ok {
		if t, ok := lx.lexTypedLit(start); ok {
			return t
		}
	}
	return lx.tok(TokIdent, start)
}

// isHyphenPrefix reports whether w is a proper prefix of a hyphenated word
// ending at a hyphen boundary, such as "graph-shortest".
func isHyphenPrefix(w string) bool {
	for h := range hyphenWords {
		if strings.HasPrefix(h, w+"-") {
			return true
		}
	}
	return false
}

// lexTypedLit lexes "(content)" after a type name. It reports false, without
// consuming anything, if no '(' follows.
func (lx *lexer) lexTypedLit(start int) (Token, bool) {
	save := lx.pos
	lx.skipSpace()
	if lx.peek(0) != '(' {
		lx.pos = save
		return Token{}, false
	}
	open := lx.pos
	lx.pos++
	for lx.pos < len(lx.src) && lx.src[lx.pos] != ')' {
		if isQuote(lx.src[lx.pos]) {
			q := lx.src[lx.pos]
			end := strings.IndexByte(lx.src[lx.pos+1:], q)
			if end < 0 {
				break
			}
			lx.pos += end + 2
			continue
		}
		lx.pos++
	}
	if lx.pos >= len(lx.src) {
		lx.errorf(open, open+1, "expected ')' to close '(' of %s literal", lx.src[start:save])
		t := lx.tok(TokTypedLit, start)
		t.Value = strings.TrimSpace(lx.src[open+1:])
		return t, true
	}
	lx.pos++
	t := lx.tok(TokTypedLit, start)
	t.Value = strings.TrimSpace(lx.src[open+1 : lx.pos-1])
	return t, true
}

// lexBang lexes '!=', '!~' and negated operator words such as '!has'.
func (lx *lexer) lexBang(start int) Token {
	switch lx.peek(1) {
	case '=':
		lx.pos += 2
		return lx.tok(TokNotEq, start)
	case '~':
		lx.pos += 2
		return lx.tok(TokNotTilde, start)
	}
	if isIdentStart(lx.peek(1)) {
		lx.pos++
		lx.scanWord()
		word := lx.src[start+1 : lx.pos]
		if negatableWords[word] {
			if word == "in" && lx.peek(0) == '~' {
				lx.pos++
			}
			return lx.tok(TokIdent, start)
		}
		lx.pos = start
	}
	lx.pos++
	lx.errorf(start, lx.pos, "unexpected '!'; use '!=' or 'not(...)', or a negated operator such as '!has'")
	return lx.tok(TokIllegal, start)
}

func (lx *lexer) lexNumber(start int) Token {
	kind := TokInt
	if lx.peek(0) == '0' && (lx.peek(1) == 'x' || lx.peek(1) == 'X') && isHex(lx.peek(2)) {
		lx.pos += 2
		for isHex(lx.peek(0)) {
			lx.pos++
		}
		return lx.tok(TokInt, start)
	}
	lx.digits()
	if lx.peek(0) == '.' && isDigit(lx.peek(1)) {
		kind = TokReal
		lx.pos++
		lx.digits()
	}
	if c := lx.peek(0); (c == 'e' || c == 'E') && (isDigit(lx.peek(1)) || (lx.peek(1) == '+' || lx.peek(1) == '-') && isDigit(lx.peek(2))) {
		kind = TokReal
		lx.pos += 2
		lx.digits()
	}
	if !isIdentPart(lx.peek(0)) {
		return lx.tok(kind, start)
	}
	numEnd := lx.pos
	lx.scanWord()
	unit := lx.src[numEnd:lx.pos]
	if _, ok := timespanUnits[unit]; ok {
		return lx.tok(TokTimespan, start)
	}
	lx.errorf(numEnd, lx.pos, "invalid suffix '%s' on number; timespan units are d, h, m, s, ms, microsecond, tick", unit)
	return lx.tok(TokIllegal, start)
}

func (lx *lexer) digits() {
	for isDigit(lx.peek(0)) {
		lx.pos++
	}
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

var punct2 = map[string]Kind{
	"..": TokDotDot, "==": TokEq, "=~": TokEqTilde, "=>": TokArrow, "<=": TokLtEq, "<>": TokLtGt, ">=": TokGtEq,
}

var punct1 = [128]Kind{
	'|': TokPipe, ';': TokSemi, ',': TokComma, '.': TokDot, '(': TokLParen, ')': TokRParen, '[': TokLBracket,
	']': TokRBracket, '{': TokLBrace, '}': TokRBrace, ':': TokColon, '=': TokAssign, '<': TokLt, '>': TokGt,
	'+': TokPlus, '-': TokMinus, '*': TokStar, '/': TokSlash, '%': TokPercent, '?': TokQuestion,
}

func (lx *lexer) lexPunct(start int) Token {
	if lx.pos+2 <= len(lx.src) {
		if k, ok := punct2[lx.src[lx.pos:lx.pos+2]]; ok {
			lx.pos += 2
			return lx.tok(k, start)
		}
	}
	c := lx.src[lx.pos]
	if c == '&' && lx.peek(1) == '&' {
		lx.pos += 2
		lx.errorf(start, lx.pos, "unexpected '&&'; use 'and' to combine conditions")
		return lx.tok(TokIllegal, start)
	}
	if c < 128 && punct1[c] != TokEOF {
		lx.pos++
		return lx.tok(punct1[c], start)
	}
	r, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
	lx.pos += size
	if r == utf8.RuneError && size <= 1 {
		lx.errorf(start, lx.pos, "invalid utf-8 encoding")
	} else {
		lx.errorf(start, lx.pos, "invalid character %s", strconv.QuoteRune(r))
	}
	return lx.tok(TokIllegal, start)
}

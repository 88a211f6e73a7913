package syntax

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// lexString lexes a string literal starting at lx.pos; start is where the
// token starts (before an 'h' prefix, if any). It handles '...' and "..."
// with backslash escapes, verbatim @'...' and @"..." (a doubled quote stands
// for one), and multi-line ```...``` and ”'...”' without escapes.
func (lx *lexer) lexString(start int) Token {
	if strings.HasPrefix(lx.src[lx.pos:], "```") || strings.HasPrefix(lx.src[lx.pos:], "'''") {
		return lx.lexMultiLine(start)
	}
	verbatim := lx.src[lx.pos] == '@'
	if verbatim {
		lx.pos++
	}
	q := lx.src[lx.pos]
	lx.pos++
	var b strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == q && verbatim && lx.peek(1) == q:
			b.WriteByte(q)
			lx.pos += 2
		case c == q:
			lx.pos++
			t := lx.tok(TokString, start)
			t.Value = b.String()
			return t
		case c == '\n':
			return lx.unterminated(start, b.String())
		case c == '\\' && !verbatim:
			lx.escape(&b)
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
	return lx.unterminated(start, b.String())
}

func (lx *lexer) unterminated(start int, value string) Token {
	lx.errorf(start, lx.pos, "unterminated string literal; close it with %s", string(lx.src[start+strings.IndexAny(lx.src[start:], "'\"`")]))
	t := lx.tok(TokString, start)
	t.Value = value
	return t
}

func (lx *lexer) lexMultiLine(start int) Token {
	delim := lx.src[lx.pos : lx.pos+3]
	lx.pos += 3
	end := strings.Index(lx.src[lx.pos:], delim)
	if end < 0 {
		lx.pos = len(lx.src)
		lx.errorf(start, start+3, "unterminated multi-line string literal; close it with %s", delim)
		t := lx.tok(TokString, start)
		t.Value = lx.src[start+3:]
		return t
	}
	body := lx.src[lx.pos : lx.pos+end]
	lx.pos += end + 3
	t := lx.tok(TokString, start)
	t.Value = body
	return t
}

var simpleEscapes = map[byte]byte{
	'\\': '\\', '\'': '\'', '"': '"', 'n': '\n', 'r': '\r', 't': '\t', '0': 0, 'a': '\a', 'b': '\b', 'f': '\f', 'v': '\v', '`': '`',
}

// escape decodes one backslash escape at lx.pos into b.
func (lx *lexer) escape(b *strings.Builder) {
	start := lx.pos
	c := lx.peek(1)
	if r, ok := simpleEscapes[c]; ok {
		b.WriteByte(r)
		lx.pos += 2
		return
	}
	if c == 'u' || c == 'x' {
		n := 4
		if c == 'x' {
			n = 2
		}
		if lx.pos+2+n <= len(lx.src) {
			if v, err := strconv.ParseUint(lx.src[lx.pos+2:lx.pos+2+n], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
				b.WriteRune(rune(v))
				lx.pos += 2 + n
				return
			}
		}
	}
	lx.pos++
	if lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
		_, size := utf8.DecodeRuneInString(lx.src[lx.pos:])
		lx.pos += size
	}
	lx.errorf(start, lx.pos, "invalid escape sequence %s in string literal", strconv.Quote(lx.src[start:lx.pos]))
}

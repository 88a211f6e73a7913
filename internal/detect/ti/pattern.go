package ti

import (
	"fmt"
	"strings"
)

// Observable is one comparison of a STIX pattern that the index can match.
type Observable struct {
	Kind     Kind
	HashType string
	Value    string
}

// PatternError is a STIX pattern the parser cannot use, with the byte offset of the fault.
type PatternError struct {
	Offset int
	Msg    string
}

func (e *PatternError) Error() string { return fmt.Sprintf("pattern at byte %d: %s", e.Offset, e.Msg) }

// objectPaths maps a STIX object path (lower case) to the observable it names.
var objectPaths = map[string]Observable{
	"ipv4-addr:value":                {Kind: KindIP},
	"ipv6-addr:value":                {Kind: KindIP},
	"domain-name:value":              {Kind: KindDomain},
	"url:value":                      {Kind: KindURL},
	"email-addr:value":               {Kind: KindEmail},
	"email-message:from_ref.value":   {Kind: KindEmail},
	"email-message:sender_ref.value": {Kind: KindEmail},
	"file:hashes.md5":                {Kind: KindFileHash, HashType: HashMD5},
	"file:hashes.sha-1":              {Kind: KindFileHash, HashType: HashSHA1},
	"file:hashes.sha1":               {Kind: KindFileHash, HashType: HashSHA1},
	"file:hashes.sha-256":            {Kind: KindFileHash, HashType: HashSHA256},
	"file:hashes.sha256":             {Kind: KindFileHash, HashType: HashSHA256},
}

// ParsePattern reads the STIX 2.1 patterns Vigil can match: equality comparisons of the
// object paths in objectPaths, ORed within one observation expression ("[a = 'x' OR b = 'y']")
// or across several ("[a = 'x'] OR [b = 'y']"). AND, other operators and qualifiers are
// reported as unsupported, since matching one event cannot honour them.
func ParsePattern(src string) ([]Observable, error) {
	p := &patternParser{src: src}
	obs, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.fail("unexpected %q after the pattern", p.rest(12))
	}
	return obs, nil
}

type patternParser struct {
	src string
	pos int
}

const maxPatternDepth = 32

func (p *patternParser) fail(format string, args ...any) error {
	return &PatternError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *patternParser) space() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *patternParser) rest(n int) string {
	r := p.src[p.pos:]
	if len(r) > n {
		r = r[:n]
	}
	return r
}

// keyword consumes word (any case) if it comes next as a whole word.
func (p *patternParser) keyword(word string) bool {
	p.space()
	end := p.pos + len(word)
	if end > len(p.src) || !strings.EqualFold(p.src[p.pos:end], word) {
		return false
	}
	if end < len(p.src) && isIdent(p.src[end]) {
		return false
	}
	p.pos = end
	return true
}

func isIdent(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// expression is observation expressions joined by OR.
func (p *patternParser) expression(depth int) ([]Observable, error) {
	if depth > maxPatternDepth {
		return nil, p.fail("pattern nested too deeply")
	}
	var out []Observable
	for {
		obs, err := p.observation(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, obs...)
		if err := p.unsupportedJoin(); err != nil {
			return nil, err
		}
		if !p.keyword("OR") {
			return out, nil
		}
	}
}

// unsupportedJoin rejects AND, FOLLOWEDBY and qualifiers after an expression.
func (p *patternParser) unsupportedJoin() error {
	at := p.pos
	for _, w := range []string{"AND", "FOLLOWEDBY", "WITHIN", "REPEATS", "START"} {
		if p.keyword(w) {
			p.pos = at
			p.space()
			return p.fail("%s is not supported: only comparisons joined by OR can be matched", w)
		}
	}
	return nil
}

func (p *patternParser) observation(depth int) ([]Observable, error) {
	p.space()
	if p.pos >= len(p.src) {
		return nil, p.fail("expected '[' or '(' but the pattern ended")
	}
	switch p.src[p.pos] {
	case '(':
		p.pos++
		obs, err := p.expression(depth + 1)
		if err != nil {
			return nil, err
		}
		return obs, p.expect(')')
	case '[':
		p.pos++
		return p.comparisons(depth+1, ']')
	}
	return nil, p.fail("expected '[' or '(' but found %q", p.rest(12))
}

func (p *patternParser) expect(c byte) error {
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		if p.pos >= len(p.src) {
			return p.fail("expected %q but the pattern ended", c)
		}
		return p.fail("expected %q but found %q", c, p.rest(12))
	}
	p.pos++
	return nil
}

// comparisons is comparisons (or parenthesized groups of them) joined by OR, up to end.
func (p *patternParser) comparisons(depth int, end byte) ([]Observable, error) {
	if depth > maxPatternDepth {
		return nil, p.fail("pattern nested too deeply")
	}
	var out []Observable
	for {
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			p.pos++
			inner, err := p.comparisons(depth+1, ')')
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		} else {
			o, err := p.comparison()
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		if err := p.unsupportedJoin(); err != nil {
			return nil, err
		}
		if !p.keyword("OR") {
			return out, p.expect(end)
		}
	}
}

// comparison is OBJECT_PATH = 'string'.
func (p *patternParser) comparison() (Observable, error) {
	p.space()
	start := p.pos
	path, err := p.objectPath()
	if err != nil {
		return Observable{}, err
	}
	o, ok := objectPaths[strings.ToLower(path)]
	if !ok {
		p.pos = start
		return Observable{}, p.fail("unsupported object path %q", path)
	}
	p.space()
	if !strings.HasPrefix(p.src[p.pos:], "=") || strings.HasPrefix(p.src[p.pos:], "==") {
		return Observable{}, p.fail("only '=' comparisons are supported, found %q", p.rest(12))
	}
	p.pos++
	p.space()
	v, err := p.stringLiteral()
	if err != nil {
		return Observable{}, err
	}
	if strings.TrimSpace(v) == "" {
		return Observable{}, p.fail("empty value for %s", path)
	}
	o.Value = v
	return o, nil
}

// objectPath reads type:prop(.prop)*, where a property may be quoted ('SHA-256'); quotes are
// dropped from the result.
func (p *patternParser) objectPath() (string, error) {
	var b strings.Builder
	start := p.pos
	for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start || p.pos >= len(p.src) || p.src[p.pos] != ':' {
		return "", p.fail("expected an object path such as ipv4-addr:value, found %q", p.rest(12))
	}
	b.WriteString(p.src[start : p.pos+1])
	p.pos++
	for {
		if p.pos < len(p.src) && p.src[p.pos] == '\'' {
			s, err := p.stringLiteral()
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		} else {
			s := p.pos
			for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
				p.pos++
			}
			if p.pos == s {
				return "", p.fail("expected a property name, found %q", p.rest(12))
			}
			b.WriteString(p.src[s:p.pos])
		}
		if p.pos >= len(p.src) || p.src[p.pos] != '.' {
			return b.String(), nil
		}
		b.WriteByte('.')
		p.pos++
	}
}

// stringLiteral reads a single-quoted string with \' and \\ escapes.
func (p *patternParser) stringLiteral() (string, error) {
	if p.pos >= len(p.src) || p.src[p.pos] != '\'' {
		if p.pos >= len(p.src) {
			return "", p.fail("expected a quoted string but the pattern ended")
		}
		return "", p.fail("expected a quoted string, found %q", p.rest(12))
	}
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\'':
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '\'' || p.src[p.pos+1] == '\\'):
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		case c == '\\':
			return "", p.fail("invalid escape %q in string", p.rest(2))
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	p.pos = start
	return "", p.fail("unterminated string")
}

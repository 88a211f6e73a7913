package sigma

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// patPart is one piece of a Sigma string: literal text or a wildcard.
type patPart struct {
	lit  string
	wild byte // '*' or '?' for a wildcard, 0 for literal text
}

// parsePattern splits a Sigma string at its unescaped wildcards. A backslash escapes *, ? and
// a backslash; before any other character it is literal.
func parsePattern(s string) []patPart {
	var parts []patPart
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			parts = append(parts, patPart{lit: b.String()})
			b.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case c == '*' || c == '?':
			flush()
			parts = append(parts, patPart{wild: c})
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return parts
}

// plain returns the pattern's text when it has no wildcard.
func plain(parts []patPart) (string, bool) {
	var b strings.Builder
	for _, p := range parts {
		if p.wild != 0 {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

// unescaped is the pattern's text with wildcards written as themselves.
func unescaped(parts []patPart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.wild != 0 {
			b.WriteByte(p.wild)
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// appendLower appends s folded to lower case: ASCII directly, other runes with unicode.ToLower.
// The literal and the event text are folded by the same function, so they agree.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError {
			dst = append(dst, s[i:i+n]...)
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += n
	}
	return dst
}

// lower folds s to lower case as appendLower does.
func lower(s string) string { return string(appendLower(nil, s)) }

// appendLowerBytes folds b like appendLower.
func appendLowerBytes(dst, b []byte) []byte {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return appendLower(dst, string(b[i:]))
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

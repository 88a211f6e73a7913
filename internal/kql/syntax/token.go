package syntax

import "time"

// Kind is the lexical class of a [Token].
type Kind uint8

// Token kinds. Words are always Ident: Kusto keywords are contextual.
const (
	TokEOF      Kind = iota
	TokIllegal       // a character that starts no token
	TokIdent         // name, keyword, or operator word such as has, !in~, mv-expand
	TokInt           // 42, 0x2A
	TokReal          // 1.5, 1e3
	TokTimespan      // 1d, 30m, 100ms, 1.5h
	TokString        // '...', "...", @"...", h"...", ```...```
	TokTypedLit      // datetime(...), timespan(...), guid(...), bool(...), int(...), ...
	TokPipe          // |
	TokSemi          // ;
	TokComma         // ,
	TokDot           // .
	TokDotDot        // ..
	TokLParen        // (
	TokRParen        // )
	TokLBracket      // [
	TokRBracket      // ]
	TokLBrace        // {
	TokRBrace        // }
	TokColon         // :
	TokAssign        // =
	TokEq            // ==
	TokNotEq         // !=
	TokLtGt          // <>
	TokEqTilde       // =~
	TokNotTilde      // !~
	TokLt            // <
	TokLtEq          // <=
	TokGt            // >
	TokGtEq          // >=
	TokArrow         // =>
	TokPlus          // +
	TokMinus         // -
	TokStar          // *
	TokSlash         // /
	TokPercent       // %
	TokQuestion      // ?
)

var kindNames = [...]string{
	TokEOF: "end of query", TokIllegal: "illegal character", TokIdent: "identifier", TokInt: "integer literal",
	TokReal: "real literal", TokTimespan: "timespan literal", TokString: "string literal", TokTypedLit: "typed literal",
	TokPipe: "|", TokSemi: ";", TokComma: ",", TokDot: ".", TokDotDot: "..", TokLParen: "(", TokRParen: ")",
	TokLBracket: "[", TokRBracket: "]", TokLBrace: "{", TokRBrace: "}", TokColon: ":", TokAssign: "=", TokEq: "==",
	TokNotEq: "!=", TokLtGt: "<>", TokEqTilde: "=~", TokNotTilde: "!~", TokLt: "<", TokLtEq: "<=", TokGt: ">", TokGtEq: ">=",
	TokArrow: "=>", TokPlus: "+", TokMinus: "-", TokStar: "*", TokSlash: "/", TokPercent: "%", TokQuestion: "?",
}

// String returns the punctuation itself or a short description of the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Token is one lexical token.
type Token struct {
	Kind Kind
	Span Span
	// Text is the exact source text of the token.
	Text string
	// Value is the decoded value: the characters of a string literal after
	// escapes, the content between the parentheses of a typed literal
	// (trimmed), and Text for every other kind.
	Value string
	// Obfuscated marks h"..." string literals.
	Obfuscated bool
}

// describe renders the token for a diagnostic: quoted text, or a description
// for literals and the end of the query.
func (t Token) describe() string {
	switch t.Kind {
	case TokEOF:
		return "end of query"
	case TokString:
		return "string literal"
	case TokInt, TokReal:
		return "number " + quote(t.Text)
	default:
		if len(t.Text) > 32 {
			return quote(t.Text[:32] + "...")
		}
		return quote(t.Text)
	}
}

func quote(s string) string { return "'" + s + "'" }

// hyphenWords are the words Kusto spells with a hyphen; the lexer joins
// "mv" "-" "expand" into one identifier only for these.
var hyphenWords = map[string]bool{
	"project-away": true, "project-keep": true, "project-rename": true, "project-reorder": true,
	"project-smart": true, "mv-expand": true, "mv-apply": true, "parse-where": true, "parse-kv": true,
	"make-series": true, "top-nested": true, "top-hitters": true, "sample-distinct": true,
	"make-graph": true, "graph-match": true, "graph-merge": true, "graph-to-table": true,
	"graph-shortest-paths": true,
}

// negatableWords are the operator words that may be written with a leading
// '!' as one token ("!has", "!in", "!startswith_cs", ...).
var negatableWords = map[string]bool{
	"in": true, "has": true, "has_cs": true, "hasprefix": true, "hasprefix_cs": true,
	"hassuffix": true, "hassuffix_cs": true, "contains": true, "contains_cs": true,
	"startswith": true, "startswith_cs": true, "endswith": true, "endswith_cs": true,
	"between": true, "has_any": true, "has_all": true,
}

// typedLitNames are the type names that form a literal with a parenthesized
// value: datetime(2024-01-01), timespan(1d), guid(...), long(null), ...
var typedLitNames = map[string]string{
	"datetime": "datetime", "date": "datetime", "timespan": "timespan", "time": "timespan",
	"guid": "guid", "uuid": "guid", "uniqueid": "guid", "bool": "bool", "boolean": "bool",
	"int": "int", "long": "long", "real": "real", "double": "real", "decimal": "decimal",
}

// timespanUnits maps the suffixes of timespan literals to their length.
var timespanUnits = map[string]time.Duration{
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"tick": 100 * time.Nanosecond, "ticks": 100 * time.Nanosecond,
	"nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
}

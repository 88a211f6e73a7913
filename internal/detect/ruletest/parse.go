package ruletest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// maxRepeat bounds "repeat N" so that a typo cannot fill the disk.
const maxRepeat = 10000

// parser reads a script line by line; blocks are the indented lines after a load or eval.
type parser struct {
	s     *Script
	block Step // the load or eval the indented lines belong to
	line  int
}

func (p *parser) errorf(format string, args ...any) error {
	return &Error{File: p.s.File, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

// Parse reads a test file. The first error stops it and carries the file and line.
func Parse(file string, data []byte) (*Script, error) {
	p := &parser{s: &Script{File: file, Base: DefaultBase()}}
	for i, text := range strings.Split(string(data), "\n") {
		p.line = i + 1
		if err := p.parseLine(strings.TrimRight(text, " \t\r")); err != nil {
			return nil, err
		}
	}
	if len(p.s.Rules) == 0 {
		p.line = 1
		return nil, p.errorf("no rule line: name the rule under test with 'rule FILE'")
	}
	return p.s, nil
}

func (p *parser) parseLine(text string) error {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return nil
	}
	if text[0] == ' ' || text[0] == '\t' {
		return p.blockLine(trimmed)
	}
	p.block = nil
	word, rest, _ := strings.Cut(trimmed, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "rule":
		if rest == "" {
			return p.errorf("rule needs a file name")
		}
		p.s.Rules = append(p.s.Rules, RuleRef{Line: p.line, Path: rest})
	case "base":
		return p.parseBase(rest)
	case "load":
		return p.parseLoad(rest)
	case "eval":
		return p.parseEval(rest)
	default:
		return p.errorf("unknown command %q: want rule, base, load or eval", word)
	}
	return nil
}

func (p *parser) parseBase(rest string) error {
	if len(p.s.Steps) > 0 {
		return p.errorf("base must come before the first load or eval")
	}
	t, err := time.Parse(time.RFC3339Nano, rest)
	if err != nil {
		return p.errorf("base %q is not an RFC 3339 time such as 2026-01-01T00:00:00Z", rest)
	}
	p.s.Base = t.UTC()
	return nil
}

// parseLoad reads "TABLE at OFFSET".
func (p *parser) parseLoad(rest string) error {
	f := strings.Fields(rest)
	if len(f) != 3 || f[1] != "at" {
		return p.errorf("want 'load TABLE at OFFSET', got 'load %s'", rest)
	}
	at, err := parseOffset(f[2])
	if err != nil {
		return p.errorf("load: %v", err)
	}
	l := &Load{Line: p.line, Table: f[0], At: at}
	p.s.Steps = append(p.s.Steps, l)
	p.block = l
	return nil
}

// parseEval reads "at OFFSET".
func (p *parser) parseEval(rest string) error {
	f := strings.Fields(rest)
	if len(f) != 2 || f[0] != "at" {
		return p.errorf("want 'eval at OFFSET', got 'eval %s'", rest)
	}
	at, err := parseOffset(f[1])
	if err != nil {
		return p.errorf("eval: %v", err)
	}
	e := &Eval{Line: p.line, At: at}
	p.s.Steps = append(p.s.Steps, e)
	p.block = e
	return nil
}

func (p *parser) blockLine(text string) error {
	switch b := p.block.(type) {
	case *Load:
		return p.parseRow(b, text)
	case *Eval:
		return p.parseExpect(b, text)
	}
	return p.errorf("indented line outside a load or eval block")
}

// parseRow reads "[+OFFSET] [repeat N [every DURATION]] {json}".
func (p *parser) parseRow(l *Load, text string) error {
	i := strings.IndexByte(text, '{')
	if i < 0 {
		return p.errorf("row needs a JSON object")
	}
	r := Row{Line: p.line, Repeat: 1, JSON: text[i:]}
	if err := p.rowPrefix(&r, strings.Fields(text[:i])); err != nil {
		return err
	}
	probe := strings.ReplaceAll(r.JSON, "{{i}}", "1")
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(probe), &obj); err != nil {
		return p.errorf("row is not a JSON object: %v", err)
	}
	l.Rows = append(l.Rows, r)
	return nil
}

func (p *parser) rowPrefix(r *Row, f []string) error {
	for k := 0; k < len(f); k++ {
		switch {
		case f[k] == "repeat" && k+1 < len(f):
			n, err := strconv.Atoi(f[k+1])
			if err != nil || n < 1 || n > maxRepeat {
				return p.errorf("repeat %q: want a count from 1 to %d", f[k+1], maxRepeat)
			}
			r.Repeat, k = n, k+1
		case f[k] == "every" && k+1 < len(f):
			d, err := parseOffset(f[k+1])
			if err != nil || d <= 0 {
				return p.errorf("every %q: want a positive duration such as 30s or 5m", f[k+1])
			}
			r.Every, k = d, k+1
		case k == 0 && (strings.HasPrefix(f[k], "+") || strings.HasPrefix(f[k], "-")):
			d, err := parseOffset(f[k])
			if err != nil {
				return p.errorf("row offset: %v", err)
			}
			r.Offset = d
		default:
			return p.errorf("unexpected %q before the row's JSON: want [+OFFSET] [repeat N [every DURATION]]", f[k])
		}
	}
	return nil
}

// parseExpect reads "expect N alert(s)", "expect no alerts" or "expect alert FIELD...".
func (p *parser) parseExpect(e *Eval, text string) error {
	word, rest, _ := strings.Cut(text, " ")
	if word != "expect" {
		return p.errorf("unknown line in eval block %q: want expect", word)
	}
	rest = strings.TrimSpace(rest)
	head, tail, _ := strings.Cut(rest, " ")
	if head == "alert" && strings.TrimSpace(tail) != "" {
		fields, err := parseFields(tail)
		if err != nil {
			return p.errorf("expect alert: %v", err)
		}
		e.Alerts = append(e.Alerts, Matcher{Line: p.line, Fields: fields})
		return nil
	}
	return p.parseCount(e, head, strings.TrimSpace(tail))
}

func (p *parser) parseCount(e *Eval, head, tail string) error {
	if e.Count != nil {
		return p.errorf("the eval block at line %d already expects a count", e.Line)
	}
	n, err := strconv.Atoi(head)
	if head == "no" {
		n, err = 0, nil
	}
	if err != nil || n < 0 || (tail != "alerts" && tail != "alert") || (n != 1 && tail == "alert") {
		return p.errorf("want 'expect N alerts', 'expect no alerts' or 'expect alert KEY=VALUE ...'")
	}
	e.Count = &Count{Line: p.line, N: n}
	return nil
}

var errEmptyKey = errors.New("a condition needs a key before = or ~")

// parseFields reads space-separated key=value or key~value conditions; values may be Go
// quoted strings.
func parseFields(s string) ([]Field, error) {
	var out []Field
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		i := strings.IndexAny(s, "=~ ")
		if i < 0 || s[i] == ' ' {
			return nil, fmt.Errorf("%q: want KEY=VALUE or KEY~VALUE", firstWord(s))
		}
		if i == 0 {
			return nil, errEmptyKey
		}
		f := Field{Key: s[:i], Contains: s[i] == '~'}
		v, rest, err := cutValue(s[i+1:])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Key, err)
		}
		f.Value, s = v, rest
		out = append(out, f)
	}
	return out, nil
}

// cutValue reads a quoted or bare value from the start of s.
func cutValue(s string) (string, string, error) {
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", "", errors.New("unterminated or invalid quoted value")
		}
		v, _ := strconv.Unquote(q)
		return v, s[len(q):], nil
	}
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, "", nil
	}
	return s[:i], s[i:], nil
}

func firstWord(s string) string {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i]
	}
	return s
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"") {
		return strconv.Quote(s)
	}
	return s
}

// parseOffset reads a signed duration: Go's syntax (-10m, +1h30m, 0) plus whole days (2d).
func parseOffset(s string) (time.Duration, error) {
	body, neg := s, false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		body, neg = s[1:], s[0] == '-'
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(body, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n > 3650 {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(body); err != nil || strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") {
			return 0, fmt.Errorf("bad duration %q: want e.g. -10m, +1h30m, 2d", s)
		}
	}
	if neg {
		d = -d
	}
	return d, nil
}

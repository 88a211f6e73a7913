package sigma

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// testKind is how a value is compared with a field.
type testKind uint8

const (
	tEq testKind = iota
	tContains
	tStartsWith
	tEndsWith
	tGlob // a pattern with wildcards, compiled to an anchored regexp
	tRe
	tCidr
	tLt
	tLte
	tGt
	tGte
	tExists
	tNull
	tFieldRef
)

// valueTest is one value of an item, ready to compare.
type valueTest struct {
	kind    testKind
	lit     string // literal as written (after transformations); the cased form
	low     string // literal folded to lower case
	litb    []byte // lit and low as bytes, for comparisons without conversion
	lowb    []byte
	cased   bool
	re      *regexp.Regexp
	prefix  netip.Prefix
	num     float64
	exists  bool
	ref     string // fieldref: the other Sigma field
	pattern []patPart
	needs   [][]byte // re, glob: lower-case literals every match contains, checked first
}

// itemSpec is an item's values with the combinator.
type itemSpec struct {
	tests []valueTest
	all   bool
}

// modifierSet is the parsed modifier chain of one item.
type modifierSet struct {
	transforms []string // expand, wide, utf16*, base64, base64offset, windash, in order
	match      testKind
	matchName  string
	all        bool
	cased      bool
	reFlags    string
}

var transformModifiers = map[string]bool{
	"expand": true, "wide": true, "utf16le": true, "utf16be": true, "utf16": true,
	"base64": true, "base64offset": true, "windash": true,
}

var matchModifiers = map[string]testKind{
	"contains": tContains, "startswith": tStartsWith, "endswith": tEndsWith, "re": tRe, "cidr": tCidr,
	"lt": tLt, "lte": tLte, "gt": tGt, "gte": tGte, "exists": tExists, "fieldref": tFieldRef,
}

func parseModifiers(mods []string) (modifierSet, error) {
	ms := modifierSet{match: tEq}
	for _, m := range mods {
		switch {
		case transformModifiers[m]:
			ms.transforms = append(ms.transforms, m)
		case m == "all":
			ms.all = true
		case m == "cased":
			ms.cased = true
		case m == "i" || m == "m" || m == "s" || m == "ignorecase" || m == "multiline" || m == "dotall":
			if ms.match != tRe {
				return ms, fmt.Errorf("modifier %s applies only after re", m)
			}
			ms.reFlags += m[:1]
		default:
			k, ok := matchModifiers[m]
			if !ok {
				return ms, fmt.Errorf("unknown modifier %q", m)
			}
			if ms.matchName != "" {
				return ms, fmt.Errorf("modifiers %s and %s cannot be combined", ms.matchName, m)
			}
			ms.match, ms.matchName = k, m
		}
	}
	return ms, ms.check()
}

func (ms modifierSet) check() error {
	if len(ms.transforms) > 0 && ms.match != tEq && ms.match != tContains && ms.match != tStartsWith && ms.match != tEndsWith {
		return fmt.Errorf("modifier %s cannot follow %s", ms.matchName, strings.Join(ms.transforms, "|"))
	}
	for i, t := range ms.transforms {
		if (t == "wide" || strings.HasPrefix(t, "utf16")) && (i+1 >= len(ms.transforms) || !strings.HasPrefix(ms.transforms[i+1], "base64")) {
			return fmt.Errorf("modifier %s must be followed by base64 or base64offset", t)
		}
	}
	return nil
}

// buildItem turns an item's modifiers and values into value tests. vars resolves expand's
// %placeholders%.
func buildItem(it *Item, vars map[string][]string) (itemSpec, error) {
	ms, err := parseModifiers(it.Modifiers)
	if err != nil {
		return itemSpec{}, err
	}
	spec := itemSpec{all: ms.all}
	for _, v := range it.Values {
		tests, err := ms.valueTests(v, vars)
		if err != nil {
			return itemSpec{}, err
		}
		spec.tests = append(spec.tests, tests...)
	}
	return spec, nil
}

// valueTests applies the transformations to one value and builds its tests.
func (ms modifierSet) valueTests(v Value, vars map[string][]string) ([]valueTest, error) {
	if v.Null {
		if ms.match != tEq || len(ms.transforms) > 0 {
			return nil, fmt.Errorf("null cannot be used with modifiers")
		}
		return []valueTest{{kind: tNull}}, nil
	}
	switch ms.match {
	case tRe:
		return ms.reTest(v.S)
	case tCidr:
		p, err := netip.ParsePrefix(strings.TrimSpace(v.S))
		if err != nil {
			return nil, fmt.Errorf("invalid cidr %q", v.S)
		}
		return []valueTest{{kind: tCidr, prefix: p.Masked(), lit: v.S}}, nil
	case tLt, tLte, tGt, tGte:
		n, err := strconv.ParseFloat(v.S, 64)
		if err != nil {
			return nil, fmt.Errorf("modifier %s needs a number, not %q", ms.matchName, v.S)
		}
		return []valueTest{{kind: ms.match, num: n, lit: v.S}}, nil
	case tExists:
		b, err := strconv.ParseBool(v.S)
		if err != nil {
			return nil, fmt.Errorf("modifier exists needs true or false, not %q", v.S)
		}
		return []valueTest{{kind: tExists, exists: b}}, nil
	case tFieldRef:
		return []valueTest{{kind: tFieldRef, ref: v.S, cased: ms.cased}}, nil
	default:
	}
	strs, err := ms.transform(v.S, vars)
	if err != nil {
		return nil, err
	}
	out := make([]valueTest, 0, len(strs))
	for _, s := range strs {
		out = append(out, ms.stringTest(s))
	}
	return out, nil
}

// transform applies expand, encodings and windash; the result are patterns (encodings make
// their output literal, escaping wildcards).
func (ms modifierSet) transform(s string, vars map[string][]string) ([]string, error) {
	vals := []string{s}
	for i, t := range ms.transforms {
		var next []string
		for _, v := range vals {
			r, err := applyTransform(t, v, ms.transforms[:i], vars)
			if err != nil {
				return nil, err
			}
			next = append(next, r...)
		}
		vals = next
	}
	return vals, nil
}

func applyTransform(t, v string, before []string, vars map[string][]string) ([]string, error) {
	switch t {
	case "expand":
		return expand(v, vars)
	case "windash":
		return windash(v), nil
	case "wide", "utf16le", "utf16be", "utf16":
		return []string{encodeUTF16(t, unescaped(parsePattern(v)))}, nil
	case "base64":
		return []string{escapeWild(base64.StdEncoding.EncodeToString([]byte(rawText(v, before))))}, nil
	case "base64offset":
		return base64Offsets(rawText(v, before)), nil
	}
	return nil, fmt.Errorf("unknown modifier %q", t)
}

// rawText is the bytes to encode: the unescaped text, or already-encoded UTF-16 bytes.
func rawText(v string, before []string) string {
	if len(before) > 0 && (before[len(before)-1] == "wide" || strings.HasPrefix(before[len(before)-1], "utf16")) {
		return v
	}
	return unescaped(parsePattern(v))
}

func escapeWild(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)
	return r.Replace(s)
}

func encodeUTF16(kind, s string) string {
	u := utf16.Encode([]rune(s))
	var b []byte
	if kind == "utf16" {
		b = append(b, 0xff, 0xfe)
	}
	for _, c := range u {
		if kind == "utf16be" {
			b = binary.BigEndian.AppendUint16(b, c)
		} else {
			b = binary.LittleEndian.AppendUint16(b, c)
		}
	}
	return string(b)
}

// base64Offsets gives the three encodings of s at each byte offset in a base64 stream, without
// the characters that depend on the neighbouring bytes.
func base64Offsets(s string) []string {
	starts := [3]int{0, 2, 3}
	ends := [3]int{0, 3, 2}
	out := make([]string, 0, 3)
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + s))
		end := len(enc)
		if e := ends[(len(s)+i)%3]; e > 0 {
			end -= e
		}
		if starts[i] >= end {
			continue
		}
		out = append(out, escapeWild(enc[starts[i]:end]))
	}
	return out
}

// windashChars are the characters Windows accepts where a command line option has a dash.
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// maxWindash bounds the variants windash makes of one value.
const maxWindash = 625

// windash gives every variant of v with each option dash (a '-' or '/' at the start or after a
// space) replaced by each of the dash characters.
func windash(v string) []string {
	out := []string{""}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c == '-' || c == '/') && (i == 0 || v[i-1] == ' ') && len(out)*len(windashChars) <= maxWindash {
			next := make([]string, 0, len(out)*len(windashChars))
			for _, o := range out {
				for _, d := range windashChars {
					next = append(next, o+d)
				}
			}
			out = next
			continue
		}
		for j := range out {
			out[j] += string(c)
		}
	}
	return out
}

func expand(v string, vars map[string][]string) ([]string, error) {
	i := strings.IndexByte(v, '%')
	if i < 0 {
		return []string{v}, nil
	}
	j := strings.IndexByte(v[i+1:], '%')
	if j < 0 {
		return []string{v}, nil
	}
	name := v[i+1 : i+1+j]
	repl, ok := vars[name]
	if !ok {
		return nil, fmt.Errorf("unknown placeholder %%%s%% (define it in the placeholders configuration)", name)
	}
	var out []string
	for _, r := range repl {
		rest, err := expand(v[i+j+2:], vars)
		if err != nil {
			return nil, err
		}
		for _, x := range rest {
			out = append(out, v[:i]+r+x)
		}
	}
	return out, nil
}

func (ms modifierSet) reTest(s string) ([]valueTest, error) {
	flags := ms.reFlags
	if flags != "" {
		s = "(?" + flags + ")" + s
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %w", err)
	}
	return []valueTest{{kind: tRe, re: re, lit: s, needs: toBytes(regexLiterals(s))}}, nil
}

// stringTest builds the test for one string value and the item's match modifier.
func (ms modifierSet) stringTest(s string) valueTest {
	parts := parsePattern(s)
	k := ms.match
	if p, ok := plain(parts); ok {
		return valueTest{kind: k, lit: p, low: lower(p), litb: []byte(p), lowb: []byte(lower(p)), cased: ms.cased, pattern: parts}
	}
	// A wildcard pattern: contains/startswith/endswith add wildcards at the open ends.
	if k == tContains || k == tEndsWith {
		parts = append([]patPart{{wild: '*'}}, parts...)
	}
	if k == tContains || k == tStartsWith {
		parts = append(parts, patPart{wild: '*'})
	}
	return valueTest{kind: tGlob, re: globRegexp(parts, ms.cased), cased: ms.cased, pattern: parts, lit: unescaped(parts), needs: toBytes(globLiterals(parts))}
}

// globRegexp compiles a wildcard pattern into an anchored regexp.
func globRegexp(parts []patPart, cased bool) *regexp.Regexp {
	var b strings.Builder
	if !cased {
		b.WriteString("(?i)")
	}
	b.WriteString("(?s)^")
	for _, p := range parts {
		switch p.wild {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(p.lit))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

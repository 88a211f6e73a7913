package sigma

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/schema"
)

// ToKQL returns the KQL query equivalent to a detection rule ("Table | where ..."), printed
// from the same compiled matcher the stream detector runs, so hunting and streaming agree.
func ToKQL(r *Rule, cfg Config) (string, error) {
	if r.Correlation != nil {
		return "", errors.New("correlation rules have no single-query KQL form")
	}
	rs, err := CompileRule(r, cfg)
	if err != nil {
		return "", err
	}
	c := rs.rules[0]
	var p kqlPrinter
	cond := p.node(c.root)
	if c.where != nil {
		cond = p.node(c.where) + "\n    and " + cond
	}
	if p.err != nil {
		return "", p.err
	}
	return kqlName(c.table.table.Name) + "\n| where " + cond, nil
}

type kqlPrinter struct{ err error }

func (p *kqlPrinter) node(n node) string {
	switch x := n.(type) {
	case *andNode:
		return p.join(x.kids, " and ")
	case *orNode:
		return p.join(x.kids, " or ")
	case *notNode:
		return "not(" + p.node(x.x) + ")"
	case *countNode:
		parts := make([]string, len(x.kids))
		for i, k := range x.kids {
			parts[i] = "iff(" + p.node(k) + ", 1, 0)"
		}
		return "(" + strings.Join(parts, " + ") + " >= " + strconv.Itoa(x.n) + ")"
	case constNode:
		return strconv.FormatBool(bool(x))
	case *keywordNode:
		parts := make([]string, len(x.fields))
		for i, f := range x.fields {
			parts[i] = p.field(f)
		}
		return "(" + strings.Join(parts, " or ") + ")"
	case *fieldNode:
		return p.field(x)
	}
	p.err = fmt.Errorf("no KQL form for %T", n)
	return ""
}

func (p *kqlPrinter) join(kids []node, op string) string {
	parts := make([]string, len(kids))
	for i, k := range kids {
		parts[i] = p.node(k)
	}
	return "(" + strings.Join(parts, op) + ")"
}

func (p *kqlPrinter) field(f *fieldNode) string {
	x := kqlAccessor(f.acc)
	parts := make([]string, len(f.tests))
	for i := range f.tests {
		var ref string
		if f.refs != nil && f.refs[i] != nil {
			ref = kqlAccessor(f.refs[i])
		}
		parts[i] = p.test(x, &f.tests[i], ref)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	op := " or "
	if f.all {
		op = " and "
	}
	return "(" + strings.Join(parts, op) + ")"
}

func (p *kqlPrinter) test(x string, t *valueTest, ref string) string {
	cs := func(op string) string {
		if t.cased {
			return op + "_cs"
		}
		return op
	}
	switch t.kind {
	case tEq:
		if t.lit == "" {
			return "isempty(" + x + ")"
		}
		if t.cased {
			return x + " == " + p.quote(t.lit)
		}
		return x + " =~ " + p.quote(t.lit)
	case tContains:
		return x + " " + cs("contains") + " " + p.quote(t.lit)
	case tStartsWith:
		return x + " " + cs("startswith") + " " + p.quote(t.lit)
	case tEndsWith:
		return x + " " + cs("endswith") + " " + p.quote(t.lit)
	case tGlob, tRe:
		return x + " matches regex " + p.quote(t.re.String())
	case tCidr:
		if !t.prefix.Addr().Is4() {
			p.err = fmt.Errorf("cidr %s: only IPv4 ranges have a KQL form here", t.lit)
		}
		return "ipv4_is_in_range(" + x + ", " + p.quote(t.prefix.String()) + ")"
	case tLt, tLte, tGt, tGte:
		op := map[testKind]string{tLt: "<", tLte: "<=", tGt: ">", tGte: ">="}[t.kind]
		return "todouble(" + x + ") " + op + " " + strconv.FormatFloat(t.num, 'g', -1, 64)
	case tExists:
		if t.exists {
			return "isnotempty(" + x + ")"
		}
		return "isempty(" + x + ")"
	case tNull:
		return "isempty(" + x + ")"
	case tFieldRef:
		if t.cased {
			return x + " == " + ref
		}
		return x + " =~ " + ref
	}
	p.err = fmt.Errorf("no KQL form for value test %d", t.kind)
	return ""
}

// quote renders s as a KQL string literal.
func (p *kqlPrinter) quote(s string) string {
	if !utf8.ValidString(s) {
		p.err = fmt.Errorf("value %q is not valid UTF-8 and has no KQL literal", s)
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// kqlAccessor is the KQL string expression computing the accessor's text.
func kqlAccessor(a *accessor) string {
	switch a.kind {
	case aCol:
		if a.colType == schema.TypeString {
			return kqlName(a.col)
		}
		return "tostring(" + kqlName(a.col) + ")"
	case aJSON:
		base := kqlName(a.col)
		if a.colType == schema.TypeString {
			base = "parse_json(" + base + ")"
		}
		for _, k := range a.path {
			base += "[" + strconv.Quote(k) + "]"
		}
		return "tostring(" + base + ")"
	case aAccount:
		d, n := kqlAccessor(a.subs[0]), kqlAccessor(a.subs[1])
		return "iff(isempty(" + d + "), " + n + ", strcat(" + d + `, "\\", ` + n + "))"
	case aRegKey:
		k, v := kqlAccessor(a.subs[0]), kqlAccessor(a.subs[1])
		return "iff(isempty(" + v + "), " + k + ", strcat(" + k + `, "\\", ` + v + "))"
	case aHashes:
		syn := `strcat("SHA1=", ` + kqlAccessor(a.subs[0]) + `, ",MD5=", ` + kqlAccessor(a.subs[1]) + `, ",SHA256=", ` + kqlAccessor(a.subs[2]) + ")"
		if len(a.subs) == 4 {
			x := kqlAccessor(a.subs[3])
			return "iff(isnotempty(" + x + "), " + x + ", " + syn + ")"
		}
		return syn
	case aKV:
		t, k := kqlAccessor(a.subs[0]), regexQuoteKQL(a.key)
		if a.line {
			return `extract("(?i)(?:^|\\s)` + k + `=([^\\r\\n]*)", 1, ` + t + ")"
		}
		return `strcat(extract("(?i)(?:^|[ ,;\\t])` + k + `=\"([^\"]*)\"", 1, ` + t + `), extract("(?i)(?:^|[ ,;\\t])` + k + `=([^ ,;\\t\"][^ ,;\\t]*)", 1, ` + t + "))"
	case aXML:
		return `extract("<Data Name=\"` + regexQuoteKQL(a.key) + `\">([^<]*)</Data>", 1, ` + kqlAccessor(a.subs[0]) + ")"
	}
	return ""
}

// regexQuoteKQL escapes a key for a regular expression inside a KQL "..." literal.
func regexQuoteKQL(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`.+*?()|[]{}^$\`, r) {
			b.WriteString(`\\`)
		}
		if r == '"' {
			b.WriteString(`\"`)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// kqlName quotes a column or table name that is not a plain identifier.
func kqlName(s string) string {
	for i, r := range s {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (i == 0 || r < '0' || r > '9') {
			return "['" + s + "']"
		}
	}
	return s
}

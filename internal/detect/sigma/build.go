package sigma

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/detect/rule"
)

// minSetValues is how many plain contains values on one field make a shared automaton pay.
const minSetValues = 8

// builder compiles one rule's detection.
type builder struct {
	ts       *tableSet
	src      *Source
	rule     *Rule
	vars     map[string][]string
	searches map[string]node
}

func (b *builder) build() (*compiled, error) {
	r := b.rule
	for _, name := range r.Detection.Order {
		n, err := b.search(r.Detection.Searches[name])
		if err != nil {
			return nil, err
		}
		b.searches[name] = n
	}
	var conds []node
	for _, c := range r.Detection.Conditions {
		e, err := parseCondition(c.Text)
		if err != nil {
			var ce *CondError
			if asCondError(err, &ce) {
				return nil, &LoadError{File: r.File, Line: c.Line, Msg: fmt.Sprintf("condition col %d: %s", ce.Pos+1, ce.Msg)}
			}
			return nil, err
		}
		n, err := b.cond(e)
		if err != nil {
			return nil, &LoadError{File: r.File, Line: c.Line, Msg: "condition: " + err.Error()}
		}
		conds = append(conds, n)
	}
	root := conds[0]
	if len(conds) > 1 {
		root = &orNode{kids: conds}
	}
	where, err := b.where()
	if err != nil {
		return nil, err
	}
	c := &compiled{rule: r, source: b.src, table: b.ts, root: root, where: where, severity: severity(r.Level)}
	c.tactics, c.techniques = attackTags(r.Tags)
	return c, nil
}

func asCondError(err error, target **CondError) bool {
	ce, ok := err.(*CondError) //nolint:errorlint // parseCondition returns it unwrapped
	if ok {
		*target = ce
	}
	return ok
}

// where compiles the source's row filters.
func (b *builder) where() (node, error) {
	if len(b.src.Where) == 0 {
		return nil, nil
	}
	and := &andNode{}
	for _, w := range b.src.Where {
		a, err := parseAccessor(w.Column, b.ts.table)
		if err != nil {
			return nil, fmt.Errorf("mapping of %s: %w", b.src.LogSource, err)
		}
		f := &fieldNode{acc: b.ts.intern(a)}
		ms := modifierSet{match: tEq}
		for _, v := range w.Values {
			f.tests = append(f.tests, ms.stringTest(escapeWild(v)))
		}
		and.kids = append(and.kids, f)
	}
	return and, nil
}

func (b *builder) search(s *Search) (node, error) {
	if s.Keywords != nil {
		return b.keywords(s)
	}
	or := &orNode{}
	for _, m := range s.Maps {
		and := &andNode{}
		for _, it := range m.Items {
			n, err := b.item(it)
			if err != nil {
				return nil, &LoadError{File: b.rule.File, Line: it.Line, Msg: err.Error()}
			}
			and.kids = append(and.kids, n)
		}
		or.kids = append(or.kids, simplify(and))
	}
	return simplify(or), nil
}

func (b *builder) keywords(s *Search) (node, error) {
	if len(b.src.Keywords) == 0 {
		return nil, &LoadError{File: b.rule.File, Line: s.Line, Msg: fmt.Sprintf("keyword search %q: logsource %s has no keyword fields", s.Name, b.src.LogSource)}
	}
	spec, err := buildItem(s.Keywords, b.vars)
	if err != nil {
		return nil, &LoadError{File: b.rule.File, Line: s.Line, Msg: err.Error()}
	}
	kw := &keywordNode{}
	for _, col := range b.src.Keywords {
		a, err := parseAccessor(col, b.ts.table)
		if err != nil {
			return nil, &LoadError{File: b.rule.File, Line: s.Line, Msg: err.Error()}
		}
		tests := spec.tests
		if !hasMatchModifier(s.Keywords.Modifiers) {
			tests = keywordTests(tests)
		}
		kw.fields = append(kw.fields, b.field(b.ts.intern(a), tests, spec.all))
	}
	return kw, nil
}

// keywordTests makes keywords match anywhere in the text, wildcards included.
func keywordTests(tests []valueTest) []valueTest {
	out := make([]valueTest, len(tests))
	for i, t := range tests {
		ms := modifierSet{match: tContains, cased: t.cased}
		switch t.kind {
		case tEq:
			out[i] = ms.stringTest(escapeWild(t.lit))
		case tGlob:
			out[i] = ms.stringTest(patternText(t.pattern))
		default:
			out[i] = t
		}
	}
	return out
}

// patternText writes a pattern back as a Sigma string.
func patternText(parts []patPart) string {
	var b strings.Builder
	for _, p := range parts {
		if p.wild != 0 {
			b.WriteByte(p.wild)
		} else {
			b.WriteString(escapeWild(p.lit))
		}
	}
	return b.String()
}

// hasMatchModifier reports whether modifiers choose how values match (beyond all/cased).
func hasMatchModifier(mods []string) bool {
	for _, m := range mods {
		if _, ok := matchModifiers[m]; ok {
			return true
		}
	}
	return false
}

func (b *builder) item(it *Item) (node, error) {
	if it.Field == "" { // '|all': [...] is a keyword list with modifiers
		return b.keywords(&Search{Name: "|" + strings.Join(it.Modifiers, "|"), Line: it.Line, Keywords: it})
	}
	a, err := b.src.resolveField(it.Field, b.ts.table)
	if err != nil {
		return nil, err
	}
	acc := b.ts.intern(a)
	if acc.enum != nil || acc.regdata || acc.regkey {
		it = rewriteItem(it, acc)
	}
	spec, err := buildItem(it, b.vars)
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", it.Field, err)
	}
	f := b.field(acc, spec.tests, spec.all)
	for i, t := range spec.tests {
		if t.kind != tFieldRef {
			continue
		}
		ra, err := b.src.resolveField(t.ref, b.ts.table)
		if err != nil {
			return nil, fmt.Errorf("fieldref: %w", err)
		}
		if f.refs == nil {
			f.refs = make([]*accessor, len(spec.tests))
		}
		f.refs[i] = b.ts.intern(ra)
	}
	return f, nil
}

func rewriteItem(it *Item, acc *accessor) *Item {
	cp := *it
	cp.Values = make([]Value, len(it.Values))
	for i, v := range it.Values {
		if !v.Null {
			v.S = acc.rewrite(v.S)
		}
		cp.Values[i] = v
	}
	return &cp
}

// field builds a field test, with a shared automaton for many plain contains values.
func (b *builder) field(acc *accessor, tests []valueTest, all bool) *fieldNode {
	f := &fieldNode{acc: acc, tests: tests, all: all}
	if all || len(tests) < minSetValues {
		return f
	}
	pats := make([][]byte, 0, len(tests))
	for _, t := range tests {
		if t.kind != tContains || t.cased || !isASCII(t.low) || t.low == "" {
			return f
		}
		pats = append(pats, []byte(t.low))
	}
	f.set = buildAC(pats)
	return f
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cond compiles a condition expression over the rule's searches.
func (b *builder) cond(e condExpr) (node, error) {
	switch x := e.(type) {
	case *condAnd:
		return b.pair(x.l, x.r, func(l, r node) node { return &andNode{kids: []node{l, r}} })
	case *condOr:
		return b.pair(x.l, x.r, func(l, r node) node { return &orNode{kids: []node{l, r}} })
	case *condNot:
		n, err := b.cond(x.x)
		if err != nil {
			return nil, err
		}
		return &notNode{x: n}, nil
	case *condRef:
		n, ok := b.searches[x.name]
		if !ok {
			return nil, fmt.Errorf("col %d: unknown search %q", x.pos+1, x.name)
		}
		return n, nil
	case *condOf:
		return b.of(x)
	}
	return nil, fmt.Errorf("unknown condition node %T", e)
}

func (b *builder) pair(l, r condExpr, mk func(l, r node) node) (node, error) {
	ln, err := b.cond(l)
	if err != nil {
		return nil, err
	}
	rn, err := b.cond(r)
	if err != nil {
		return nil, err
	}
	return simplify(mk(ln, rn)), nil
}

func (b *builder) of(x *condOf) (node, error) {
	var names []string
	for _, name := range b.rule.Detection.Order {
		if x.them || globMatch(x.pattern, name) {
			if x.them && strings.HasPrefix(name, "_") {
				continue
			}
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("col %d: no search matches %q", x.pos+1, x.pattern)
	}
	kids := make([]node, len(names))
	for i, n := range names {
		kids[i] = b.searches[n]
	}
	switch {
	case x.n == 0:
		return simplify(&andNode{kids: kids}), nil
	case x.n == 1:
		return simplify(&orNode{kids: kids}), nil
	case x.n > len(kids):
		return constNode(false), nil
	}
	return &countNode{kids: kids, n: x.n}, nil
}

// simplify flattens nested and/or nodes and unwraps single children.
func simplify(n node) node {
	switch x := n.(type) {
	case *andNode:
		var kids []node
		for _, k := range x.kids {
			if a, ok := k.(*andNode); ok {
				kids = append(kids, a.kids...)
			} else {
				kids = append(kids, k)
			}
		}
		if len(kids) == 1 {
			return kids[0]
		}
		return &andNode{kids: kids}
	case *orNode:
		var kids []node
		for _, k := range x.kids {
			if o, ok := k.(*orNode); ok {
				kids = append(kids, o.kids...)
			} else {
				kids = append(kids, k)
			}
		}
		if len(kids) == 1 {
			return kids[0]
		}
		return &orNode{kids: kids}
	}
	return n
}

// severity maps a Sigma level to an alert severity.
func severity(level string) rule.Severity {
	switch level {
	case "informational":
		return rule.SeverityInformational
	case "low":
		return rule.SeverityLow
	case "high", "critical":
		return rule.SeverityHigh
	}
	return rule.SeverityMedium
}

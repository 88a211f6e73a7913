package sigma

import (
	"regexp/syntax"
	"slices"
)

// anchor is a literal that must occur (ignoring case) in a field for a rule to match.
type anchor struct {
	acc *accessor
	lit string // lower case, ASCII
}

// maxGroups bounds the anchor groups of one rule (bits of a row's hit mask).
const maxGroups = 4

// anchorGroups returns groups of literals such that, whenever n matches, each group has a
// literal occurring (ignoring case) in its field; false when no group can be found (a
// negation, a null test, a regular expression without a literal...).
func anchorGroups(n node) ([][]anchor, bool) {
	switch x := n.(type) {
	case *fieldNode:
		return fieldGroups(x)
	case *keywordNode:
		var g []anchor
		for _, f := range x.fields {
			a, ok := fieldGroups(f)
			if !ok {
				return nil, false
			}
			g = append(g, bestGroup(a)...)
		}
		return [][]anchor{g}, true
	case *andNode:
		var all [][]anchor
		for _, k := range x.kids {
			if g, ok := anchorGroups(k); ok {
				all = append(all, g...)
			}
		}
		if len(all) == 0 {
			return nil, false
		}
		slices.SortStableFunc(all, func(a, b []anchor) int { return anchorScore(b) - anchorScore(a) })
		return all[:min(len(all), maxGroups)], true
	case *orNode:
		return unionGroups(x.kids)
	case *countNode:
		return unionGroups(x.kids)
	}
	return nil, false
}

// unionGroups is one group holding the best group of every child.
func unionGroups(kids []node) ([][]anchor, bool) {
	var g []anchor
	for _, k := range kids {
		a, ok := anchorGroups(k)
		if !ok {
			return nil, false
		}
		g = append(g, bestGroup(a)...)
	}
	return [][]anchor{g}, true
}

func bestGroup(gs [][]anchor) []anchor {
	best := gs[0]
	for _, g := range gs[1:] {
		if anchorScore(g) > anchorScore(best) {
			best = g
		}
	}
	return best
}

func anchorScore(a []anchor) int {
	m := len(a[0].lit)
	for _, x := range a[1:] {
		m = min(m, len(x.lit))
	}
	return m*16 - len(a)
}

func fieldGroups(f *fieldNode) ([][]anchor, bool) {
	if f.all {
		var gs [][]anchor
		for i := range f.tests {
			if l, ok := testLiteral(&f.tests[i]); ok {
				gs = append(gs, []anchor{{f.acc, l}})
			}
		}
		return gs, len(gs) > 0
	}
	if len(f.tests) == 1 && len(f.tests[0].needs) > 1 {
		var gs [][]anchor
		for _, n := range f.tests[0].needs {
			if isASCII(string(n)) {
				gs = append(gs, []anchor{{f.acc, string(n)}})
			}
		}
		return gs, len(gs) > 0
	}
	out := make([]anchor, 0, len(f.tests))
	for i := range f.tests {
		l, ok := testLiteral(&f.tests[i])
		if !ok {
			return nil, false
		}
		out = append(out, anchor{f.acc, l})
	}
	return [][]anchor{out}, len(out) > 0
}

// testLiteral is the longest literal the value test needs in the field.
func testLiteral(t *valueTest) (string, bool) {
	var l string
	switch t.kind {
	case tEq, tContains, tStartsWith, tEndsWith:
		l = t.low
	case tRe, tGlob:
		for _, n := range t.needs {
			if len(n) > len(l) && isASCII(string(n)) {
				l = string(n)
			}
		}
	default:
		return "", false
	}
	return l, l != "" && isASCII(l)
}

// buildPrefilter indexes the table's rules by their anchor groups.
func (ts *tableSet) buildPrefilter() {
	byAcc := map[*accessor]int{}
	var pats [][][]byte
	var ids []map[string]int32
	ts.full = make([]uint8, len(ts.rules))
	for i, c := range ts.rules {
		gs, ok := anchorGroups(c.root)
		if !ok {
			ts.always = append(ts.always, int32(i))
			continue
		}
		ts.full[i] = uint8(1<<len(gs) - 1)
		for gi, g := range gs {
			for _, a := range g {
				k, seen := byAcc[a.acc]
				if !seen {
					k = len(ts.pre)
					byAcc[a.acc] = k
					ts.pre = append(ts.pre, prefield{acc: a.acc})
					pats = append(pats, nil)
					ids = append(ids, map[string]int32{})
				}
				id, ok := ids[k][a.lit]
				if !ok {
					id = int32(len(pats[k]))
					ids[k][a.lit] = id
					pats[k] = append(pats[k], []byte(a.lit))
					ts.pre[k].hits = append(ts.pre[k].hits, nil)
				}
				ts.pre[k].hits[id] = append(ts.pre[k].hits[id], ruleBit{rule: int32(i), bit: uint8(1 << gi)})
			}
		}
	}
	for k := range ts.pre {
		ts.pre[k].ac = buildAC(pats[k])
	}
}

// candidates collects the rules a row may match: those all of whose anchor groups occur,
// and those without anchors, in rule order.
func (ts *tableSet) candidates(c *rowCtx) []int32 {
	for k := range ts.pre {
		pf := &ts.pre[k]
		raw, ok := c.raw(pf.acc)
		if !ok || len(raw) == 0 {
			continue
		}
		ac := pf.ac
		s, nc := int32(0), ac.nclass
		for _, b := range raw {
			s = ac.next[int(s)*nc+int(ac.class[b])]
			if ac.out[s] != nil {
				for _, id := range ac.out[s] {
					ts.hit(c, pf.hits[id])
				}
			}
		}
	}
	if len(c.cands) == 0 {
		return ts.always
	}
	c.cands = append(c.cands, ts.always...)
	slices.Sort(c.cands)
	return c.cands
}

// hit records that a literal occurred for the rules and groups in rbs.
func (ts *tableSet) hit(c *rowCtx, rbs []ruleBit) {
	for _, rb := range rbs {
		r := rb.rule
		if c.mark[r] != c.gen {
			c.mark[r] = c.gen
			c.mask[r] = 0
		}
		m := c.mask[r]
		if m == ts.full[r] {
			continue // already a candidate
		}
		m |= rb.bit
		c.mask[r] = m
		if m == ts.full[r] {
			c.cands = append(c.cands, r)
		}
	}
}

// regexLiterals are the runs of literal text every match of a regular expression contains,
// lower-cased (alternations contribute none).
func regexLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range requiredLiterals(re.Simplify(), nil) {
		if l = lower(l); len(l) >= 2 {
			out = append(out, l)
		}
	}
	return out
}

// requiredLiterals appends the literal runs a match of re must contain.
func requiredLiterals(re *syntax.Regexp, out []string) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return append(out, string(re.Rune))
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0], out)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0], out)
		}
	case syntax.OpConcat:
		run := ""
		for _, s := range re.Sub {
			if s.Op == syntax.OpLiteral {
				run += string(s.Rune)
				continue
			}
			if run != "" {
				out = append(out, run)
			}
			run = ""
			out = requiredLiterals(s, out)
		}
		if run != "" {
			out = append(out, run)
		}
	default:
	}
	return out
}

// globLiterals are the literal parts of a wildcard pattern, lower-cased.
func globLiterals(parts []patPart) []string {
	var out []string
	for _, p := range parts {
		if p.wild == 0 && p.lit != "" {
			out = append(out, lower(p.lit))
		}
	}
	return out
}

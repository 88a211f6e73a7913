package sigma

import (
	"bytes"
	"net/netip"
	"strconv"
)

// node is a compiled condition over a row.
type node interface {
	eval(c *rowCtx) bool
}

type (
	andNode   struct{ kids []node }
	orNode    struct{ kids []node }
	notNode   struct{ x node }
	countNode struct { // at least n of kids
		kids []node
		n    int
	}
	constNode bool
	// fieldNode tests one field against an item's values.
	fieldNode struct {
		acc   *accessor
		tests []valueTest
		all   bool
		set   *acAutomaton // many plain case-insensitive contains values, scanned at once
		refs  []*accessor  // fieldref: the other fields, by test index
	}
	// keywordNode tests any of several fields against keyword values.
	keywordNode struct {
		fields []*fieldNode
	}
)

func (n *andNode) eval(c *rowCtx) bool {
	for _, k := range n.kids {
		if !k.eval(c) {
			return false
		}
	}
	return true
}

func (n *orNode) eval(c *rowCtx) bool {
	for _, k := range n.kids {
		if k.eval(c) {
			return true
		}
	}
	return false
}

func (n *notNode) eval(c *rowCtx) bool { return !n.x.eval(c) }

func (n *countNode) eval(c *rowCtx) bool {
	hits := 0
	for i, k := range n.kids {
		if k.eval(c) {
			if hits++; hits >= n.n {
				return true
			}
		}
		if hits+len(n.kids)-i-1 < n.n {
			return false
		}
	}
	return false
}

func (n constNode) eval(*rowCtx) bool { return bool(n) }

func (n *keywordNode) eval(c *rowCtx) bool {
	for _, f := range n.fields {
		if f.eval(c) {
			return true
		}
	}
	return false
}

func (n *fieldNode) eval(c *rowCtx) bool {
	if n.set != nil {
		r, _ := c.raw(n.acc)
		return n.set.contains(r)
	}
	for i := range n.tests {
		ok := n.test(c, i)
		if n.all && !ok {
			return false
		}
		if !n.all && ok {
			return true
		}
	}
	return n.all
}

// test compares the field with value test i. A null field is compared as empty text, as KQL
// compares null strings.
func (n *fieldNode) test(c *rowCtx, i int) bool {
	t := &n.tests[i]
	raw, ok := c.raw(n.acc)
	switch t.kind {
	case tNull:
		return len(raw) == 0
	case tExists:
		return (ok && len(raw) > 0) == t.exists
	case tRe, tGlob:
		if len(t.needs) > 0 {
			low := c.low(n.acc)
			for _, nd := range t.needs {
				if !bytes.Contains(low, nd) {
					return false
				}
			}
		}
		return t.re.Match(raw)
	case tCidr:
		a, err := netip.ParseAddr(string(raw))
		return err == nil && t.prefix.Contains(a.Unmap())
	case tLt, tLte, tGt, tGte:
		return numTest(t, raw)
	case tFieldRef:
		other, _ := c.raw(n.refs[i])
		if t.cased {
			return bytes.Equal(raw, other)
		}
		return bytes.Equal(c.low(n.acc), c.low(n.refs[i]))
	default:
	}
	if t.cased {
		return strTest(t.kind, raw, t.litb)
	}
	return strTest(t.kind, c.low(n.acc), t.lowb)
}

func strTest(k testKind, s, lit []byte) bool {
	switch k {
	case tContains:
		return bytes.Contains(s, lit)
	case tStartsWith:
		return bytes.HasPrefix(s, lit)
	case tEndsWith:
		return bytes.HasSuffix(s, lit)
	default:
		return bytes.Equal(s, lit)
	}
}

func numTest(t *valueTest, raw []byte) bool {
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return false
	}
	switch t.kind {
	case tLt:
		return f < t.num
	case tLte:
		return f <= t.num
	case tGt:
		return f > t.num
	default:
		return f >= t.num
	}
}

package ti

import (
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// Index is an immutable set of indicators by tenant, filed for lookup by observable. Build
// it with NewIndex or With; share it freely between goroutines.
type Index struct {
	tenants map[string]*tenantIndex
}

// tenantIndex is one tenant's indicators. Its maps and slices are never changed once the
// index is published: an update clones the maps and replaces the slices it touches.
type tenantIndex struct {
	byID     map[string]*idEntry
	ips      map[netip.Addr][]*Indicator
	prefixes map[netip.Prefix][]*Indicator
	bits     map[int]int // prefix length (+128 for IPv6) -> blocks of that length
	v4Bits   []int       // the IPv4 prefix lengths present, longest first
	v6Bits   []int
	byKey    [kindCount]map[string][]*Indicator // domains, URLs, hashes, emails by normalized key
	urlHosts map[string]int                     // the hosts of the URL indicators, counted
	size     int
}

const kindCount = int(KindEmail) + 1

// idEntry is the current version of one indicator id: all its observables.
type idEntry struct {
	ins []*filedIndicator
}

// filedIndicator is an Indicator with its normalized key worked out once, when it enters
// the index.
type filedIndicator struct {
	Indicator
	key    string
	prefix netip.Prefix
	ok     bool // the value normalizes
}

// NewIndex returns an index of ins.
func NewIndex(ins []Indicator) *Index {
	return (&Index{}).With(ins)
}

// With returns a new index holding x's indicators updated by ins: a newer version of an
// indicator id (by Modified, then Updated) replaces all of that id's observables, one of the
// same version adds to them, an older one is ignored. Only tenants that ins touches are rebuilt.
func (x *Index) With(ins []Indicator) *Index {
	if len(ins) == 0 && x.tenants != nil {
		return x
	}
	out := &Index{tenants: make(map[string]*tenantIndex, len(x.tenants)+1)}
	maps.Copy(out.tenants, x.tenants)
	byTenant := map[string][]*Indicator{}
	for i := range ins {
		in := &ins[i]
		byTenant[in.Tenant] = append(byTenant[in.Tenant], in)
	}
	for tenant, add := range byTenant {
		out.tenants[tenant] = x.tenants[tenant].with(add)
	}
	return out
}

// Len returns how many observables of tenant can match: those of active, unrevoked indicators.
func (x *Index) Len(tenant string) int {
	if t := x.tenants[tenant]; t != nil {
		return t.size
	}
	return 0
}

// with returns a copy of t (nil for none) updated by add: the maps are cloned once and
// only the observables of the ids add changes are re-filed.
func (t *tenantIndex) with(add []*Indicator) *tenantIndex {
	n := t.clone()
	for _, in := range add {
		if in.ID == "" {
			continue
		}
		old := n.byID[in.ID]
		e := mergeEntry(old, newFiled(in))
		if e == old {
			continue
		}
		n.byID[in.ID] = e
		if old != nil {
			for _, o := range old.ins {
				n.unfile(o)
			}
		}
		for _, o := range e.ins {
			n.file(o)
		}
	}
	n.v4Bits, n.v6Bits = n.sortedBits()
	return n
}

func newFiled(in *Indicator) *filedIndicator {
	f := &filedIndicator{Indicator: *in}
	if in.Kind == KindIP {
		f.prefix, f.ok = parseIPOrPrefix(in.Value)
	} else {
		f.key, f.ok = in.key()
	}
	return f
}

// matchable reports whether an observable goes in the lookup maps: inactive and revoked ones
// never match, and stay only in byID to shadow older versions.
func (f *filedIndicator) matchable() bool {
	return f.ok && f.Active && !f.Revoked && int(f.Kind) < kindCount
}

// clone copies t's maps (an empty index when t is nil).
func (t *tenantIndex) clone() *tenantIndex {
	if t == nil {
		n := &tenantIndex{byID: map[string]*idEntry{}, ips: map[netip.Addr][]*Indicator{}, prefixes: map[netip.Prefix][]*Indicator{},
			bits: map[int]int{}, urlHosts: map[string]int{}}
		for k := range n.byKey {
			n.byKey[k] = map[string][]*Indicator{}
		}
		return n
	}
	n := &tenantIndex{byID: maps.Clone(t.byID), ips: maps.Clone(t.ips), prefixes: maps.Clone(t.prefixes),
		bits: maps.Clone(t.bits), urlHosts: maps.Clone(t.urlHosts), size: t.size}
	for k := range n.byKey {
		n.byKey[k] = maps.Clone(t.byKey[k])
	}
	return n
}

// mergeEntry applies one observable to an id's entry, returning e itself when nothing changes
// and a new entry otherwise.
func mergeEntry(e *idEntry, in *filedIndicator) *idEntry {
	if e == nil || len(e.ins) == 0 {
		return &idEntry{ins: []*filedIndicator{in}}
	}
	switch c := compareVersion(&in.Indicator, &e.ins[0].Indicator); {
	case c > 0:
		return &idEntry{ins: []*filedIndicator{in}}
	case c < 0:
		return e
	}
	out := &idEntry{ins: make([]*filedIndicator, 0, len(e.ins)+1)}
	for _, old := range e.ins {
		if old.Kind != in.Kind || old.key != in.key || old.prefix != in.prefix {
			out.ins = append(out.ins, old)
		}
	}
	out.ins = append(out.ins, in)
	return out
}

// ipv6Bits offsets IPv6 prefix lengths in tenantIndex.bits.
const ipv6Bits = 128

// sortedBits returns the IPv4 and IPv6 prefix lengths present, longest first.
func (t *tenantIndex) sortedBits() (v4, v6 []int) {
	for b := range t.bits {
		switch {
		case b >= ipv6Bits:
			v6 = append(v6, b-ipv6Bits)
		default:
			v4 = append(v4, b)
		}
	}
	desc := func(a, b int) int { return b - a }
	slices.SortFunc(v4, desc)
	slices.SortFunc(v6, desc)
	return v4, v6
}

// file adds an observable to the lookup maps, copying the slices it extends.
func (t *tenantIndex) file(f *filedIndicator) {
	if !f.matchable() {
		return
	}
	t.size++
	in := &f.Indicator
	switch {
	case f.Kind == KindIP && f.prefix.IsSingleIP():
		t.ips[f.prefix.Addr()] = append(slices.Clip(t.ips[f.prefix.Addr()]), in)
	case f.Kind == KindIP:
		t.prefixes[f.prefix] = append(slices.Clip(t.prefixes[f.prefix]), in)
		t.bits[bitsKey(f.prefix)]++
	default:
		m := t.byKey[f.Kind]
		m[f.key] = append(slices.Clip(m[f.key]), in)
		if f.Kind == KindURL {
			t.urlHosts[fastHost(f.key)]++
		}
	}
}

// unfile removes an observable filed by file, copying the slices it shortens.
func (t *tenantIndex) unfile(f *filedIndicator) {
	if !f.matchable() {
		return
	}
	t.size--
	in := &f.Indicator
	switch {
	case f.Kind == KindIP && f.prefix.IsSingleIP():
		removeFrom(t.ips, f.prefix.Addr(), in)
	case f.Kind == KindIP:
		removeFrom(t.prefixes, f.prefix, in)
		if b := bitsKey(f.prefix); t.bits[b] <= 1 {
			delete(t.bits, b)
		} else {
			t.bits[b]--
		}
	default:
		removeFrom(t.byKey[f.Kind], f.key, in)
		if f.Kind == KindURL {
			h := fastHost(f.key)
			if t.urlHosts[h]--; t.urlHosts[h] <= 0 {
				delete(t.urlHosts, h)
			}
		}
	}
}

func bitsKey(p netip.Prefix) int {
	if p.Addr().Is4() {
		return p.Bits()
	}
	return ipv6Bits + p.Bits()
}

// removeFrom stores under k a copy of m[k] without in, or deletes k when nothing is left.
func removeFrom[K comparable](m map[K][]*Indicator, k K, in *Indicator) {
	var out []*Indicator
	for _, x := range m[k] {
		if x != in {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		delete(m, k)
		return
	}
	m[k] = out
}

// lookupIP appends to out every indicator naming a or a block holding it.
func (t *tenantIndex) lookupIP(a netip.Addr, out []*Indicator) []*Indicator {
	out = append(out, t.ips[a]...)
	bits := t.v6Bits
	if a.Is4() {
		bits = t.v4Bits
	}
	for _, b := range bits {
		if p, err := a.Prefix(b); err == nil {
			out = append(out, t.prefixes[p]...)
		}
	}
	return out
}

// lookupDomain appends to out every indicator naming d or a domain d is a subdomain of.
func (t *tenantIndex) lookupDomain(d string, out []*Indicator) []*Indicator {
	m := t.byKey[KindDomain]
	if len(m) == 0 {
		return out
	}
	for {
		out = append(out, m[d]...)
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return out
		}
		d = d[i+1:]
	}
}

// lookupKey appends to out every indicator of kind filed under the normalized key k.
func (t *tenantIndex) lookupKey(kind Kind, k string, out []*Indicator) []*Indicator {
	return append(out, t.byKey[kind][k]...)
}

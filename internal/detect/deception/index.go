package deception

import (
	"net/netip"
	"strings"
)

// index is an immutable set of decoys by tenant.
type index struct {
	version int64
	tenants map[string]*tenantDecoys
}

// tenantDecoys is one tenant's decoys, filed per kind.
type tenantDecoys struct {
	accounts  map[string]*Decoy // by bare account name
	hosts     map[string]*Decoy // by short host name
	fileNames map[string]*Decoy // by lower-case file name
	filePaths []pathDecoy       // paths, a match when equal or a parent
	creds     tokenSet          // honeytokens, matched as substrings
	ips       map[netip.Addr]*Decoy
	mailboxes map[string]*Decoy // by lower-case address
	count     map[Kind]int
}

type pathDecoy struct {
	path string // normPath form
	d    *Decoy
}

// kindOps files decoys of a kind and finds them in a column value.
type kindOps struct {
	add   func(t *tenantDecoys, d *Decoy)
	match func(t *tenantDecoys, v string, out []*Decoy) []*Decoy
}

// matchers are the operations of each decoy kind.
var matchers = map[Kind]kindOps{
	KindAccount: {
		add:   func(t *tenantDecoys, d *Decoy) { putKey(t.accounts, bareAccount(d.Value), d) },
		match: func(t *tenantDecoys, v string, out []*Decoy) []*Decoy { return getKey(t.accounts, bareAccount(v), out) },
	},
	KindHost: {
		add:   func(t *tenantDecoys, d *Decoy) { putKey(t.hosts, shortHost(d.Value), d) },
		match: func(t *tenantDecoys, v string, out []*Decoy) []*Decoy { return getKey(t.hosts, shortHost(v), out) },
	},
	KindMailbox: {
		add: func(t *tenantDecoys, d *Decoy) { putKey(t.mailboxes, strings.ToLower(strings.TrimSpace(d.Value)), d) },
		match: func(t *tenantDecoys, v string, out []*Decoy) []*Decoy {
			return getKey(t.mailboxes, strings.ToLower(strings.TrimSpace(v)), out)
		},
	},
	KindIP: {
		add: func(t *tenantDecoys, d *Decoy) {
			if a, ok := parseIP(d.Value); ok {
				t.ips[a] = d
			}
		},
		match: func(t *tenantDecoys, v string, out []*Decoy) []*Decoy {
			if a, ok := parseIP(v); ok && t.ips[a] != nil {
				out = append(out, t.ips[a])
			}
			return out
		},
	},
	KindFile:       {add: addFile, match: matchFile},
	KindCredential: {add: func(t *tenantDecoys, d *Decoy) { t.creds.add(d) }, match: func(t *tenantDecoys, v string, out []*Decoy) []*Decoy { return t.creds.match(v, out) }},
}

func putKey(m map[string]*Decoy, k string, d *Decoy) {
	if k != "" {
		m[k] = d
	}
}

func getKey(m map[string]*Decoy, k string, out []*Decoy) []*Decoy {
	if d := m[k]; d != nil && k != "" {
		out = append(out, d)
	}
	return out
}

// addFile files a path decoy (holding a separator) by path and a bare name by name.
func addFile(t *tenantDecoys, d *Decoy) {
	p := strings.TrimRight(normPath(d.Value), "/")
	if p == "" {
		return
	}
	if strings.Contains(p, "/") {
		t.filePaths = append(t.filePaths, pathDecoy{path: p, d: d})
		return
	}
	t.fileNames[p] = d
}

// matchFile finds file decoys named by v: its last path element is a decoy name, or v is a
// decoy path or lies under one. Paths compare ignoring case, with \ and / alike.
func matchFile(t *tenantDecoys, v string, out []*Decoy) []*Decoy {
	v = strings.TrimRight(strings.TrimSpace(v), `/\`)
	if len(t.fileNames) > 0 {
		base := v[strings.LastIndexAny(v, `/\`)+1:]
		out = getKey(t.fileNames, strings.ToLower(base), out)
	}
	for _, fp := range t.filePaths {
		if len(v) >= len(fp.path) && pathFold(v[:len(fp.path)], fp.path) && (len(v) == len(fp.path) || isSep(v[len(fp.path)])) {
			out = append(out, fp.d)
		}
	}
	return out
}

func isSep(c byte) bool { return c == '/' || c == '\\' }

// pathFold reports whether path a equals p (in normPath form) ignoring ASCII case and
// separator style, without allocating.
func pathFold(a, p string) bool {
	if len(a) != len(p) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case c == '\\':
			c = '/'
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// newIndex files decoys by tenant; decoys of unknown kinds are left out.
func newIndex(ds []Decoy, version int64) *index {
	x := &index{version: version, tenants: map[string]*tenantDecoys{}}
	for i := range ds {
		d := &ds[i]
		ops, ok := matchers[d.Kind]
		if !ok || strings.TrimSpace(d.Value) == "" {
			continue
		}
		t := x.tenants[d.Tenant]
		if t == nil {
			t = &tenantDecoys{accounts: map[string]*Decoy{}, hosts: map[string]*Decoy{}, fileNames: map[string]*Decoy{},
				ips: map[netip.Addr]*Decoy{}, mailboxes: map[string]*Decoy{}, count: map[Kind]int{}}
			x.tenants[d.Tenant] = t
		}
		ops.add(t, d)
		t.count[d.Kind]++
	}
	return x
}

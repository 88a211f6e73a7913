package ti

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// TestIndexVersions applies versions of one indicator in turn: a newer version (by Modified,
// then by storage time) replaces the observables, an older one is ignored, the same version adds.
func TestIndexVersions(t *testing.T) {
	jan, feb := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	v := func(value string, modified, updated time.Time, edit ...func(*Indicator)) Indicator {
		return ind("x", KindIP, value, append([]func(*Indicator){func(in *Indicator) { in.Modified, in.Updated = modified, updated }}, edit...)...)
	}
	steps := []struct {
		name string
		add  Indicator
		want []string // the addresses x matches afterwards
	}{
		{"first", v("192.0.2.1", jan, jan), []string{"192.0.2.1"}},
		{"newer modified replaces", v("192.0.2.2", feb, jan), []string{"192.0.2.2"}},
		{"older modified is ignored though stored later", v("192.0.2.3", jan, feb), []string{"192.0.2.2"}},
		{"same version adds", v("192.0.2.4", feb, jan), []string{"192.0.2.2", "192.0.2.4"}},
		{"same modified, stored later, replaces", v("192.0.2.5", feb, feb), []string{"192.0.2.5"}},
		{"revoked newer version silences", v("192.0.2.5", feb, feb.Add(time.Hour), func(in *Indicator) { in.Revoked = true }), nil},
	}
	x := NewIndex(nil)
	for _, st := range steps {
		x = x.With([]Indicator{st.add})
		var got []string
		for _, a := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"} {
			if ti := x.tenants["t1"]; ti != nil && len(ti.lookupIP(netip.MustParseAddr(a), nil)) > 0 {
				got = append(got, a)
			}
		}
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: matches %v, want %v", st.name, got, st.want)
		}
	}
}

// TestIndexSharesUntouchedTenants checks copy-on-write: adding to one tenant keeps the other
// tenants' indexes and leaves the old index unchanged.
func TestIndexSharesUntouchedTenants(t *testing.T) {
	a := NewIndex([]Indicator{ind("a", KindIP, "192.0.2.1"), ind("b", KindIP, "192.0.2.2", func(in *Indicator) { in.Tenant = "t2" })})
	b := a.With([]Indicator{ind("c", KindDomain, "c.example")})
	if a.tenants["t2"] != b.tenants["t2"] || a.tenants["t1"] == b.tenants["t1"] {
		t.Error("copy-on-write shares the wrong tenants")
	}
	if a.Len("t1") != 1 || b.Len("t1") != 2 || b.Len("t2") != 1 || b.Len("t3") != 0 {
		t.Errorf("lens %d %d %d", a.Len("t1"), b.Len("t1"), b.Len("t2"))
	}
}

func TestParseBundleModified(t *testing.T) {
	p, err := ParseBundle([]byte(`{"type":"indicator","id":"indicator--1","created":"2025-01-01T00:00:00Z","modified":"2025-03-01T00:00:00.5Z","pattern":"[ipv4-addr:value = '192.0.2.1']","valid_from":"2025-01-01T00:00:00Z"}`), "t1", importTime)
	if err != nil || len(p.Indicators) != 1 || !p.Indicators[0].Modified.Equal(time.Date(2025, 3, 1, 0, 0, 0, 5e8, time.UTC)) {
		t.Fatalf("%+v %v", p, err)
	}
	p, _ = ParseBundle([]byte(`{"type":"indicator","id":"indicator--1","modified":"March","pattern":"[ipv4-addr:value = '192.0.2.1']","valid_from":"2025-01-01T00:00:00Z"}`), "t1", importTime)
	if len(p.Errors) != 1 || p.Errors[0].Reason != `modified: "March" is not an RFC 3339 timestamp` {
		t.Errorf("errors %v", p.Errors)
	}
}

// TestIndexImmutable checks that updates never show through an index already published:
// adding to a key and replacing a CIDR block leave the older index as it was.
func TestIndexImmutable(t *testing.T) {
	a := NewIndex([]Indicator{ind("a", KindIP, "192.0.2.1"), ind("net", KindIP, "198.51.100.0/24", func(in *Indicator) { in.Updated = t2025 })})
	b := a.With([]Indicator{ind("b", KindIP, "192.0.2.1"), ind("net", KindIP, "203.0.113.0/24", func(in *Indicator) { in.Updated = t2027 })})
	ip, inNet, inNew := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("203.0.113.7")
	counts := func(x *Index) []int {
		ti := x.tenants["t1"]
		return []int{len(ti.lookupIP(ip, nil)), len(ti.lookupIP(inNet, nil)), len(ti.lookupIP(inNew, nil)), len(ti.v4Bits)}
	}
	if got := counts(a); !reflect.DeepEqual(got, []int{1, 1, 0, 1}) {
		t.Errorf("old index %v", got)
	}
	if got := counts(b); !reflect.DeepEqual(got, []int{2, 0, 1, 1}) {
		t.Errorf("new index %v", got)
	}
	c := b.With([]Indicator{ind("net", KindIP, "203.0.113.0/24", func(in *Indicator) { in.Updated = t2027.Add(time.Hour); in.Revoked = true })})
	if got := counts(c); !reflect.DeepEqual(got, []int{2, 0, 0, 0}) || c.Len("t1") != 2 {
		t.Errorf("after revoking the block %v, len %d", got, c.Len("t1"))
	}
}

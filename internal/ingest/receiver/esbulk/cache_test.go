package esbulk

import (
	"errors"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// TestRegistryCache checks that a value is built once per registry, also when requests race,
// that a build error is kept like a value, and that the normalizers of _bulk routing are the
// same across requests.
func TestRegistryCache(t *testing.T) {
	var mu sync.Mutex
	builds := map[*schema.Registry]int{}
	bad := schema.NewRegistry()
	c := registryCache[int]{build: func(reg *schema.Registry) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		builds[reg]++
		if reg == bad {
			return 0, errors.New("no tables")
		}
		return len(builds), nil
	}}
	reg := schema.NewRegistry()
	var wg sync.WaitGroup
	got := make([]*built[int], 8)
	for i := range got {
		wg.Go(func() { got[i] = c.get(reg) })
	}
	wg.Wait()
	for i, b := range got {
		if b != got[0] || b.err != nil {
			t.Fatalf("get %d: %p %+v, want the first answer %p", i, b, b, got[0])
		}
	}
	if b := c.get(bad); b.err == nil || b.err.Error() != "no tables" || c.get(bad) != b {
		t.Fatalf("bad registry: %+v, want the build error, kept", b)
	}
	if builds[bad] != 1 {
		t.Errorf("bad registry built %d times, want 1", builds[bad])
	}

	shared := schema.NewRegistry()
	n1, n2 := netNormalizers.get(shared), netNormalizers.get(shared)
	w1, w2 := winMappers.get(shared), winMappers.get(shared)
	if n1.err != nil || w1.err != nil || n1 != n2 || w1 != w2 || n1.v == nil || w1.v == nil {
		t.Fatalf("normalizers: %+v %+v, %+v %+v; want one built normalizer and mapper", n1, n2, w1, w2)
	}
	if first, second := routeSensor(t, shared), routeSensor(t, shared); first != second {
		t.Error("two _bulk requests built two network sensor normalizers")
	}
}

// routeSensor routes a Suricata document and returns the normalizer the request used.
func routeSensor(t *testing.T, reg *schema.Registry) *built[*normalize.Normalizer] {
	t.Helper()
	r := router{reg: reg, byName: map[string]*Batch{}, tables: map[string]*schema.Table{}}
	it := Item{Source: []byte(`{"event_type":"dns","timestamp":"2024-01-01T00:00:00Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","dns":{"type":"query","rrname":"x.test"}}`)}
	if _, ok := r.sensor(0, &it, Outcome{}); !ok {
		t.Fatal("a Suricata document was not routed as one")
	}
	return r.net
}

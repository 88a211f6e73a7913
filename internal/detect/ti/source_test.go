package ti

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// TestStoreSource writes indicator rows to a real DuckDB store and loads them back, paging.
func TestStoreSource(t *testing.T) {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "events.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := testRegistry()
	legacy, _ := reg.Table(TableLegacy)
	stix, _ := reg.Table(TableSTIX)
	if err := st.EnsureTables(ctx, []*schema.Table{legacy, stix}); err != nil {
		t.Fatal(err)
	}
	p, err := ParseBundle([]byte(testBundle), "t1", importTime)
	if err != nil {
		t.Fatal(err)
	}
	old := p.Indicators[2]
	old.Tenant, old.Updated = "t2", importTime.Add(-48*time.Hour)
	trs, err := Rows(reg, append(p.Indicators, old))
	if err != nil {
		t.Fatal(err)
	}
	var batches []store.Batch
	for i, tr := range trs {
		for j, row := range tr.Rows {
			tenant := "t1"
			if j == len(tr.Rows)-1 {
				tenant = "t2"
			}
			batches = append(batches, store.Batch{Seq: uint64(10*i + j + 1), Tenant: tenant, Table: tr.Table, IngestTime: importTime,
				Columns: allColumns(len(tr.Table.Columns) - 2), Rows: [][]schema.Value{row[:len(tr.Table.Columns)-2]}})
		}
	}
	if err := st.Write(ctx, "test", 100, batches); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		page  int
		since time.Time
		want  int
	}{
		{"all, one page", 0, time.Time{}, 8},
		{"all, paged", 2, time.Time{}, 8},
		{"since", 3, importTime.Add(-time.Hour), 6},
	} {
		src := &StoreSource{Store: st, PageRows: tc.page}
		ins, err := src.Load(ctx, tc.since)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(ins) != tc.want {
			t.Errorf("%s: %d indicators, want %d", tc.name, len(ins), tc.want)
		}
		m := newTestMatcher(t, nil)
		m.Add(ins)
		if m.Index().Len("t1") != 2 {
			t.Errorf("%s: t1 has %d observables, want 2", tc.name, m.Index().Len("t1"))
		}
	}
	ins, _ := (&StoreSource{Store: st}).Load(ctx, time.Time{})
	if ins[0].ID != "indicator--c2" || ins[0].Source != "ACME CERT" || ins[0].Confidence != 90 || !ins[0].ValidUntil.Equal(p.Indicators[0].ValidUntil) || !ins[0].Updated.Equal(importTime) {
		t.Errorf("first indicator %+v", ins[0])
	}
}

func allColumns(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

package ti

import (
	"sort"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

func testRegistry() *schema.Registry { return schema.NewRegistry() }

// batchOf builds a batch of table whose columns are the keys the rows use.
func batchOf(t testing.TB, reg *schema.Registry, tenant, table string, seq uint64, rows ...map[string]any) *stream.Batch {
	t.Helper()
	tab, ok := reg.Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	names := map[string]bool{}
	for _, r := range rows {
		for k := range r {
			names[k] = true
		}
	}
	var cols []schema.Column
	for n := range names {
		i, ok := tab.Column(n)
		if !ok {
			t.Fatalf("no column %s.%s", table, n)
		}
		cols = append(cols, tab.Columns[i])
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
	b := &stream.Batch{Tenant: tenant, Table: tab.Name, Seq: seq, IngestTime: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Columns: cols}
	for _, r := range rows {
		row := make([]schema.Value, len(cols))
		for i, c := range cols {
			row[i] = r[c.Name]
		}
		b.Rows = append(b.Rows, row)
	}
	return b
}

// detect runs d on b and returns the alerts.
func detect(t testing.TB, d stream.Detector, b *stream.Batch) []alert.Alert {
	t.Helper()
	var out []alert.Alert
	if err := d.Detect(b, func(a alert.Alert) { out = append(out, a) }); err != nil {
		t.Fatal(err)
	}
	return out
}

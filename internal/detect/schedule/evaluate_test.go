package schedule

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// TestEvaluateDiscovers runs rules whose evaluate bag_unpack and pivot take their columns
// from the data on a DuckDB store: the columns come from the window's rows only, not from
// another tenant's nor from rows outside the window.
func TestEvaluateDiscovers(t *testing.T) {
	if testing.Short() {
		t.Skip("needs DuckDB")
	}
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "events.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reg := schema.NewRegistry()
	tab, _ := reg.Table("SigninLogs")
	cols := []string{"TenantId", "TimeGenerated", "UserPrincipalName", "Location", "LocationDetails"}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i], _ = tab.Column(c)
	}
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	batch := func(seq uint64, tenant string, rows ...[]schema.Value) store.Batch {
		return store.Batch{Seq: seq, Tenant: tenant, Table: tab, IngestTime: at("2024-01-09T00:00:00Z"), Columns: idx, Rows: rows}
	}
	batches := []store.Batch{
		batch(1, "t1",
			[]schema.Value{"t1", at("2024-01-09T10:00:00Z"), "ann@contoso.com", "US", schema.Dynamic(`{"city":"Seattle","state":"WA"}`)},
			[]schema.Value{"t1", at("2024-01-09T11:00:00Z"), "bob@contoso.com", "FR", schema.Dynamic(`{"city":"Paris"}`)},
			[]schema.Value{"t1", at("2024-01-01T11:00:00Z"), "old@contoso.com", "NO", schema.Dynamic(`{"city":"Oslo","old":true}`)}),
		batch(2, "t2",
			[]schema.Value{"t2", at("2024-01-09T10:00:00Z"), "eve@other.com", "ZZ", schema.Dynamic(`{"city":"Elsewhere","leak":"x"}`)}),
	}
	if err := st.EnsureTables(ctx, []*schema.Table{tab}); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "schedule-test", 2, batches); err != nil {
		t.Fatal(err)
	}
	k := KQL{Registry: reg, Store: st}
	w := Window{Tenant: "t1", From: at("2024-01-09T00:00:00Z"), To: at("2024-01-10T00:00:00Z"), Now: at("2024-01-10T00:00:00Z")}
	for _, c := range []struct {
		query string
		cols  []string
		rows  int
	}{
		{"SigninLogs | project UserPrincipalName, LocationDetails | evaluate bag_unpack(LocationDetails)", []string{"UserPrincipalName", "city", "state"}, 2},
		{"SigninLogs | project UserPrincipalName, Location | evaluate pivot(Location)", []string{"UserPrincipalName", "FR", "US"}, 2},
	} {
		t.Run(c.query, func(t *testing.T) {
			res, err := k.Evaluate(ctx, &rule.Rule{ID: "r", Query: c.query}, w)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, col := range res.Columns {
				got = append(got, col.Name)
			}
			if !slices.Equal(got, c.cols) || len(res.Rows) != c.rows {
				t.Errorf("columns %v with %d rows, want %v with %d", got, len(res.Rows), c.cols, c.rows)
			}
		})
	}
}

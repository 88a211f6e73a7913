package duckdb

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// TestValueRoundTrip writes a value of every Kusto type and reads it back as Kusto renders it;
// dynamic values must be stored as JSON documents, not as JSON strings holding the text.
func TestValueRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "rt.duckdb"), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tab, err := schema.NewTable("All_CL", schema.KindCustom, []schema.ColumnDef{
		{Name: "S", Type: "string"}, {Name: "L", Type: "long"}, {Name: "I", Type: "int"}, {Name: "R", Type: "real"},
		{Name: "B", Type: "bool"}, {Name: "D", Type: "dynamic"}, {Name: "G", Type: "guid"}, {Name: "T", Type: "timespan"},
		{Name: "Dec", Type: "decimal"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureTables(ctx, []*schema.Table{tab}); err != nil {
		t.Fatal(err)
	}
	g, _ := schema.ParseGUID("6f9619ff-8b86-d011-b42d-00c04fc964ff")
	when := time.Date(2024, 5, 1, 10, 0, 0, 123456000, time.UTC)
	cols := []string{"S", "L", "I", "R", "B", "D", "G", "T", "Dec", "TimeGenerated"}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i], _ = tab.Column(c)
	}
	row := []schema.Value{"héllo", int64(math.MinInt64), int32(-7), 2.5, true, schema.Dynamic(`{"a":[1,"x"],"b":{"c":null}}`), g,
		-(26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond), schema.Decimal("-12.500000000"), when}
	b := store.Batch{Seq: 1, Tenant: "t1", Table: tab, IngestTime: when, Columns: idx, Rows: [][]schema.Value{row, make([]schema.Value, len(cols))}}
	b.Rows[1][len(cols)-1] = when
	if err := st.Write(ctx, "c", 1, []store.Batch{b}); err != nil {
		t.Fatal(err)
	}
	res, err := st.Query(ctx, `SELECT S, L, I, R, B, D, json_extract(D, '$.a[1]') AS X, G, T, Dec, TimeGenerated, TenantId, _IngestId FROM All_CL ORDER BY _IngestId`, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"héllo", int64(math.MinInt64), int32(-7), 2.5, true, map[string]any{"a": []any{int64(1), "x"}, "b": map[string]any{"c": nil}}, "x",
		"6f9619ff-8b86-d011-b42d-00c04fc964ff", "-1.02:03:04.5000000", "-12.5", "2024-05-01T10:00:00.123456Z", "t1", int64(1 << schema.IngestIDRowBits)}
	for i, w := range want {
		if got := res.Rows[0][i]; fmtAny(got) != fmtAny(w) {
			t.Errorf("%s = %#v, want %#v", res.Columns[i].Name, got, w)
		}
	}
	wantTypes := []string{"string", "long", "int", "real", "bool", "dynamic", "dynamic", "guid", "timespan", "decimal", "datetime", "string", "long"}
	for i, w := range wantTypes {
		if res.Columns[i].Type != w {
			t.Errorf("column %s type %s, want %s", res.Columns[i].Name, res.Columns[i].Type, w)
		}
	}
	for i := range 10 {
		if res.Rows[1][i] != nil {
			t.Errorf("null row: %s = %#v", res.Columns[i].Name, res.Rows[1][i])
		}
	}
	if off, err := st.Offset(ctx, "c"); err != nil || off != 1 {
		t.Errorf("offset = %d, %v", off, err)
	}
}

func fmtAny(v any) string { return fmt.Sprintf("%T %v", v, v) }

// TestCheckpointThreshold checks that Open applies the checkpoint threshold, its default included.
func TestCheckpointThreshold(t *testing.T) {
	for _, tc := range []struct{ opt, want string }{{"", "244.1 MiB"}, {"64MB", "61.0 MiB"}} {
		st, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.duckdb"), Options{CheckpointThreshold: tc.opt})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := st.db.QueryRow(`SELECT current_setting('checkpoint_threshold')`).Scan(&got); err != nil || got != tc.want {
			t.Errorf("CheckpointThreshold %q: setting = %q (%v), want %q", tc.opt, got, err, tc.want)
		}
		_ = st.Close()
	}
}

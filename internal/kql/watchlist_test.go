package kql_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
)

// TestWatchlistScope runs _GetWatchlist() on the fixture under the restrictions the server
// puts on queries: a time range and an ingest window (which watchlists ignore, as Sentinel's
// do, so a scheduled rule with a one-hour lookback still sees every item), tenant scope
// (which they keep) and a table the caller may not read.
func TestWatchlistScope(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	src := `_GetWatchlist('HighValueAssets') | project SearchKey, Owner | order by SearchKey asc`
	for _, tc := range []struct {
		name string
		opts kql.Options
		want string
	}{
		{"no restriction", kql.Options{Tenant: "t1"}, `[["srv1","svc_backup"],["ws1","alice"]]`},
		{"time range of an hour", kql.Options{Tenant: "t1", From: goldenNow.Add(-time.Hour), To: goldenNow}, `[["srv1","svc_backup"],["ws1","alice"]]`},
		{"ingest window", kql.Options{Tenant: "t1", IngestAfter: 1000, IngestThrough: 1001}, `[["srv1","svc_backup"],["ws1","alice"]]`},
		{"other tenant", kql.Options{Tenant: "t2"}, `[["other","mallory"]]`},
		{"both tenants", kql.Options{Tenants: []string{"t1", "t2"}}, `[["other","mallory"],["srv1","svc_backup"],["ws1","alice"]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Now, tc.opts.Watchlists = goldenNow, goldenWatchlists
			q, diags := kql.Compile(src, reg, tc.opts)
			if q == nil {
				t.Fatalf("diagnostics: %v", diags)
			}
			res, err := st.Query(context.Background(), q.SQL, 100)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(res.Rows)
			if string(b) != tc.want {
				t.Errorf("rows = %s, want %s", b, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		opts kql.Options
		want string
	}{
		{"no watchlists given", kql.Options{Tenant: "t1"}, "_GetWatchlist() needs the watchlists of a tenant; none are available here"},
		{"table denied", kql.Options{Tenant: "t1", Watchlists: goldenWatchlists,
			TableAllowed: func(string) (bool, string) { return false, "needs data:read" }}, "_GetWatchlist() reads table Watchlist, which needs data:read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, diags := kql.Compile(src, reg, tc.opts)
			if q != nil || len(diags) != 1 || diags[0].Message != tc.want || diags[0].Span.Start != 0 || !strings.HasPrefix(src[diags[0].Span.Start:diags[0].Span.End], "_GetWatchlist") {
				t.Errorf("diagnostics = %+v, want one error %q at the call", diags, tc.want)
			}
		})
	}
}

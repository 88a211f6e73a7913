package watchlist

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// fakeLister is a Lister over fixed definitions that counts its reads.
type fakeLister struct {
	byTenant map[string][]meta.Watchlist
	reads    int
	err      error
}

func (f *fakeLister) Watchlists(_ context.Context, tenant string) ([]meta.Watchlist, error) {
	f.reads++
	return f.byTenant[tenant], f.err
}

func TestResolver(t *testing.T) {
	col := func(name, typ string) meta.WatchlistColumn { return meta.WatchlistColumn{Name: name, Type: typ} }
	l := &fakeLister{byTenant: map[string][]meta.Watchlist{
		"t1": {{Alias: "Assets", Columns: []meta.WatchlistColumn{col("Host", "string"), col("Tier", "long")}}, {Alias: "VIPs", Columns: []meta.WatchlistColumn{col("UPN", "string")}}},
		"t2": {{Alias: "Assets", Columns: []meta.WatchlistColumn{col("Host", "string"), col("Tier", "string"), col("Site", "string")}}},
	}}
	r := NewResolver(context.Background(), l, "t1", "t2")
	if l.reads != 0 {
		t.Fatal("the resolver read before it was asked")
	}
	cols, ok := r.WatchlistColumns("Assets")
	if got := fmt.Sprint(cols); !ok || got != "[{Host string false} {Tier string false} {Site string false}]" {
		t.Errorf("Assets over two tenants = %s %v", got, ok)
	}
	if _, ok := r.WatchlistColumns("assets"); ok {
		t.Error("aliases are matched exactly")
	}
	if got := fmt.Sprint(r.WatchlistAliases()); got != "[Assets VIPs]" || l.reads != 2 {
		t.Errorf("aliases = %s after %d reads, want one read per tenant", got, l.reads)
	}
	if r.Err() != nil {
		t.Error(r.Err())
	}

	failing := NewResolver(context.Background(), &fakeLister{err: errors.New("database is locked")}, "t1")
	q, diags := kql.Compile(`_GetWatchlist('Assets')`, schema.NewRegistry(), kql.Options{Tenant: "t1", Watchlists: failing})
	if q != nil || len(diags) != 1 || diags[0].Message != "cannot read the watchlists: database is locked" {
		t.Errorf("compile with a failing store = %v", diags)
	}
}

func TestRows(t *testing.T) {
	reg := schema.NewRegistry()
	w := meta.Watchlist{Tenant: "t1", Alias: "Assets", ID: "wl-1", Name: "Assets", SearchKey: "Host", CreatedBy: "ann",
		Columns: []meta.WatchlistColumn{{Name: "Host", Type: "string"}}}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	tab, rows, err := Rows(reg, w, []meta.WatchlistItem{{ID: "wi-1", Values: map[string]string{"Host": "ws1"}, CreatedAt: at.Add(-time.Hour)}}, StatusUpdate, "bob", at)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) any {
		i, ok := tab.Column(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		return rows[0][i]
	}
	for _, tc := range []struct {
		col  string
		want any
	}{
		{"TenantId", "t1"}, {"WatchlistAlias", "Assets"}, {"WatchlistItemId", "wi-1"}, {"_DTItemId", "wi-1"}, {"SearchKey", "ws1"},
		{"_DTItemStatus", "Update"}, {"_DTItemType", "watchlist-item"}, {"_DTTimestamp", at}, {"TimeGenerated", at},
		{"CreatedTimeUTC", at.Add(-time.Hour)}, {"WatchlistItem", schema.Dynamic(`{"Host":"ws1"}`)},
		{"CreatedBy", schema.Dynamic(`{"name":"ann"}`)}, {"UpdatedBy", schema.Dynamic(`{"name":"bob"}`)},
	} {
		if got := get(tc.col); got != tc.want {
			t.Errorf("%s = %#v, want %#v", tc.col, got, tc.want)
		}
	}
}

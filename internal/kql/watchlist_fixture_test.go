package kql_test

import (
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
)

// goldenWatchlists are the watchlists the golden cases may name; their items are the
// Watchlist rows of addWatchlistFixture.
var goldenWatchlists = kql.WatchlistMap{
	"HighValueAssets": {{Name: "Hostname", Type: schema.TypeString}, {Name: "Owner", Type: schema.TypeString},
		{Name: "Tier", Type: schema.TypeLong}, {Name: "Since", Type: schema.TypeDatetime}, {Name: "Critical", Type: schema.TypeBool}},
	"VIPUsers": {{Name: "User Principal Name", Type: schema.TypeString}, {Name: "Title", Type: schema.TypeString}},
}

// addWatchlistFixture adds the Watchlist records of the golden data set: items created,
// one updated, one deleted, an older record written after a newer one, and a watchlist of
// the same alias in tenant t2 that no query may see. Every record is months older than the
// golden "now", so _GetWatchlist() proves that watchlists ignore the time range.
func addWatchlistFixture(add func(tenant, table string, cols []string, rows [][]schema.Value)) {
	cols := []string{"TenantId", "TimeGenerated", "WatchlistId", "WatchlistItemId", "WatchlistName", "WatchlistAlias", "LastUpdatedTimeUTC",
		"WatchlistItem", "SearchKey", "_DTTimestamp", "_DTItemId", "_DTItemType", "_DTItemStatus"}
	item := func(tenant, alias, id, status, at, key, bag string) []schema.Value {
		return []schema.Value{tenant, ts(at), "wl-" + alias, id, alias, alias, ts(at), schema.Dynamic(bag), key, ts(at), id, "watchlist-item", status}
	}
	add("t1", "Watchlist", cols, [][]schema.Value{
		item("t1", "HighValueAssets", "i-ws1", "Create", "2023-06-01T00:00:00Z", "ws1",
			`{"Hostname":"ws1","Owner":"alice","Tier":"1","Since":"2023-01-15T00:00:00Z","Critical":"true"}`),
		item("t1", "HighValueAssets", "i-srv1", "Create", "2023-06-01T00:00:00Z", "srv1",
			`{"Hostname":"srv1","Owner":"ops","Tier":"2","Since":"2022-11-01T08:30:00Z","Critical":"false"}`),
		item("t1", "HighValueAssets", "i-srv1", "Update", "2023-07-01T00:00:00Z", "srv1",
			`{"Hostname":"srv1","Owner":"svc_backup","Tier":"1","Since":"2022-11-01T08:30:00Z","Critical":"true"}`),
		item("t1", "HighValueAssets", "i-ws3", "Create", "2023-06-01T00:00:00Z", "ws3",
			`{"Hostname":"ws3","Owner":"carol","Tier":"3","Since":"","Critical":"false"}`),
		item("t1", "HighValueAssets", "i-ws3", "Delete", "2023-08-01T00:00:00Z", "ws3",
			`{"Hostname":"ws3","Owner":"carol","Tier":"3","Since":"","Critical":"false"}`),
		// Written late but older than the update: the latest by _DTTimestamp wins.
		item("t1", "HighValueAssets", "i-srv1", "Update", "2023-06-15T00:00:00Z", "srv1",
			`{"Hostname":"srv1","Owner":"stale","Tier":"9","Since":"","Critical":"false"}`),
		item("t1", "VIPUsers", "i-alice", "Create", "2023-06-01T00:00:00Z", "alice@contoso.com",
			`{"User Principal Name":"alice@contoso.com","Title":"CFO"}`),
	})
	add("t2", "Watchlist", cols, [][]schema.Value{
		item("t2", "HighValueAssets", "i-other", "Create", "2023-06-01T00:00:00Z", "other",
			`{"Hostname":"other","Owner":"mallory","Tier":"1","Since":"","Critical":"true"}`),
	})
}

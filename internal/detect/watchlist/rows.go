package watchlist

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// Table is the event store table that holds watchlist items.
const Table = "Watchlist"

// Statuses of the records of an item, as Sentinel writes them in _DTItemStatus.
const (
	StatusCreate = "Create"
	StatusUpdate = "Update"
	StatusDelete = "Delete"
)

// Rows renders a change of items of w, made at time at by whom, as records of the Watchlist
// table: one per item, with the given status.
func Rows(reg *schema.Registry, w meta.Watchlist, items []meta.WatchlistItem, status, by string, at time.Time) (*schema.Table, [][]schema.Value, error) {
	tab, ok := reg.Table(Table)
	if !ok {
		return nil, nil, fmt.Errorf("watchlist: no table %s in the schema", Table)
	}
	creator, _ := json.Marshal(map[string]string{"name": w.CreatedBy})
	updater, _ := json.Marshal(map[string]string{"name": by})
	rows := make([][]schema.Value, 0, len(items))
	for _, it := range items {
		bag, err := json.Marshal(it.Values)
		if err != nil {
			return nil, nil, err
		}
		row := make([]schema.Value, len(tab.Columns))
		set := func(col string, v schema.Value) {
			if i, ok := tab.Column(col); ok {
				row[i] = v
			}
		}
		created := it.CreatedAt
		if created.IsZero() {
			created = at
		}
		set("TenantId", w.Tenant)
		set("TimeGenerated", at.UTC())
		set("WatchlistId", w.ID)
		set("WatchlistItemId", it.ID)
		set("WatchlistName", w.Name)
		set("WatchlistAlias", w.Alias)
		set("Source", w.Source)
		set("Provider", w.Provider)
		set("CreatedBy", schema.Dynamic(creator))
		set("UpdatedBy", schema.Dynamic(updater))
		set("CreatedTimeUTC", created.UTC())
		set("LastUpdatedTimeUTC", at.UTC())
		set("WatchlistItem", schema.Dynamic(bag))
		set("SearchKey", it.Values[w.SearchKey])
		set("_DTTimestamp", at.UTC())
		set("_DTItemId", it.ID)
		set("_DTItemType", kql.WatchlistItemType)
		set("_DTItemStatus", status)
		set("SourceSystem", "Vigil")
		rows = append(rows, row)
	}
	return tab, rows, nil
}

// Columns is w's columns as the compiler types them.
func Columns(w meta.Watchlist) []schema.Column {
	out := make([]schema.Column, 0, len(w.Columns))
	for _, c := range w.Columns {
		t, err := schema.ParseType(c.Type)
		if err != nil {
			t = schema.TypeString
		}
		out = append(out, schema.Column{Name: c.Name, Type: t})
	}
	return out
}

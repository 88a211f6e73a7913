package meta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestWatchlists(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		def := Watchlist{Tenant: "t1", Alias: "HighValueAssets", Name: "High value assets", SearchKey: "Hostname", CreatedBy: "ann",
			Columns: []WatchlistColumn{{Name: "Hostname", Type: "string"}, {Name: "Tier", Type: "long"}, {Name: "Owner's name", Type: "string"}}}
		w, items, err := s.CreateWatchlist(ctx, def, []WatchlistItem{
			{Values: map[string]string{"Hostname": "ws1", "Tier": "1", "Owner's name": "alice"}},
			{ID: "given", Values: map[string]string{"Hostname": "srv1", "Tier": "2"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(w.ID, "wl-") || w.Items != 2 || len(items) != 2 || !strings.HasPrefix(items[0].ID, "wi-") || items[1].ID != "given" {
			t.Fatalf("created %+v %+v", w, items)
		}
		if _, _, err := s.CreateWatchlist(ctx, def, nil); !errors.Is(err, ErrConflict) {
			t.Errorf("same alias again: %v, want conflict", err)
		}
		other := def
		other.Tenant = "t2"
		if _, _, err := s.CreateWatchlist(ctx, other, nil); err != nil {
			t.Errorf("same alias in another tenant: %v", err)
		}
		w2, up, err := s.PutWatchlistItems(ctx, "t1", "HighValueAssets", []WatchlistItem{
			{ID: "given", Values: map[string]string{"Hostname": "srv1", "Tier": "1"}}, {Values: map[string]string{"Hostname": "db1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if !w2.UpdatedAt.After(w.UpdatedAt) || !up[0].CreatedAt.Equal(w.CreatedAt) || !up[0].UpdatedAt.Equal(w2.UpdatedAt) {
			t.Errorf("put: watchlist %v -> %v, item %+v", w.UpdatedAt, w2.UpdatedAt, up[0])
		}
		if _, _, err := s.PutWatchlistItems(ctx, "t1", "HighValueAssets", []WatchlistItem{{Values: map[string]string{"Nope": "x"}}}); !errors.Is(err, ErrInvalidWatchlist) {
			t.Errorf("item with an unknown column: %v", err)
		}
		_, gone, err := s.DeleteWatchlistItem(ctx, "t1", "HighValueAssets", items[0].ID)
		if err != nil || gone.Values["Owner's name"] != "alice" {
			t.Fatalf("delete item = %+v, %v", gone, err)
		}
		if _, _, err := s.DeleteWatchlistItem(ctx, "t1", "HighValueAssets", items[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete item twice: %v", err)
		}
		cur, err := s.WatchlistItems(ctx, "t1", "HighValueAssets")
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(itemValues(cur)); got != "[given:Hostname=srv1,Tier=1 new:Hostname=db1]" {
			t.Errorf("items = %s", got)
		}
		got, err := s.Watchlist(ctx, "t1", "HighValueAssets")
		if err != nil || got.Items != 2 || got.Columns[2].Name != "Owner's name" || got.SearchKey != "Hostname" || got.CreatedBy != "ann" {
			t.Errorf("get = %+v, %v", got, err)
		}
		if ws, err := s.Watchlists(ctx, "t2"); err != nil || len(ws) != 1 || ws[0].Items != 0 {
			t.Errorf("t2 watchlists = %+v, %v", ws, err)
		}
		_, last, err := s.DeleteWatchlist(ctx, "t1", "HighValueAssets")
		if err != nil || len(last) != 2 {
			t.Fatalf("delete watchlist = %d items, %v", len(last), err)
		}
		if _, err := s.Watchlist(ctx, "t1", "HighValueAssets"); !errors.Is(err, ErrNotFound) {
			t.Errorf("get deleted: %v", err)
		}
		if _, err := s.WatchlistItems(ctx, "t1", "HighValueAssets"); !errors.Is(err, ErrNotFound) {
			t.Errorf("items of deleted: %v", err)
		}
		if _, _, err := s.CreateWatchlist(ctx, def, nil); err != nil {
			t.Errorf("alias reused after delete: %v", err)
		}
		if cur, _ := s.WatchlistItems(ctx, "t1", "HighValueAssets"); len(cur) != 0 {
			t.Errorf("a new watchlist of a reused alias has %d items", len(cur))
		}
	})
}

// itemValues renders items as id:col=value,... with new ids shown as "new".
func itemValues(items []WatchlistItem) []string {
	var out []string
	for _, it := range items {
		id := it.ID
		if strings.HasPrefix(id, "wi-") {
			id = "new"
		}
		var kv []string
		for _, k := range []string{"Hostname", "Tier", "Owner's name"} {
			if v, ok := it.Values[k]; ok {
				kv = append(kv, k+"="+v)
			}
		}
		out = append(out, id+":"+strings.Join(kv, ","))
	}
	return out
}

func TestWatchlistValidate(t *testing.T) {
	ok := Watchlist{Alias: "a", Name: "n", SearchKey: "k", Columns: []WatchlistColumn{{Name: "k", Type: "string"}}}
	for _, tc := range []struct {
		change func(*Watchlist)
		want   string
	}{
		{func(*Watchlist) {}, ""},
		{func(w *Watchlist) { w.Alias = "has space" }, `alias "has space" must be`},
		{func(w *Watchlist) { w.Alias = "" }, `alias "" must be`},
		{func(w *Watchlist) { w.Name = " " }, "name must be 1 to 200 bytes"},
		{func(w *Watchlist) { w.Columns = nil }, "1 to 500 columns, not 0"},
		{func(w *Watchlist) { w.Columns = append(w.Columns, WatchlistColumn{Name: "K", Type: "long"}) }, `column 2: "K" appears twice`},
		{func(w *Watchlist) { w.Columns[0].Type = "text" }, `column "k": type "text" is not one of`},
		{func(w *Watchlist) { w.Columns = append(w.Columns, WatchlistColumn{Name: "searchkey", Type: "string"}) }, `column "searchkey": the name is taken`},
		{func(w *Watchlist) { w.SearchKey = "x" }, `search key "x" is not one of the columns`},
	} {
		w := ok
		w.Columns = append([]WatchlistColumn(nil), ok.Columns...)
		tc.change(&w)
		err := w.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidWatchlist)) {
			t.Errorf("%+v: %v, want %q", w, err, tc.want)
		}
	}
}

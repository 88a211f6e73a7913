package meta

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ErrInvalidWatchlist marks a watchlist or item the store refuses; the message says why.
var ErrInvalidWatchlist = errors.New("invalid watchlist")

// Watchlist is a tenant's named list of items (Sentinel's watchlists): made from a CSV whose
// headers are its columns, queried in KQL with _GetWatchlist(Alias). The items themselves are
// kept apart (WatchlistItem).
type Watchlist struct {
	Tenant      string
	Alias       string // what _GetWatchlist() names; unique in the tenant
	ID          string
	Name        string
	Description string
	Provider    string
	Source      string // where the items came from, such as the CSV's file name
	SearchKey   string // the column whose value is each item's SearchKey
	Columns     []WatchlistColumn
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Items       int // the number of current items, when read back
}

// WatchlistColumn is a column of a watchlist: its name and Kusto type name.
type WatchlistColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// WatchlistItem is one current item: its values by column name, as the CSV wrote them.
type WatchlistItem struct {
	ID        string
	Values    map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Column returns the column named name (exactly), or false.
func (w Watchlist) Column(name string) (WatchlistColumn, bool) {
	for _, c := range w.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return WatchlistColumn{}, false
}

// aliasRE is what an alias may hold: it appears in KQL strings and in URL paths.
var aliasRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// watchlistTypes are the column types a watchlist may declare.
var watchlistTypes = map[string]bool{"string": true, "long": true, "int": true, "real": true, "datetime": true, "bool": true,
	"timespan": true, "guid": true, "dynamic": true, "decimal": true}

// reservedWatchlistColumns are the columns _GetWatchlist() returns besides the watchlist's
// own; a watchlist column may not take their names.
var reservedWatchlistColumns = []string{"_DTItemId", "LastUpdatedTimeUTC", "SearchKey", "WatchlistItem"}

// Validate reports the first problem of w's definition, naming the field.
func (w Watchlist) Validate() error {
	switch {
	case !aliasRE.MatchString(w.Alias):
		return fmt.Errorf("alias %q must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit: %w", w.Alias, ErrInvalidWatchlist)
	case strings.TrimSpace(w.Name) == "" || len(w.Name) > 200:
		return fmt.Errorf("name must be 1 to 200 bytes, not %d: %w", len(w.Name), ErrInvalidWatchlist)
	case len(w.Description) > 4096:
		return fmt.Errorf("description is %d bytes long; at most 4096: %w", len(w.Description), ErrInvalidWatchlist)
	case len(w.Provider) > 200 || len(w.Source) > 400:
		return fmt.Errorf("provider or source is too long (at most 200 and 400 bytes): %w", ErrInvalidWatchlist)
	case len(w.Columns) == 0 || len(w.Columns) > 500:
		return fmt.Errorf("a watchlist has 1 to 500 columns, not %d: %w", len(w.Columns), ErrInvalidWatchlist)
	}
	seen := map[string]bool{}
	for i, c := range w.Columns {
		key := strings.ToLower(c.Name)
		switch {
		case strings.TrimSpace(c.Name) == "" || len(c.Name) > 200:
			return fmt.Errorf("column %d: name must be 1 to 200 bytes and not blank: %w", i+1, ErrInvalidWatchlist)
		case seen[key]:
			return fmt.Errorf("column %d: %q appears twice (names are compared ignoring case): %w", i+1, c.Name, ErrInvalidWatchlist)
		case !watchlistTypes[c.Type]:
			return fmt.Errorf("column %q: type %q is not one of string, long, int, real, datetime, bool, timespan, guid, dynamic, decimal: %w", c.Name, c.Type, ErrInvalidWatchlist)
		}
		for _, r := range reservedWatchlistColumns {
			if strings.EqualFold(r, c.Name) {
				return fmt.Errorf("column %q: the name is taken by a column _GetWatchlist() adds: %w", c.Name, ErrInvalidWatchlist)
			}
		}
		seen[key] = true
	}
	if _, ok := w.Column(w.SearchKey); !ok {
		return fmt.Errorf("search key %q is not one of the columns: %w", w.SearchKey, ErrInvalidWatchlist)
	}
	return nil
}

// ValidateItem reports the first problem of an item of w: a value for a column w lacks.
func (w Watchlist) ValidateItem(it WatchlistItem) error {
	for name, v := range it.Values {
		if _, ok := w.Column(name); !ok {
			return fmt.Errorf("item %s: %q is not a column of watchlist %s: %w", it.ID, name, w.Alias, ErrInvalidWatchlist)
		}
		if len(v) > 64<<10 {
			return fmt.Errorf("item %s: the value of %q is %d bytes long; at most 65536: %w", it.ID, name, len(v), ErrInvalidWatchlist)
		}
	}
	return nil
}

// NewWatchlistItemID returns a new item id.
func NewWatchlistItemID() string { return "wi-" + strings.ToLower(rand.Text()[:20]) }

// CreateWatchlist stores w with a new ID and its items (each given an ID when it has none),
// and returns w as stored. An alias in use in the tenant is an error wrapping ErrConflict.
func (s *Store) CreateWatchlist(ctx context.Context, w Watchlist, items []WatchlistItem) (Watchlist, []WatchlistItem, error) {
	if err := w.Validate(); err != nil {
		return Watchlist{}, nil, fmt.Errorf("create watchlist: %w", err)
	}
	w.ID = "wl-" + strings.ToLower(rand.Text()[:16])
	w.CreatedAt = s.clock()
	w.UpdatedAt = w.CreatedAt
	cols, err := json.Marshal(w.Columns)
	if err != nil {
		return Watchlist{}, nil, err
	}
	err = s.inTx(ctx, func(q querier) error {
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM watchlists WHERE tenant = ? AND alias = ?`, w.Tenant, w.Alias).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("alias %q is in use: %w", w.Alias, ErrConflict)
		}
		_, err := q.exec(ctx, `INSERT INTO watchlists (tenant, alias, id, name, description, provider, source, search_key, column_defs, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.Tenant, w.Alias, w.ID, w.Name, w.Description, w.Provider, w.Source, w.SearchKey,
			string(cols), w.CreatedBy, q.timeArg(w.CreatedAt), q.timeArg(w.UpdatedAt))
		if err != nil {
			return err
		}
		items, err = putItems(ctx, q, w, items, w.CreatedAt)
		return err
	})
	if err != nil {
		return Watchlist{}, nil, fmt.Errorf("create watchlist %s: %w", w.Alias, err)
	}
	w.Items = len(items)
	return w, items, nil
}

// PutWatchlistItems adds the items of tenant's watchlist alias that have no ID or an unknown
// one, and replaces those whose ID it has; it returns the items as stored and the watchlist
// with its new update time.
func (s *Store) PutWatchlistItems(ctx context.Context, tenant, alias string, items []WatchlistItem) (Watchlist, []WatchlistItem, error) {
	var w Watchlist
	err := s.inTx(ctx, func(q querier) error {
		var err error
		if w, err = watchlistIn(ctx, q, tenant, alias); err != nil {
			return err
		}
		w.UpdatedAt = later(s.clock(), w.UpdatedAt)
		if items, err = putItems(ctx, q, w, items, w.UpdatedAt); err != nil {
			return err
		}
		return touchWatchlist(ctx, q, w)
	})
	if err != nil {
		return Watchlist{}, nil, fmt.Errorf("put items of watchlist %s: %w", alias, err)
	}
	return w, items, nil
}

// later is now, or a microsecond after prev when the clock has not passed it: every change
// of a watchlist gets its own time, so that the latest record of an item is unambiguous.
func later(now, prev time.Time) time.Time {
	if !now.After(prev) {
		return prev.Add(time.Microsecond)
	}
	return now
}

func touchWatchlist(ctx context.Context, q querier, w Watchlist) error {
	_, err := q.exec(ctx, `UPDATE watchlists SET updated_at = ? WHERE tenant = ? AND alias = ?`, q.timeArg(w.UpdatedAt), w.Tenant, w.Alias)
	return err
}

// putItems inserts or replaces items of w at time at and returns them as stored.
func putItems(ctx context.Context, q querier, w Watchlist, items []WatchlistItem, at time.Time) ([]WatchlistItem, error) {
	out := make([]WatchlistItem, 0, len(items))
	for _, it := range items {
		if it.ID == "" {
			it.ID = NewWatchlistItemID()
		}
		if err := w.ValidateItem(it); err != nil {
			return nil, err
		}
		if it.Values == nil {
			it.Values = map[string]string{}
		}
		b, err := json.Marshal(it.Values)
		if err != nil {
			return nil, err
		}
		it.UpdatedAt = at
		res, err := q.exec(ctx, `UPDATE watchlist_items SET item = ?, updated_at = ? WHERE tenant = ? AND alias = ? AND id = ?`,
			string(b), q.timeArg(at), w.Tenant, w.Alias, it.ID)
		updated, err := affectedOne(res, err)
		if err != nil {
			return nil, err
		}
		if updated {
			if err := q.queryRow(ctx, `SELECT created_at FROM watchlist_items WHERE tenant = ? AND alias = ? AND id = ?`,
				w.Tenant, w.Alias, it.ID).Scan(timeDest(&it.CreatedAt)); err != nil {
				return nil, err
			}
		} else {
			it.CreatedAt = at
			if _, err := q.exec(ctx, `INSERT INTO watchlist_items (tenant, alias, id, item, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				w.Tenant, w.Alias, it.ID, string(b), q.timeArg(at), q.timeArg(at)); err != nil {
				return nil, err
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// DeleteWatchlistItem removes item id of tenant's watchlist alias and returns it as it was,
// with the watchlist at its new update time.
func (s *Store) DeleteWatchlistItem(ctx context.Context, tenant, alias, id string) (Watchlist, WatchlistItem, error) {
	var w Watchlist
	var it WatchlistItem
	err := s.inTx(ctx, func(q querier) error {
		var err error
		if w, err = watchlistIn(ctx, q, tenant, alias); err != nil {
			return err
		}
		if it, err = scanWatchlistItem(q.queryRow(ctx, `SELECT `+watchlistItemColumns+` FROM watchlist_items WHERE tenant = ? AND alias = ? AND id = ?`,
			tenant, alias, id)); isNoRows(err) {
			return fmt.Errorf("item %s: %w", id, ErrNotFound)
		} else if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `DELETE FROM watchlist_items WHERE tenant = ? AND alias = ? AND id = ?`, tenant, alias, id); err != nil {
			return err
		}
		w.UpdatedAt = later(s.clock(), w.UpdatedAt)
		return touchWatchlist(ctx, q, w)
	})
	if err != nil {
		return Watchlist{}, WatchlistItem{}, fmt.Errorf("delete item of watchlist %s: %w", alias, err)
	}
	return w, it, nil
}

// DeleteWatchlist removes tenant's watchlist alias and its items, and returns them as they
// were (the caller records their deletion) with the time of the deletion in UpdatedAt.
func (s *Store) DeleteWatchlist(ctx context.Context, tenant, alias string) (Watchlist, []WatchlistItem, error) {
	var w Watchlist
	var items []WatchlistItem
	err := s.inTx(ctx, func(q querier) error {
		var err error
		if w, err = watchlistIn(ctx, q, tenant, alias); err != nil {
			return err
		}
		if items, err = collect(ctx, q, scanWatchlistItem, `SELECT `+watchlistItemColumns+` FROM watchlist_items
			WHERE tenant = ? AND alias = ? ORDER BY created_at, id`, tenant, alias); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `DELETE FROM watchlist_items WHERE tenant = ? AND alias = ?`, tenant, alias); err != nil {
			return err
		}
		_, err = q.exec(ctx, `DELETE FROM watchlists WHERE tenant = ? AND alias = ?`, tenant, alias)
		return err
	})
	if err != nil {
		return Watchlist{}, nil, fmt.Errorf("delete watchlist %s: %w", alias, err)
	}
	w.UpdatedAt = later(s.clock(), w.UpdatedAt)
	return w, items, nil
}

const watchlistColumns = `tenant, alias, id, name, description, provider, source, search_key, column_defs, created_by, created_at, updated_at,
	(SELECT COUNT(*) FROM watchlist_items i WHERE i.tenant = w.tenant AND i.alias = w.alias)`

func scanWatchlist(r rowScanner) (Watchlist, error) {
	var w Watchlist
	var cols string
	err := r.Scan(&w.Tenant, &w.Alias, &w.ID, &w.Name, &w.Description, &w.Provider, &w.Source, &w.SearchKey, &cols, &w.CreatedBy,
		timeDest(&w.CreatedAt), timeDest(&w.UpdatedAt), &w.Items)
	if err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(cols), &w.Columns); err != nil {
		return w, fmt.Errorf("watchlist %s: bad column list: %w", w.Alias, err)
	}
	return w, nil
}

const watchlistItemColumns = `id, item, created_at, updated_at`

func scanWatchlistItem(r rowScanner) (WatchlistItem, error) {
	var it WatchlistItem
	var item string
	if err := r.Scan(&it.ID, &item, timeDest(&it.CreatedAt), timeDest(&it.UpdatedAt)); err != nil {
		return it, err
	}
	if err := json.Unmarshal([]byte(item), &it.Values); err != nil {
		return it, fmt.Errorf("watchlist item %s: bad values: %w", it.ID, err)
	}
	return it, nil
}

func watchlistIn(ctx context.Context, q querier, tenant, alias string) (Watchlist, error) {
	w, err := scanWatchlist(q.queryRow(ctx, `SELECT `+watchlistColumns+` FROM watchlists w WHERE tenant = ? AND alias = ?`, tenant, alias))
	if isNoRows(err) {
		return Watchlist{}, fmt.Errorf("watchlist %s: %w", alias, ErrNotFound)
	}
	return w, err
}

// Watchlist returns tenant's watchlist alias, or an error wrapping ErrNotFound.
func (s *Store) Watchlist(ctx context.Context, tenant, alias string) (Watchlist, error) {
	w, err := watchlistIn(ctx, s.querier, tenant, alias)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Watchlist{}, fmt.Errorf("get watchlist %s: %w", alias, err)
	}
	return w, err
}

// Watchlists returns the watchlists of tenant, by alias.
func (s *Store) Watchlists(ctx context.Context, tenant string) ([]Watchlist, error) {
	out, err := collect(ctx, s.querier, scanWatchlist, `SELECT `+watchlistColumns+` FROM watchlists w WHERE tenant = ? ORDER BY alias`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list watchlists: %w", err)
	}
	return out, nil
}

// WatchlistItems returns the current items of tenant's watchlist alias, oldest first; a
// watchlist that does not exist is an error wrapping ErrNotFound.
func (s *Store) WatchlistItems(ctx context.Context, tenant, alias string) ([]WatchlistItem, error) {
	if _, err := s.Watchlist(ctx, tenant, alias); err != nil {
		return nil, err
	}
	out, err := collect(ctx, s.querier, scanWatchlistItem, `SELECT `+watchlistItemColumns+` FROM watchlist_items
		WHERE tenant = ? AND alias = ? ORDER BY created_at, id`, tenant, alias)
	if err != nil {
		return nil, fmt.Errorf("list items of watchlist %s: %w", alias, err)
	}
	return out, nil
}

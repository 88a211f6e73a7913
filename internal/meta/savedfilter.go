package meta

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// SavedFilter is a named incident queue filter saved by a user: private to its owner, or
// shared with the tenant. Query is the queue's URL query string (status=active&severity=high).
type SavedFilter struct {
	Tenant    string
	ID        string
	Name      string
	Query     string
	Shared    bool
	Owner     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate reports the first problem of f's fields, naming the field.
func (f SavedFilter) Validate() error {
	switch {
	case strings.TrimSpace(f.Name) == "":
		return fmt.Errorf("name is empty")
	case len(f.Name) > 200:
		return fmt.Errorf("name is %d bytes long; at most 200", len(f.Name))
	case strings.TrimSpace(f.Query) == "":
		return fmt.Errorf("query is empty")
	case len(f.Query) > 4096:
		return fmt.Errorf("query is %d bytes long; at most 4096", len(f.Query))
	case f.Owner == "":
		return fmt.Errorf("owner is empty")
	}
	if _, err := url.ParseQuery(f.Query); err != nil {
		return fmt.Errorf("query %q is not a URL query string: %w", f.Query, err)
	}
	return nil
}

// nameTaken reports whether owner has another filter (not id) named name, whatever its case.
func nameTaken(ctx context.Context, q querier, f SavedFilter) error {
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM saved_filters WHERE tenant = ? AND owner = ? AND name_key = ? AND id <> ?`,
		f.Tenant, f.Owner, strings.ToLower(f.Name), f.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%s has a filter named %q already: %w", f.Owner, f.Name, ErrConflict)
	}
	return nil
}

// CreateSavedFilter stores f with a new ID and returns it as stored. A filter of the same
// owner and name (compared without case) is an error wrapping ErrConflict.
func (s *Store) CreateSavedFilter(ctx context.Context, f SavedFilter) (SavedFilter, error) {
	if err := f.Validate(); err != nil {
		return SavedFilter{}, fmt.Errorf("create saved filter: %w", err)
	}
	f.ID = "sf-" + strings.ToLower(rand.Text()[:16])
	f.CreatedAt = s.clock()
	f.UpdatedAt = f.CreatedAt
	err := s.inTx(ctx, func(q querier) error {
		if err := nameTaken(ctx, q, f); err != nil {
			return err
		}
		// ON CONFLICT catches a filter of the same name created since the check.
		res, err := q.exec(ctx, `INSERT INTO saved_filters (tenant, id, name, name_key, query, shared, owner, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			f.Tenant, f.ID, f.Name, strings.ToLower(f.Name), f.Query, f.Shared, f.Owner, q.timeArg(f.CreatedAt), q.timeArg(f.UpdatedAt))
		if ok, err := affectedOne(res, err); err != nil || ok {
			return err
		}
		return fmt.Errorf("%s has a filter named %q already: %w", f.Owner, f.Name, ErrConflict)
	})
	if err != nil {
		return SavedFilter{}, fmt.Errorf("create saved filter %q: %w", f.Name, err)
	}
	f.CreatedAt, f.UpdatedAt = dbTime(f.CreatedAt), dbTime(f.UpdatedAt)
	return f, nil
}

// UpdateSavedFilter replaces the name, query and sharing of tenant's saved filter f.ID (the
// owner and creation time stay; f.Owner must be the stored owner for the name check) and
// returns it as stored.
func (s *Store) UpdateSavedFilter(ctx context.Context, f SavedFilter) (SavedFilter, error) {
	if err := f.Validate(); err != nil {
		return SavedFilter{}, fmt.Errorf("update saved filter %s: %w", f.ID, err)
	}
	err := s.inTx(ctx, func(q querier) error {
		var owner string
		err := q.queryRow(ctx, `SELECT owner FROM saved_filters WHERE tenant = ? AND id = ?`, f.Tenant, f.ID).Scan(&owner)
		if isNoRows(err) {
			return fmt.Errorf("saved filter %s: %w", f.ID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		f.Owner = owner
		if err := nameTaken(ctx, q, f); err != nil {
			return err
		}
		_, err = q.exec(ctx, `UPDATE saved_filters SET name = ?, name_key = ?, query = ?, shared = ?, updated_at = ?
			WHERE tenant = ? AND id = ?`, f.Name, strings.ToLower(f.Name), f.Query, f.Shared, q.timeArg(s.clock()), f.Tenant, f.ID)
		return err
	})
	if err != nil {
		return SavedFilter{}, fmt.Errorf("update saved filter %s: %w", f.ID, err)
	}
	return s.SavedFilter(ctx, f.Tenant, f.ID)
}

// DeleteSavedFilter removes tenant's saved filter id.
func (s *Store) DeleteSavedFilter(ctx context.Context, tenant, id string) error {
	res, err := s.exec(ctx, `DELETE FROM saved_filters WHERE tenant = ? AND id = ?`, tenant, id)
	ok, err := affectedOne(res, err)
	if err != nil {
		return fmt.Errorf("delete saved filter %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("saved filter %s: %w", id, ErrNotFound)
	}
	return nil
}

const savedFilterColumns = `tenant, id, name, query, shared, owner, created_at, updated_at`

func scanSavedFilter(r rowScanner) (SavedFilter, error) {
	var f SavedFilter
	err := r.Scan(&f.Tenant, &f.ID, &f.Name, &f.Query, &f.Shared, &f.Owner, timeDest(&f.CreatedAt), timeDest(&f.UpdatedAt))
	return f, err
}

// SavedFilter returns tenant's saved filter id, or an error wrapping ErrNotFound.
func (s *Store) SavedFilter(ctx context.Context, tenant, id string) (SavedFilter, error) {
	f, err := scanSavedFilter(s.queryRow(ctx, `SELECT `+savedFilterColumns+` FROM saved_filters WHERE tenant = ? AND id = ?`, tenant, id))
	if isNoRows(err) {
		return SavedFilter{}, fmt.Errorf("saved filter %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return SavedFilter{}, fmt.Errorf("get saved filter %s: %w", id, err)
	}
	return f, nil
}

// SavedFilters returns the saved filters of tenant that owner sees: its own and the shared
// ones, by name, then owner.
func (s *Store) SavedFilters(ctx context.Context, tenant, owner string) ([]SavedFilter, error) {
	out, err := collect(ctx, s.querier, scanSavedFilter, `SELECT `+savedFilterColumns+` FROM saved_filters
		WHERE tenant = ? AND (owner = ? OR shared) ORDER BY name_key, owner, id`, tenant, owner)
	if err != nil {
		return nil, fmt.Errorf("list saved filters: %w", err)
	}
	return out, nil
}

package meta

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// SavedQuery is a hunting query saved by a user: private to its owner, or shared with the
// tenant.
type SavedQuery struct {
	Tenant      string
	ID          string
	Name        string
	Description string
	Query       string
	Folder      string
	Shared      bool
	Owner       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate reports the first problem of q's fields, naming the field.
func (q SavedQuery) Validate() error {
	switch {
	case strings.TrimSpace(q.Name) == "":
		return fmt.Errorf("name is empty")
	case len(q.Name) > 200:
		return fmt.Errorf("name is %d bytes long; at most 200", len(q.Name))
	case strings.TrimSpace(q.Query) == "":
		return fmt.Errorf("query is empty")
	case len(q.Query) > 64<<10:
		return fmt.Errorf("query is %d bytes long; at most 65536", len(q.Query))
	case len(q.Description) > 4096:
		return fmt.Errorf("description is %d bytes long; at most 4096", len(q.Description))
	case len(q.Folder) > 200:
		return fmt.Errorf("folder is %d bytes long; at most 200", len(q.Folder))
	case q.Owner == "":
		return fmt.Errorf("owner is empty")
	}
	return nil
}

// CreateSavedQuery stores q with a new ID and returns it as stored.
func (s *Store) CreateSavedQuery(ctx context.Context, q SavedQuery) (SavedQuery, error) {
	if err := q.Validate(); err != nil {
		return SavedQuery{}, fmt.Errorf("create saved query: %w", err)
	}
	q.ID = "hq-" + strings.ToLower(rand.Text()[:16])
	q.CreatedAt = s.clock()
	q.UpdatedAt = q.CreatedAt
	_, err := s.exec(ctx, `INSERT INTO saved_queries (tenant, id, name, description, query, folder, shared, owner, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		q.Tenant, q.ID, q.Name, q.Description, q.Query, q.Folder, q.Shared, q.Owner, s.timeArg(q.CreatedAt), s.timeArg(q.UpdatedAt))
	if err != nil {
		return SavedQuery{}, fmt.Errorf("create saved query %q: %w", q.Name, err)
	}
	return q, nil
}

// UpdateSavedQuery replaces the name, description, query, folder and sharing of tenant's
// saved query q.ID (the owner and creation time stay) and returns it as stored.
func (s *Store) UpdateSavedQuery(ctx context.Context, q SavedQuery) (SavedQuery, error) {
	if err := q.Validate(); err != nil {
		return SavedQuery{}, fmt.Errorf("update saved query %s: %w", q.ID, err)
	}
	res, err := s.exec(ctx, `UPDATE saved_queries SET name = ?, description = ?, query = ?, folder = ?, shared = ?, updated_at = ?
		WHERE tenant = ? AND id = ?`, q.Name, q.Description, q.Query, q.Folder, q.Shared, s.timeArg(s.clock()), q.Tenant, q.ID)
	ok, err := affectedOne(res, err)
	if err != nil {
		return SavedQuery{}, fmt.Errorf("update saved query %s: %w", q.ID, err)
	}
	if !ok {
		return SavedQuery{}, fmt.Errorf("saved query %s: %w", q.ID, ErrNotFound)
	}
	return s.SavedQuery(ctx, q.Tenant, q.ID)
}

// DeleteSavedQuery removes tenant's saved query id.
func (s *Store) DeleteSavedQuery(ctx context.Context, tenant, id string) error {
	res, err := s.exec(ctx, `DELETE FROM saved_queries WHERE tenant = ? AND id = ?`, tenant, id)
	ok, err := affectedOne(res, err)
	if err != nil {
		return fmt.Errorf("delete saved query %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("saved query %s: %w", id, ErrNotFound)
	}
	return nil
}

const savedQueryColumns = `tenant, id, name, description, query, folder, shared, owner, created_at, updated_at`

func scanSavedQuery(r rowScanner) (SavedQuery, error) {
	var q SavedQuery
	err := r.Scan(&q.Tenant, &q.ID, &q.Name, &q.Description, &q.Query, &q.Folder, &q.Shared, &q.Owner,
		timeDest(&q.CreatedAt), timeDest(&q.UpdatedAt))
	return q, err
}

// SavedQuery returns tenant's saved query id, or an error wrapping ErrNotFound.
func (s *Store) SavedQuery(ctx context.Context, tenant, id string) (SavedQuery, error) {
	q, err := scanSavedQuery(s.queryRow(ctx, `SELECT `+savedQueryColumns+` FROM saved_queries WHERE tenant = ? AND id = ?`, tenant, id))
	if isNoRows(err) {
		return SavedQuery{}, fmt.Errorf("saved query %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return SavedQuery{}, fmt.Errorf("get saved query %s: %w", id, err)
	}
	return q, nil
}

// SavedQueries returns the saved queries of tenant that owner sees: its own and the shared
// ones, by folder and name.
func (s *Store) SavedQueries(ctx context.Context, tenant, owner string) ([]SavedQuery, error) {
	out, err := collect(ctx, s.querier, scanSavedQuery, `SELECT `+savedQueryColumns+` FROM saved_queries
		WHERE tenant = ? AND (owner = ? OR shared) ORDER BY folder, name, id`, tenant, owner)
	if err != nil {
		return nil, fmt.Errorf("list saved queries: %w", err)
	}
	return out, nil
}

package meta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultTenantID is the ID of the tenant the first migration creates.
const DefaultTenantID = "default"

// Tenant is an organization whose data and users are kept apart from other
// tenants'.
type Tenant struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// EnsureTenant creates the tenant id named name unless a tenant with that ID
// exists; an existing tenant keeps its name. It is idempotent.
func (s *Store) EnsureTenant(ctx context.Context, id, name string) error {
	if id == "" {
		return errors.New("ensure tenant: id is empty")
	}
	_, err := s.exec(ctx, `INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		id, name, s.timeArg(s.clock()))
	if err != nil {
		return fmt.Errorf("ensure tenant %q: %w", id, err)
	}
	return nil
}

// Tenants returns all tenants sorted by ID.
func (s *Store) Tenants(ctx context.Context) ([]Tenant, error) {
	rows, err := s.query(ctx, `SELECT id, name, created_at FROM tenants`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var ts []Tenant
	for rows.Next() {
		var t Tenant
		if err := rows.Scan(&t.ID, &t.Name, timeDest(&t.CreatedAt)); err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	slices.SortFunc(ts, func(a, b Tenant) int { return strings.Compare(a.ID, b.ID) })
	return ts, nil
}

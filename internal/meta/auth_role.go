package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Role is a custom role: a named set of permissions. Built-in roles are not
// stored.
type Role struct {
	ID          string
	Name        string
	Description string
	Permissions []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Grant gives a principal (a user or an API key) a role in a tenant; Tenant
// "*" is every tenant. DeviceGroups, when not empty, restricts the grant to
// the devices of those groups of the tenant (Defender's device-group scope of
// a role assignment).
type Grant struct {
	Role         string   `json:"role"`
	Tenant       string   `json:"tenant"`
	DeviceGroups []string `json:"deviceGroups,omitempty"`
}

// PutRole creates or replaces the custom role r.ID.
func (s *Store) PutRole(ctx context.Context, r Role) error {
	if r.ID == "" || r.Name == "" {
		return errors.New("put role: id and name are required")
	}
	perms, err := json.Marshal(r.Permissions)
	if err != nil {
		return fmt.Errorf("put role: %w", err)
	}
	now := s.timeArg(s.clock())
	_, err = s.exec(ctx, `INSERT INTO roles (id, name, description, permissions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
		permissions = excluded.permissions, updated_at = excluded.updated_at`,
		r.ID, r.Name, r.Description, string(perms), now, now)
	if err != nil {
		return fmt.Errorf("put role %q: %w", r.ID, err)
	}
	return nil
}

// DeleteRole removes the custom role id and every grant of it.
func (s *Store) DeleteRole(ctx context.Context, id string) error {
	return s.inTx(ctx, func(q querier) error {
		res, err := q.exec(ctx, `DELETE FROM roles WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete role %q: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("role %q: %w", id, ErrNotFound)
		}
		_, err = q.exec(ctx, `DELETE FROM role_grants WHERE role_id = ?`, id)
		return err
	})
}

// Roles returns the custom roles sorted by id.
func (s *Store) Roles(ctx context.Context) ([]Role, error) {
	rows, err := s.query(ctx, `SELECT id, name, description, permissions, created_at, updated_at FROM roles`)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	defer rows.Close()
	var rs []Role
	for rows.Next() {
		var r Role
		var perms string
		if err := rows.Scan(&r.ID, &r.Name, &r.Description, &perms, timeDest(&r.CreatedAt), timeDest(&r.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("list roles: %w", err)
		}
		if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
			return nil, fmt.Errorf("role %q: %w", r.ID, err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	slices.SortFunc(rs, func(a, b Role) int { return strings.Compare(a.ID, b.ID) })
	return rs, nil
}

// SetGrants replaces the grants of principal with gs.
func (s *Store) SetGrants(ctx context.Context, principal string, gs []Grant) error {
	return s.inTx(ctx, func(q querier) error {
		if _, err := q.exec(ctx, `DELETE FROM role_grants WHERE principal_id = ?`, principal); err != nil {
			return fmt.Errorf("set grants: %w", err)
		}
		return insertGrants(ctx, q, principal, gs, s.clock())
	})
}

// AddGrants adds gs to the grants of principal; grants it holds already are kept.
func (s *Store) AddGrants(ctx context.Context, principal string, gs []Grant) error {
	return s.inTx(ctx, func(q querier) error { return insertGrants(ctx, q, principal, gs, s.clock()) })
}

func insertGrants(ctx context.Context, q querier, principal string, gs []Grant, now time.Time) error {
	for _, g := range gs {
		if g.Role == "" || g.Tenant == "" {
			return errors.New("grant: role and tenant are required")
		}
		for _, id := range g.DeviceGroups {
			if !DeviceGroupIDValid(id) {
				return fmt.Errorf("grant %s in %s: device group id %q is not valid: %w", g.Role, g.Tenant, id, ErrInvalidDeviceGroup)
			}
		}
		if len(g.DeviceGroups) > 0 && g.Tenant == "*" {
			return fmt.Errorf("grant %s in every tenant: device groups belong to one tenant: %w", g.Role, ErrInvalidDeviceGroup)
		}
		_, err := q.exec(ctx, `INSERT INTO role_grants (principal_id, role_id, tenant, device_groups, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, principal, g.Role, g.Tenant, strings.Join(g.DeviceGroups, ","), q.timeArg(now))
		if err != nil {
			return fmt.Errorf("grant %s in %s: %w", g.Role, g.Tenant, err)
		}
	}
	return nil
}

// Grants returns the grants of principal sorted by tenant, then role.
func (s *Store) Grants(ctx context.Context, principal string) ([]Grant, error) {
	rows, err := s.query(ctx, `SELECT role_id, tenant, device_groups FROM role_grants WHERE principal_id = ?`, principal)
	if err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	defer rows.Close()
	var gs []Grant
	for rows.Next() {
		var g Grant
		var groups string
		if err := rows.Scan(&g.Role, &g.Tenant, &groups); err != nil {
			return nil, fmt.Errorf("list grants: %w", err)
		}
		if groups != "" {
			g.DeviceGroups = strings.Split(groups, ",")
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	slices.SortFunc(gs, func(a, b Grant) int {
		if c := strings.Compare(a.Tenant, b.Tenant); c != 0 {
			return c
		}
		return strings.Compare(a.Role, b.Role)
	})
	return gs, nil
}

// CountGrants returns how many principals hold role in any tenant.
func (s *Store) CountGrants(ctx context.Context, role string) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM role_grants WHERE role_id = ?`, role).Scan(&n); err != nil {
		return 0, fmt.Errorf("count grants: %w", err)
	}
	return n, nil
}

package meta

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

const deviceGroupCols = `tenant, id, name, description, rank, automation_level, rules, created_at, updated_at`

func scanDeviceGroup(sc rowScanner) (DeviceGroup, error) {
	var g DeviceGroup
	var rules string
	err := sc.Scan(&g.Tenant, &g.ID, &g.Name, &g.Description, &g.Rank, &g.AutomationLevel, &rules,
		timeDest(&g.CreatedAt), timeDest(&g.UpdatedAt))
	if err != nil {
		return g, err
	}
	if err := json.Unmarshal([]byte(rules), &g.Rules); err != nil {
		return g, fmt.Errorf("device group %q: rules: %w", g.ID, err)
	}
	return g, nil
}

// CreateDeviceGroup stores g. A Rank of 0 places it after the tenant's other
// groups. A taken id or name (ignoring case) is an error wrapping ErrConflict.
func (s *Store) CreateDeviceGroup(ctx context.Context, g DeviceGroup) (DeviceGroup, error) {
	err := s.inTx(ctx, func(q querier) error {
		if g.Rank == 0 {
			var n int
			if err := q.queryRow(ctx, `SELECT COALESCE(MAX(rank), 0) FROM device_groups WHERE tenant = ?`, g.Tenant).Scan(&n); err != nil {
				return err
			}
			g.Rank = n + 1
		}
		if err := validateDeviceGroup(g); err != nil {
			return err
		}
		rules, err := json.Marshal(g.Rules)
		if err != nil {
			return err
		}
		g.CreatedAt = s.clock()
		g.UpdatedAt = g.CreatedAt
		res, err := q.exec(ctx, `INSERT INTO device_groups (`+deviceGroupCols+`, name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, g.Tenant, g.ID, g.Name, g.Description, g.Rank, g.AutomationLevel, string(rules),
			q.timeArg(g.CreatedAt), q.timeArg(g.UpdatedAt), strings.ToLower(g.Name))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("device group id %q or name %q exists: %w", g.ID, g.Name, ErrConflict)
		}
		return nil
	})
	if err != nil {
		return DeviceGroup{}, fmt.Errorf("create device group: %w", err)
	}
	return g, nil
}

// UpdateDeviceGroup replaces the name, description, rank, automation level
// and rules of the stored group g.Tenant/g.ID.
func (s *Store) UpdateDeviceGroup(ctx context.Context, g DeviceGroup) (DeviceGroup, error) {
	if err := validateDeviceGroup(g); err != nil {
		return DeviceGroup{}, err
	}
	rules, err := json.Marshal(g.Rules)
	if err != nil {
		return DeviceGroup{}, err
	}
	err = s.inTx(ctx, func(q querier) error {
		var other string
		err := q.queryRow(ctx, `SELECT id FROM device_groups WHERE tenant = ? AND name_key = ? AND id <> ?`, g.Tenant, strings.ToLower(g.Name), g.ID).Scan(&other)
		if err == nil {
			return fmt.Errorf("name %q is taken by device group %q: %w", g.Name, other, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := q.exec(ctx, `UPDATE device_groups SET name = ?, name_key = ?, description = ?, rank = ?, automation_level = ?, rules = ?, updated_at = ?
			WHERE tenant = ? AND id = ?`, g.Name, strings.ToLower(g.Name), g.Description, g.Rank, g.AutomationLevel, string(rules),
			q.timeArg(s.clock()), g.Tenant, g.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("device group %q: %w", g.ID, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return DeviceGroup{}, fmt.Errorf("update device group: %w", err)
	}
	return s.DeviceGroup(ctx, g.Tenant, g.ID)
}

// DeleteDeviceGroup removes tenant's group id; its devices fall to the next
// matching group. Grants naming it keep the id and so cover none of its
// former devices (a scope never widens by deletion).
func (s *Store) DeleteDeviceGroup(ctx context.Context, tenant, id string) error {
	res, err := s.exec(ctx, `DELETE FROM device_groups WHERE tenant = ? AND id = ?`, tenant, id)
	if err != nil {
		return fmt.Errorf("delete device group %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("device group %q: %w", id, ErrNotFound)
	}
	return nil
}

// DeviceGroup returns tenant's group id; UngroupedID gives the ungrouped devices.
func (s *Store) DeviceGroup(ctx context.Context, tenant, id string) (DeviceGroup, error) {
	if id == UngroupedID {
		gs, err := s.DeviceGroups(ctx, tenant)
		if err != nil {
			return DeviceGroup{}, err
		}
		return gs[len(gs)-1], nil
	}
	g, err := scanDeviceGroup(s.queryRow(ctx, `SELECT `+deviceGroupCols+` FROM device_groups WHERE tenant = ? AND id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return DeviceGroup{}, fmt.Errorf("device group %q: %w", id, ErrNotFound)
	}
	return g, err
}

// DeviceGroups returns tenant's groups in membership order (rank, then id),
// the ungrouped devices last.
func (s *Store) DeviceGroups(ctx context.Context, tenant string) ([]DeviceGroup, error) {
	gs, err := collect(ctx, s, scanDeviceGroup, `SELECT `+deviceGroupCols+` FROM device_groups WHERE tenant = ?`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list device groups: %w", err)
	}
	slices.SortFunc(gs, func(a, b DeviceGroup) int {
		return cmp.Or(cmp.Compare(a.Rank, b.Rank), strings.Compare(a.ID, b.ID))
	})
	last := 0
	if len(gs) > 0 {
		last = gs[len(gs)-1].Rank
	}
	return append(gs, Ungrouped(tenant, last)), nil
}

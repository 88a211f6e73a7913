package meta

import (
	"context"
	"fmt"
	"time"
)

// AutomationRule is an automation rule as stored: its identity, the fields lists sort and
// filter on, and its full definition as JSON (the respond/automation package's).
type AutomationRule struct {
	Tenant     string
	ID         string
	Name       string
	Order      int
	Enabled    bool
	Definition string // JSON object
	CreatedBy  string
	UpdatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const automationRuleColumns = `tenant, id, name, rule_order, enabled, definition, created_by, updated_by, created_at, updated_at`

func scanAutomationRule(r rowScanner) (AutomationRule, error) {
	var a AutomationRule
	err := r.Scan(&a.Tenant, &a.ID, &a.Name, &a.Order, &a.Enabled, &a.Definition, &a.CreatedBy, &a.UpdatedBy,
		timeDest(&a.CreatedAt), timeDest(&a.UpdatedAt))
	return a, err
}

// CreateAutomationRule stores a new rule, stamping its times. A rule of the same tenant and
// id or name is an error wrapping ErrConflict.
func (s *Store) CreateAutomationRule(ctx context.Context, r AutomationRule) (AutomationRule, error) {
	now := s.clock()
	r.CreatedAt, r.UpdatedAt, r.UpdatedBy = now, now, r.CreatedBy
	err := s.inTx(ctx, func(q querier) error {
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM automation_rules WHERE tenant = ? AND (id = ? OR name = ?)`,
			r.Tenant, r.ID, r.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("automation rule %q exists: %w", r.Name, ErrConflict)
		}
		_, err := q.exec(ctx, `INSERT INTO automation_rules (`+automationRuleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Tenant, r.ID, r.Name, r.Order, r.Enabled, r.Definition, r.CreatedBy, r.UpdatedBy, q.timeArg(now), q.timeArg(now))
		return err
	})
	if err != nil {
		return AutomationRule{}, fmt.Errorf("create automation rule: %w", err)
	}
	return r, nil
}

// UpdateAutomationRule replaces the name, order, enabled flag and definition of a stored
// rule (r.UpdatedBy names who), or returns an error wrapping ErrNotFound, or ErrConflict
// when another rule of the tenant has the new name.
func (s *Store) UpdateAutomationRule(ctx context.Context, r AutomationRule) (AutomationRule, error) {
	var out AutomationRule
	err := s.inTx(ctx, func(q querier) error {
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM automation_rules WHERE tenant = ? AND name = ? AND id <> ?`,
			r.Tenant, r.Name, r.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("automation rule %q exists: %w", r.Name, ErrConflict)
		}
		res, err := q.exec(ctx, `UPDATE automation_rules SET name = ?, rule_order = ?, enabled = ?, definition = ?,
			updated_by = ?, updated_at = ? WHERE tenant = ? AND id = ?`, r.Name, r.Order, r.Enabled, r.Definition,
			r.UpdatedBy, q.timeArg(s.clock()), r.Tenant, r.ID)
		ok, err := affectedOne(res, err)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("automation rule %q: %w", r.ID, ErrNotFound)
		}
		out, err = scanAutomationRule(q.queryRow(ctx, `SELECT `+automationRuleColumns+` FROM automation_rules
			WHERE tenant = ? AND id = ?`, r.Tenant, r.ID))
		return err
	})
	if err != nil {
		return AutomationRule{}, fmt.Errorf("update automation rule: %w", err)
	}
	return out, nil
}

// AutomationRuleByID returns tenant's rule id, or an error wrapping ErrNotFound.
func (s *Store) AutomationRuleByID(ctx context.Context, tenant, id string) (AutomationRule, error) {
	r, err := scanAutomationRule(s.queryRow(ctx, `SELECT `+automationRuleColumns+` FROM automation_rules
		WHERE tenant = ? AND id = ?`, tenant, id))
	if isNoRows(err) {
		return AutomationRule{}, fmt.Errorf("automation rule %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return AutomationRule{}, fmt.Errorf("get automation rule %q: %w", id, err)
	}
	return r, nil
}

// AutomationRules returns the rules of the tenants given, by order, then name.
func (s *Store) AutomationRules(ctx context.Context, tenants ...string) ([]AutomationRule, error) {
	if len(tenants) == 0 {
		return nil, nil
	}
	args := make([]any, len(tenants))
	for i, t := range tenants {
		args[i] = t
	}
	rs, err := collect(ctx, s.querier, scanAutomationRule, `SELECT `+automationRuleColumns+` FROM automation_rules
		WHERE tenant IN (`+placeholders(len(tenants))+`) ORDER BY rule_order, name, tenant`, args...)
	if err != nil {
		return nil, fmt.Errorf("list automation rules: %w", err)
	}
	return rs, nil
}

// DeleteAutomationRule deletes tenant's rule id, or returns an error wrapping ErrNotFound.
func (s *Store) DeleteAutomationRule(ctx context.Context, tenant, id string) error {
	res, err := s.exec(ctx, `DELETE FROM automation_rules WHERE tenant = ? AND id = ?`, tenant, id)
	ok, err := affectedOne(res, err)
	switch {
	case err != nil:
		return fmt.Errorf("delete automation rule %q: %w", id, err)
	case !ok:
		return fmt.Errorf("automation rule %q: %w", id, ErrNotFound)
	}
	return nil
}

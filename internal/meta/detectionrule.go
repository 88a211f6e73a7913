package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StoredRule is a detection rule created through the API: the document as submitted, in its
// format (Sentinel YAML, ARM JSON, Defender custom detection JSON), which the rule package
// parses.
type StoredRule struct {
	Tenant    string
	ID        string
	Format    string
	Document  string
	Version   int
	CreatedBy string
	CreatedAt time.Time
	UpdatedBy string
	UpdatedAt time.Time
}

// PutDetectionRule creates the rule or replaces the one with its tenant and id. ifVersion,
// when not 0, must be the stored version (optimistic concurrency): otherwise the error wraps
// ErrConflict. It returns the rule as stored, with its new version.
func (s *Store) PutDetectionRule(ctx context.Context, r StoredRule, actor string, ifVersion int) (StoredRule, error) {
	if r.Tenant == "" || r.ID == "" {
		return StoredRule{}, errors.New("put detection rule: tenant and id are required")
	}
	now := s.clock()
	err := s.inTx(ctx, func(q querier) error {
		cur, err := scanStoredRule(q.queryRow(ctx, selectStoredRule+` WHERE tenant = ? AND id = ?`, r.Tenant, r.ID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if ifVersion != 0 {
				return fmt.Errorf("rule %s is not stored: %w", r.ID, ErrNotFound)
			}
			r.Version, r.CreatedBy, r.CreatedAt = 1, actor, now
			_, err = q.exec(ctx, `INSERT INTO detection_rules (tenant, id, format, document, version, created_by, created_at, updated_by, updated_at)
				VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)`, r.Tenant, r.ID, r.Format, r.Document, actor, q.timeArg(now), actor, q.timeArg(now))
		case err != nil:
			return err
		case ifVersion != 0 && ifVersion != cur.Version:
			return fmt.Errorf("rule %s is at version %d, not %d: %w", r.ID, cur.Version, ifVersion, ErrConflict)
		default:
			r.Version, r.CreatedBy, r.CreatedAt = cur.Version+1, cur.CreatedBy, cur.CreatedAt
			_, err = q.exec(ctx, `UPDATE detection_rules SET format = ?, document = ?, version = ?, updated_by = ?, updated_at = ?
				WHERE tenant = ? AND id = ?`, r.Format, r.Document, r.Version, actor, q.timeArg(now), r.Tenant, r.ID)
		}
		return err
	})
	if err != nil {
		return StoredRule{}, fmt.Errorf("put detection rule %s: %w", r.ID, err)
	}
	r.UpdatedBy, r.UpdatedAt = actor, dbTime(now)
	r.CreatedAt = dbTime(r.CreatedAt)
	return r, nil
}

const selectStoredRule = `SELECT tenant, id, format, document, version, created_by, created_at, updated_by, updated_at FROM detection_rules`

func scanStoredRule(r rowScanner) (StoredRule, error) {
	var sr StoredRule
	err := r.Scan(&sr.Tenant, &sr.ID, &sr.Format, &sr.Document, &sr.Version, &sr.CreatedBy, timeDest(&sr.CreatedAt), &sr.UpdatedBy, timeDest(&sr.UpdatedAt))
	return sr, err
}

// DetectionRules returns every stored rule of every tenant, by tenant and id.
func (s *Store) DetectionRules(ctx context.Context) ([]StoredRule, error) {
	out, err := collect(ctx, s, scanStoredRule, selectStoredRule+` ORDER BY tenant, id`)
	if err != nil {
		return nil, fmt.Errorf("list detection rules: %w", err)
	}
	return out, nil
}

// DeleteDetectionRule removes a stored rule, its switch and its last run; the error wraps
// ErrNotFound when there is no such rule.
func (s *Store) DeleteDetectionRule(ctx context.Context, tenant, id string) error {
	return s.inTx(ctx, func(q querier) error {
		res, err := q.exec(ctx, `DELETE FROM detection_rules WHERE tenant = ? AND id = ?`, tenant, id)
		if ok, err := affectedOne(res, err); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("detection rule %s: %w", id, ErrNotFound)
			}
			return err
		}
		for _, t := range []string{"detection_rule_switches", "detection_rule_runs"} {
			if _, err := q.exec(ctx, `DELETE FROM `+t+` WHERE tenant = ? AND id = ?`, tenant, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// RuleSwitch turns a rule on or off for one tenant, overriding the rule's own flag.
type RuleSwitch struct {
	Tenant    string
	ID        string
	Enabled   bool
	UpdatedBy string
	UpdatedAt time.Time
}

// SetRuleEnabled records a switch for the rule in tenant.
func (s *Store) SetRuleEnabled(ctx context.Context, tenant, id string, enabled bool, actor string) error {
	_, err := s.exec(ctx, `INSERT INTO detection_rule_switches (tenant, id, enabled, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant, id) DO UPDATE SET enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		tenant, id, enabled, actor, s.timeArg(s.clock()))
	if err != nil {
		return fmt.Errorf("switch rule %s: %w", id, err)
	}
	return nil
}

// RuleSwitches returns every switch.
func (s *Store) RuleSwitches(ctx context.Context) ([]RuleSwitch, error) {
	out, err := collect(ctx, s, func(r rowScanner) (RuleSwitch, error) {
		var w RuleSwitch
		return w, r.Scan(&w.Tenant, &w.ID, &w.Enabled, &w.UpdatedBy, timeDest(&w.UpdatedAt))
	}, `SELECT tenant, id, enabled, updated_by, updated_at FROM detection_rule_switches ORDER BY tenant, id`)
	if err != nil {
		return nil, fmt.Errorf("list rule switches: %w", err)
	}
	return out, nil
}

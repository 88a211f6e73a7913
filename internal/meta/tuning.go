package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TuningRule is an alert tuning rule as stored: its JSON document, owner and hits.
type TuningRule struct {
	Tenant    string
	ID        string
	Document  string
	CreatedBy string
	CreatedAt time.Time
	UpdatedBy string
	UpdatedAt time.Time
	Hits      int64
	LastHitAt time.Time // zero when it never matched
}

// PutTuningRule creates the rule or replaces its document, keeping its owner and hits, and
// reports whether it created it.
func (s *Store) PutTuningRule(ctx context.Context, tenant, id, document, actor string) (created bool, err error) {
	now := s.timeArg(s.clock())
	err = s.inTx(ctx, func(q querier) error {
		res, err := q.exec(ctx, `INSERT INTO alert_tuning_rules (tenant, id, document, created_by, created_at, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING`, tenant, id, document, actor, now, actor, now)
		if created, err = affectedOne(res, err); err != nil || created {
			return err
		}
		_, err = q.exec(ctx, `UPDATE alert_tuning_rules SET document = ?, updated_by = ?, updated_at = ? WHERE tenant = ? AND id = ?`,
			document, actor, now, tenant, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("put tuning rule %s: %w", id, err)
	}
	return created, nil
}

const selectTuningRule = `SELECT tenant, id, document, created_by, created_at, updated_by, updated_at, hits, last_hit_at FROM alert_tuning_rules`

func scanTuningRule(r rowScanner) (TuningRule, error) {
	var t TuningRule
	var last string
	if err := r.Scan(&t.Tenant, &t.ID, &t.Document, &t.CreatedBy, timeDest(&t.CreatedAt), &t.UpdatedBy, timeDest(&t.UpdatedAt), &t.Hits, &last); err != nil {
		return t, err
	}
	if last != "" {
		var err error
		if t.LastHitAt, err = time.Parse(time.RFC3339Nano, last); err != nil {
			return t, fmt.Errorf("last hit of tuning rule %s: %w", t.ID, err)
		}
	}
	return t, nil
}

// TuningRules returns tenant's tuning rules by id.
func (s *Store) TuningRules(ctx context.Context, tenant string) ([]TuningRule, error) {
	out, err := collect(ctx, s, scanTuningRule, selectTuningRule+` WHERE tenant = ? ORDER BY id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list tuning rules: %w", err)
	}
	return out, nil
}

// TuningRule returns one of tenant's tuning rules, or an error wrapping ErrNotFound.
func (s *Store) TuningRule(ctx context.Context, tenant, id string) (TuningRule, error) {
	t, err := scanTuningRule(s.queryRow(ctx, selectTuningRule+` WHERE tenant = ? AND id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("tuning rule %s: %w", id, ErrNotFound)
	}
	return t, err
}

// DeleteTuningRule removes a tuning rule; the error wraps ErrNotFound when there is none.
func (s *Store) DeleteTuningRule(ctx context.Context, tenant, id string) error {
	res, err := s.exec(ctx, `DELETE FROM alert_tuning_rules WHERE tenant = ? AND id = ?`, tenant, id)
	ok, err := affectedOne(res, err)
	if err != nil {
		return fmt.Errorf("delete tuning rule %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("tuning rule %s: %w", id, ErrNotFound)
	}
	return nil
}

// AddTuningHits counts n more alerts matched by the rule, the last at at.
func (s *Store) AddTuningHits(ctx context.Context, tenant, id string, n int, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE alert_tuning_rules SET hits = hits + ?, last_hit_at = ? WHERE tenant = ? AND id = ?`,
		n, at.UTC().Format(time.RFC3339Nano), tenant, id)
	if err != nil {
		return fmt.Errorf("count hits of tuning rule %s: %w", id, err)
	}
	return nil
}

// AlertDocumentsSince returns the JSON of tenant's alerts created at or after since, newest
// first, at most limit: what a tuning rule's impact preview tests.
func (s *Store) AlertDocumentsSince(ctx context.Context, tenant string, since time.Time, limit int) ([]string, error) {
	out, err := collect(ctx, s, func(r rowScanner) (string, error) {
		var d string
		return d, r.Scan(&d)
	}, `SELECT data FROM incident_alerts WHERE tenant = ? AND created_at >= ? ORDER BY created_at DESC LIMIT ?`,
		tenant, s.timeArg(since), limit)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

package meta

import (
	"context"
	"fmt"
	"time"
)

// Rule run statuses, as Graph's detection rule lastRunDetails names them.
const (
	RuleRunCompleted  = "completed"
	RuleRunFailed     = "failed"
	RuleRunSuppressed = "suppressed"
)

// RuleRun is the last run of a rule for a tenant.
type RuleRun struct {
	Tenant    string
	ID        string
	Slot      time.Time
	StartedAt time.Time
	Duration  time.Duration
	Rows      int
	Alerts    int
	Status    string
	Error     string
	// Failures counts the consecutive failed runs up to this one.
	Failures int
}

// RecordRuleRun stores r as the rule's last run for its tenant, counting consecutive
// failures.
func (s *Store) RecordRuleRun(ctx context.Context, r RuleRun) error {
	failed := 0
	if r.Status == RuleRunFailed {
		failed = 1
	}
	_, err := s.exec(ctx, `INSERT INTO detection_rule_runs (tenant, id, slot, started_at, duration_ms, result_rows, alerts, status, error, failures)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant, id) DO UPDATE SET slot = excluded.slot, started_at = excluded.started_at,
			duration_ms = excluded.duration_ms, result_rows = excluded.result_rows, alerts = excluded.alerts,
			status = excluded.status, error = excluded.error,
			failures = CASE WHEN excluded.failures = 0 THEN 0 ELSE detection_rule_runs.failures + 1 END`,
		r.Tenant, r.ID, s.timeArg(r.Slot), s.timeArg(r.StartedAt), r.Duration.Milliseconds(), r.Rows, r.Alerts, r.Status, r.Error, failed)
	if err != nil {
		return fmt.Errorf("record run of rule %s: %w", r.ID, err)
	}
	return nil
}

// RuleRuns returns the last run of every rule for tenant.
func (s *Store) RuleRuns(ctx context.Context, tenant string) ([]RuleRun, error) {
	out, err := collect(ctx, s, func(row rowScanner) (RuleRun, error) {
		var r RuleRun
		var ms int64
		err := row.Scan(&r.Tenant, &r.ID, timeDest(&r.Slot), timeDest(&r.StartedAt), &ms, &r.Rows, &r.Alerts, &r.Status, &r.Error, &r.Failures)
		r.Duration = time.Duration(ms) * time.Millisecond
		return r, err
	}, `SELECT tenant, id, slot, started_at, duration_ms, result_rows, alerts, status, error, failures
		FROM detection_rule_runs WHERE tenant = ? ORDER BY id`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list rule runs: %w", err)
	}
	return out, nil
}

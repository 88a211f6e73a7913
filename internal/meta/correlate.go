package meta

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// IncidentTx is a correlation transaction over one tenant's incidents. On PostgreSQL it
// holds an advisory lock on the tenant, on SQLite the database write lock, so correlations
// of one tenant run one at a time across every node sharing the store.
type IncidentTx struct {
	q      querier
	tenant string
	now    time.Time
}

// Correlate runs fn in a transaction over tenant's incidents, committing if it returns nil.
func (s *Store) Correlate(ctx context.Context, tenant string, fn func(tx *IncidentTx) error) error {
	return s.inTx(ctx, func(q querier) error {
		if q.d == postgresDialect {
			if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(1447642930, hashtext(?))`, tenant); err != nil {
				return fmt.Errorf("lock tenant %q: %w", tenant, err)
			}
		}
		return fn(&IncidentTx{q: q, tenant: tenant, now: s.clock()})
	})
}

// Now is the store's clock at the start of the transaction.
func (tx *IncidentTx) Now() time.Time { return tx.now }

// AlertExists reports whether the alert id is already stored.
func (tx *IncidentTx) AlertExists(ctx context.Context, id string) (bool, error) {
	var n int
	err := tx.q.queryRow(ctx, `SELECT COUNT(*) FROM incident_alerts WHERE tenant = ? AND alert_id = ?`, tx.tenant, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up alert %q: %w", id, err)
	}
	return n > 0, nil
}

// RecentAlerts returns how many alerts were seen since since.
func (tx *IncidentTx) RecentAlerts(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := tx.q.queryRow(ctx, `SELECT COUNT(*) FROM incident_alerts WHERE tenant = ? AND created_at >= ?`,
		tx.tenant, tx.q.timeArg(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recent alerts: %w", err)
	}
	return n, nil
}

// EntityCounts returns, for each of keys seen since since, how many alerts carried it.
func (tx *IncidentTx) EntityCounts(ctx context.Context, keys []string, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{tx.tenant, tx.q.timeArg(since)}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := tx.q.query(ctx, `SELECT entity_key, COUNT(*) FROM incident_entities
		WHERE tenant = ? AND seen_at >= ? AND entity_key IN (`+placeholders(len(keys))+`) GROUP BY entity_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("count entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("count entities: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

// OpenIncidentsWith returns the open incidents (not resolved, not merged) active since since
// that hold any of keys, oldest first.
func (tx *IncidentTx) OpenIncidentsWith(ctx context.Context, keys []string, since time.Time) ([]Incident, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := []any{tx.tenant, tx.q.timeArg(since), IncidentResolved, IncidentRedirected, tx.tenant}
	for _, k := range keys {
		args = append(args, k)
	}
	out, err := collect(ctx, tx.q, scanIncident, `SELECT `+incidentColumns+` FROM incidents
		WHERE tenant = ? AND last_activity >= ? AND status NOT IN (?, ?) AND merged_into = 0 AND id IN (
			SELECT incident_id FROM incident_entities WHERE tenant = ? AND entity_key IN (`+placeholders(len(keys))+`))
		ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find open incidents: %w", err)
	}
	return out, nil
}

// CreateIncident inserts in for the transaction's tenant and returns it with its ID and times set.
func (tx *IncidentTx) CreateIncident(ctx context.Context, in Incident) (Incident, error) {
	in.Tenant, in.CreatedAt, in.UpdatedAt, in.Version = tx.tenant, tx.now, tx.now, 1
	err := tx.q.queryRow(ctx, `INSERT INTO incidents (tenant, title, severity, severity_override, status, classification,
		determination, assigned_to, tags, notes, alert_count, merged_into, linked_from, version, first_activity,
		last_activity, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Tenant, in.Title, in.Severity, in.SeverityOverride, in.Status, in.Classification, in.Determination,
		in.AssignedTo, jsonList(in.Tags), jsonList(in.Notes), in.AlertCount, in.MergedInto, in.LinkedFrom, in.Version,
		tx.q.timeArg(in.FirstActivity), tx.q.timeArg(in.LastActivity), tx.q.timeArg(in.CreatedAt),
		tx.q.timeArg(in.UpdatedAt)).Scan(&in.ID)
	if err != nil {
		return Incident{}, fmt.Errorf("create incident: %w", err)
	}
	return in, nil
}

// SaveIncident writes in's fields, stamping its update time.
func (tx *IncidentTx) SaveIncident(ctx context.Context, in Incident) error {
	in.UpdatedAt = tx.now
	return saveIncident(ctx, tx.q, in)
}

// AddAlert stores a and its entity keys under incident a.IncidentID.
func (tx *IncidentTx) AddAlert(ctx context.Context, a IncidentAlert, keys []string) error {
	_, err := tx.q.exec(ctx, `INSERT INTO incident_alerts (`+alertColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.tenant, a.AlertID, a.IncidentID, a.RuleID, a.Title, a.Severity, a.Status, tx.q.timeArg(a.FirstActivity),
		tx.q.timeArg(a.LastActivity), tx.q.timeArg(a.CreatedAt), string(a.Data))
	if err != nil {
		return fmt.Errorf("add alert %q: %w", a.AlertID, err)
	}
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		if _, err := tx.q.exec(ctx, `INSERT INTO incident_entities (tenant, entity_key, alert_id, incident_id, seen_at)
			VALUES (?, ?, ?, ?, ?)`, tx.tenant, k, a.AlertID, a.IncidentID, tx.q.timeArg(a.CreatedAt)); err != nil {
			return fmt.Errorf("add entity %q of alert %q: %w", k, a.AlertID, err)
		}
	}
	return nil
}

// IncidentAlerts returns the alerts of incident id, oldest first.
func (tx *IncidentTx) IncidentAlerts(ctx context.Context, id int64) ([]IncidentAlert, error) {
	out, err := collect(ctx, tx.q, scanAlert, `SELECT `+alertColumns+` FROM incident_alerts
		WHERE tenant = ? AND incident_id = ? ORDER BY created_at, alert_id`, tx.tenant, id)
	if err != nil {
		return nil, fmt.Errorf("alerts of incident %d: %w", id, err)
	}
	return out, nil
}

// MoveAlerts moves the alerts and entities of incident from into incident into.
func (tx *IncidentTx) MoveAlerts(ctx context.Context, from, into int64) error {
	for _, table := range []string{"incident_alerts", "incident_entities"} {
		if _, err := tx.q.exec(ctx, `UPDATE `+table+` SET incident_id = ? WHERE tenant = ? AND incident_id = ?`,
			into, tx.tenant, from); err != nil {
			return fmt.Errorf("move %s of incident %d: %w", table, from, err)
		}
	}
	return nil
}

// AddHistory records a change of incident id.
func (tx *IncidentTx) AddHistory(ctx context.Context, id int64, actor, action, detail string) error {
	return addHistory(ctx, tx.q, id, actor, action, detail, tx.now)
}

package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// IncidentTx is a correlation transaction over one tenant's incidents. On PostgreSQL it
// holds an advisory lock on the tenant, on SQLite the database write lock, so correlations
// of one tenant run one at a time across every node sharing the store.
type IncidentTx struct {
	q      querier
	tenant string
	now    time.Time
	stmts  map[string]*sql.Stmt // prepared once per transaction; closed with it
}

// Correlate runs fn in a transaction over tenant's incidents, committing if it returns nil.
func (s *Store) Correlate(ctx context.Context, tenant string, fn func(tx *IncidentTx) error) error {
	return s.inTx(ctx, func(q querier) error {
		if q.d == postgresDialect {
			if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(1447642930, hashtext(?))`, tenant); err != nil {
				return fmt.Errorf("lock tenant %q: %w", tenant, err)
			}
		}
		tx := &IncidentTx{q: q, tenant: tenant, now: s.clock(), stmts: map[string]*sql.Stmt{}}
		defer tx.closeStmts()
		return fn(tx)
	})
}

// Now is the store's clock at the start of the transaction.
func (tx *IncidentTx) Now() time.Time { return tx.now }

// AlertExists reports whether the alert id is already stored.
func (tx *IncidentTx) AlertExists(ctx context.Context, id string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM incident_alerts WHERE tenant = ? AND alert_id = ?`, tx.tenant, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up alert %q: %w", id, err)
	}
	return n > 0, nil
}

// ExistingAlerts returns which of ids are already stored.
func (tx *IncidentTx) ExistingAlerts(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for chunk := range slices.Chunk(ids, 500) {
		args := []any{tx.tenant}
		for _, id := range chunk {
			args = append(args, id)
		}
		found, err := collect(ctx, tx, func(r rowScanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, `SELECT alert_id FROM incident_alerts WHERE tenant = ? AND alert_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("look up alerts: %w", err)
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// RecentAlerts returns how many alerts were seen since since.
func (tx *IncidentTx) RecentAlerts(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM incident_alerts WHERE tenant = ? AND created_at >= ?`,
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
	rows, err := tx.query(ctx, `SELECT entity_key, COUNT(*) FROM incident_entities
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
	out, err := collect(ctx, tx, scanIncident, `SELECT `+incidentColumns+` FROM incidents
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
	err := tx.queryRow(ctx, `INSERT INTO incidents (tenant, title, severity, severity_override, status, classification,
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

// SaveIncident writes in's fields, stamping its update time and counting a new version.
func (tx *IncidentTx) SaveIncident(ctx context.Context, in Incident) error {
	in.UpdatedAt = tx.now
	in.Version++
	return saveIncident(ctx, tx, in)
}

// AddAlert stores a and its entity keys under incident a.IncidentID.
func (tx *IncidentTx) AddAlert(ctx context.Context, a IncidentAlert, keys []string) error {
	if a.Classification == "" {
		a.Classification = "unknown"
	}
	if a.Determination == "" {
		a.Determination = "unknown"
	}
	_, err := tx.exec(ctx, `INSERT INTO incident_alerts (`+alertColumns+`, tactics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.tenant, a.AlertID, a.IncidentID, a.RuleID, a.Title, a.Severity, a.Status, tx.q.timeArg(a.FirstActivity),
		tx.q.timeArg(a.LastActivity), tx.q.timeArg(a.CreatedAt), string(a.Data), a.Classification, a.Determination,
		a.AssignedTo, 1, textTime(tx.now), jsonList(a.Tactics))
	if err != nil {
		return fmt.Errorf("add alert %q: %w", a.AlertID, err)
	}
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	if len(keys) == 0 {
		return nil
	}
	rows := make([]string, 0, len(keys))
	args := make([]any, 0, 5*len(keys))
	for _, k := range keys { // one statement for all of the alert's keys
		rows = append(rows, "(?, ?, ?, ?, ?)")
		args = append(args, tx.tenant, k, a.AlertID, a.IncidentID, tx.q.timeArg(a.CreatedAt))
	}
	if _, err := tx.exec(ctx, `INSERT INTO incident_entities (tenant, entity_key, alert_id, incident_id, seen_at)
		VALUES `+strings.Join(rows, ", "), args...); err != nil {
		return fmt.Errorf("add entities of alert %q: %w", a.AlertID, err)
	}
	return nil
}

// IncidentAlerts returns the alerts of incident id, oldest first.
func (tx *IncidentTx) IncidentAlerts(ctx context.Context, id int64) ([]IncidentAlert, error) {
	out, err := collect(ctx, tx, scanAlert, `SELECT `+alertColumns+` FROM incident_alerts
		WHERE tenant = ? AND incident_id = ? ORDER BY created_at, alert_id`, tx.tenant, id)
	if err != nil {
		return nil, fmt.Errorf("alerts of incident %d: %w", id, err)
	}
	return out, nil
}

// MoveAlerts moves the alerts and entities of incident from into incident into.
func (tx *IncidentTx) MoveAlerts(ctx context.Context, from, into int64) error {
	for _, table := range []string{"incident_alerts", "incident_entities"} {
		if _, err := tx.exec(ctx, `UPDATE `+table+` SET incident_id = ? WHERE tenant = ? AND incident_id = ?`,
			into, tx.tenant, from); err != nil {
			return fmt.Errorf("move %s of incident %d: %w", table, from, err)
		}
	}
	return nil
}

// AddHistory records a change of incident id.
func (tx *IncidentTx) AddHistory(ctx context.Context, id int64, actor, action, detail string) error {
	return addHistory(ctx, tx, id, actor, action, detail, tx.now)
}

// IncidentsWith returns the incidents active since since that hold any of keys and were
// not merged into another, resolved ones included, oldest first. It finds the incidents
// by the keys' entity rows first and then reads them by id, so that its cost follows the
// keys, not the number of open incidents (a single IN-subquery let SQLite scan incidents).
func (tx *IncidentTx) IncidentsWith(ctx context.Context, keys []string, since time.Time) ([]Incident, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := []any{tx.tenant}
	for _, k := range keys {
		args = append(args, k)
	}
	ids, err := collect(ctx, tx, func(r rowScanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT DISTINCT incident_id FROM incident_entities WHERE tenant = ? AND entity_key IN (`+placeholders(len(keys))+`)
		AND incident_id <> 0`, args...)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	slices.Sort(ids)
	idArgs := []any{tx.tenant}
	for _, id := range ids {
		idArgs = append(idArgs, id)
	}
	ins, err := collect(ctx, tx, scanIncident, `SELECT `+incidentColumns+` FROM incidents WHERE tenant = ? AND id IN (`+
		placeholders(len(ids))+`) ORDER BY id`, idArgs...)
	if err != nil {
		return nil, fmt.Errorf("find incidents: %w", err)
	}
	return slices.DeleteFunc(ins, func(in Incident) bool {
		return in.LastActivity.Before(since) || in.Status == IncidentRedirected || in.MergedInto != 0
	}), nil
}

// GroupIncident returns the incident holding the newest alert seen since since with the
// grouping key, following merges; ok is false when there is none.
func (tx *IncidentTx) GroupIncident(ctx context.Context, key string, since time.Time) (in Incident, ok bool, err error) {
	var id int64
	err = tx.queryRow(ctx, `SELECT incident_id FROM incident_entities WHERE tenant = ? AND entity_key = ? AND seen_at >= ?
		AND incident_id <> 0 ORDER BY seen_at DESC, incident_id DESC LIMIT 1`, tx.tenant, key, tx.q.timeArg(since)).Scan(&id)
	if isNoRows(err) {
		return Incident{}, false, nil
	}
	if err != nil {
		return Incident{}, false, fmt.Errorf("find group %q: %w", key, err)
	}
	for range 64 { // a merge chain is short; the bound guards against a cycle
		if in, err = getIncident(ctx, tx.q, tx.tenant, id); err != nil {
			return Incident{}, false, err
		}
		if in.MergedInto == 0 {
			return in, true, nil
		}
		id = in.MergedInto
	}
	return Incident{}, false, fmt.Errorf("find group %q: merge chain of incident %d too long", key, id)
}

// AlertDigests returns the rule, title, severity and tactics of incident id's alerts,
// oldest first, without their data: what correlation needs to derive the incident's title
// and severity.
func (tx *IncidentTx) AlertDigests(ctx context.Context, id int64) ([]IncidentAlert, error) {
	out, err := collect(ctx, tx, func(r rowScanner) (IncidentAlert, error) {
		var a IncidentAlert
		var tactics, data string
		if err := r.Scan(&a.AlertID, &a.RuleID, &a.Title, &a.Severity, &tactics, &data); err != nil {
			return a, err
		}
		if tactics == "" { // a row from before tactics were kept
			var d struct {
				Tactics []string `json:"tactics"`
			}
			_ = json.Unmarshal([]byte(data), &d)
			a.Tactics = d.Tactics
			return a, nil
		}
		return a, json.Unmarshal([]byte(tactics), &a.Tactics)
	}, `SELECT alert_id, rule_id, title, severity, tactics, CASE WHEN tactics = '' THEN data ELSE '' END FROM incident_alerts
		WHERE tenant = ? AND incident_id = ? ORDER BY created_at, alert_id`, tx.tenant, id)
	if err != nil {
		return nil, fmt.Errorf("alerts of incident %d: %w", id, err)
	}
	return out, nil
}

// preparer is what *sql.Tx adds to sqlRunner.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmt returns query prepared in the transaction, preparing it on first use: a batch of
// alerts runs the same few statements many times, and preparing dominated their cost.
func (tx *IncidentTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	query = tx.q.d.rebind(query)
	if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	p, ok := tx.q.x.(preparer)
	if !ok {
		return nil, fmt.Errorf("prepare: %T cannot prepare statements", tx.q.x)
	}
	st, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	tx.stmts[query] = st
	return st, nil
}

func (tx *IncidentTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(ctx, query) //nolint:sqlclosecheck // cached; closeStmts closes it when the transaction ends
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (tx *IncidentTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(ctx, query) //nolint:sqlclosecheck // cached; closeStmts closes it when the transaction ends
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow returns a row scanner; a prepare error surfaces from Scan.
func (tx *IncidentTx) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := tx.stmt(ctx, query) //nolint:sqlclosecheck // cached; closeStmts closes it when the transaction ends
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a row whose Scan fails with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (tx *IncidentTx) timeArg(t time.Time) any { return tx.q.timeArg(t) }

// closeStmts closes the transaction's prepared statements.
func (tx *IncidentTx) closeStmts() {
	for _, st := range tx.stmts {
		_ = st.Close()
	}
	clear(tx.stmts)
}

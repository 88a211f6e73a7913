package meta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Incident statuses, as Microsoft Graph's security incident names them.
const (
	IncidentActive     = "active"
	IncidentInProgress = "inProgress"
	IncidentResolved   = "resolved"
	IncidentRedirected = "redirected"
)

// Incident is a group of correlated alerts of one tenant.
type Incident struct {
	ID               int64
	Tenant           string
	Title            string
	Severity         string
	SeverityOverride bool // set by a person; correlation no longer derives it
	Status           string
	Classification   string
	Determination    string
	AssignedTo       string
	Tags             []string
	// Notes are the correlation decisions recorded on the incident, such as
	// "not correlated on ip:10.0.0.1: too common".
	Notes         []string
	AlertCount    int
	MergedInto    int64 // the incident this one was merged into; 0 when none
	LinkedFrom    int64 // the full incident this one continues; 0 when none
	Version       int
	FirstActivity time.Time
	LastActivity  time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ClosedAt      time.Time // when it was last resolved; zero while not resolved
}

// IncidentAlert is an alert as the state store keeps it. Data is the alert as JSON.
type IncidentAlert struct {
	Tenant        string
	AlertID       string
	IncidentID    int64
	RuleID        string
	Title         string
	Severity      string
	Status        string
	FirstActivity time.Time
	LastActivity  time.Time
	CreatedAt     time.Time
	Data          []byte
	// Analyst fields (alerts_v2 PATCH); Version counts the alert's changes.
	Classification string
	Determination  string
	AssignedTo     string
	Version        int
	UpdatedAt      time.Time
	// Tactics are the alert's MITRE tactics (filled by AddAlert's caller and AlertDigests).
	Tactics []string
}

// IncidentComment is an analyst's comment on an incident.
type IncidentComment struct {
	Comment   string
	CreatedBy string
	CreatedAt time.Time
}

// HistoryEntry is one recorded change of an incident.
type HistoryEntry struct {
	Actor  string
	Action string
	Detail string
	At     time.Time
}

const incidentColumns = `id, tenant, title, severity, severity_override, status, classification, determination,
	assigned_to, tags, notes, alert_count, merged_into, linked_from, version, first_activity, last_activity,
	created_at, updated_at, closed_at`

const alertColumns = `tenant, alert_id, incident_id, rule_id, title, severity, status, first_activity,
	last_activity, created_at, data, classification, determination, assigned_to, version, updated_at`

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func scanIncident(r rowScanner) (Incident, error) {
	var in Incident
	var tags, notes, closed string
	err := r.Scan(&in.ID, &in.Tenant, &in.Title, &in.Severity, &in.SeverityOverride, &in.Status, &in.Classification,
		&in.Determination, &in.AssignedTo, &tags, &notes, &in.AlertCount, &in.MergedInto, &in.LinkedFrom, &in.Version,
		timeDest(&in.FirstActivity), timeDest(&in.LastActivity), timeDest(&in.CreatedAt), timeDest(&in.UpdatedAt), &closed)
	if err != nil {
		return Incident{}, err
	}
	in.ClosedAt = parseTextTime(closed)
	if err := json.Unmarshal([]byte(tags), &in.Tags); err != nil {
		return Incident{}, fmt.Errorf("tags of incident %d: %w", in.ID, err)
	}
	if err := json.Unmarshal([]byte(notes), &in.Notes); err != nil {
		return Incident{}, fmt.Errorf("notes of incident %d: %w", in.ID, err)
	}
	return in, nil
}

func scanAlert(r rowScanner) (IncidentAlert, error) {
	var a IncidentAlert
	var data, updated string
	err := r.Scan(&a.Tenant, &a.AlertID, &a.IncidentID, &a.RuleID, &a.Title, &a.Severity, &a.Status,
		timeDest(&a.FirstActivity), timeDest(&a.LastActivity), timeDest(&a.CreatedAt), &data,
		&a.Classification, &a.Determination, &a.AssignedTo, &a.Version, &updated)
	a.Data = []byte(data)
	a.UpdatedAt = parseTextTime(updated)
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	return a, err
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// execer runs statements and converts times for them (querier, *IncidentTx).
type execer interface {
	exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	timeArg(t time.Time) any
}

// rowsQuerier runs a query returning rows (querier, *IncidentTx).
type rowsQuerier interface {
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, q rowsQuerier, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// placeholders returns "?, ?, ..." for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// IncidentFilter selects incidents for a list. Empty fields match everything.
type IncidentFilter struct {
	Status   string
	Severity string
	// AfterID continues a list after the incident with this ID (newest first, so lower IDs).
	AfterID int64
	Skip    int
	Top     int // 0 means no limit
}

// Incidents returns tenant's incidents matching f, newest first.
func (s *Store) Incidents(ctx context.Context, tenant string, f IncidentFilter) ([]Incident, error) {
	where, args := []string{"tenant = ?"}, []any{tenant}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Severity != "" {
		where, args = append(where, "severity = ?"), append(args, f.Severity)
	}
	if f.AfterID > 0 {
		where, args = append(where, "id < ?"), append(args, f.AfterID)
	}
	query := `SELECT ` + incidentColumns + ` FROM incidents WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id DESC`
	if f.Top > 0 || f.Skip > 0 {
		top := f.Top
		if top <= 0 {
			top = math.MaxInt32
		}
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", top, max(f.Skip, 0))
	}
	out, err := collect(ctx, s.querier, scanIncident, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return out, nil
}

// Incident returns tenant's incident id, or an error wrapping ErrNotFound.
func (s *Store) Incident(ctx context.Context, tenant string, id int64) (Incident, error) {
	return getIncident(ctx, s.querier, tenant, id)
}

func getIncident(ctx context.Context, q querier, tenant string, id int64) (Incident, error) {
	in, err := scanIncident(q.queryRow(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE tenant = ? AND id = ?`, tenant, id))
	if err != nil {
		if isNoRows(err) {
			return Incident{}, fmt.Errorf("incident %d: %w", id, ErrNotFound)
		}
		return Incident{}, fmt.Errorf("incident %d: %w", id, err)
	}
	return in, nil
}

// IncidentAlerts returns the alerts of tenant's incident id, oldest first.
func (s *Store) IncidentAlerts(ctx context.Context, tenant string, id int64) ([]IncidentAlert, error) {
	out, err := collect(ctx, s.querier, scanAlert, `SELECT `+alertColumns+` FROM incident_alerts
		WHERE tenant = ? AND incident_id = ? ORDER BY created_at, alert_id`, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("alerts of incident %d: %w", id, err)
	}
	return out, nil
}

// Alerts returns tenant's alerts, newest first, skipping skip and returning at most top (0: all).
func (s *Store) Alerts(ctx context.Context, tenant string, top, skip int) ([]IncidentAlert, error) {
	out, err := collect(ctx, s.querier, scanAlert, `SELECT `+alertColumns+` FROM incident_alerts
		WHERE tenant = ? ORDER BY created_at DESC, alert_id DESC`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	out = out[min(skip, len(out)):]
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out, nil
}

// Alert returns tenant's alert id, or an error wrapping ErrNotFound.
func (s *Store) Alert(ctx context.Context, tenant, id string) (IncidentAlert, error) {
	a, err := scanAlert(s.queryRow(ctx, `SELECT `+alertColumns+` FROM incident_alerts WHERE tenant = ? AND alert_id = ?`, tenant, id))
	if err != nil {
		if isNoRows(err) {
			return IncidentAlert{}, fmt.Errorf("alert %q: %w", id, ErrNotFound)
		}
		return IncidentAlert{}, fmt.Errorf("alert %q: %w", id, err)
	}
	return a, nil
}

// IncidentPatch is an analyst's change to an incident; nil fields are left alone.
type IncidentPatch struct {
	Status         *string
	AssignedTo     *string
	Classification *string
	Determination  *string
	Severity       *string
	Tags           *[]string
	// Version, when non-zero, must equal the incident's version (optimistic concurrency);
	// otherwise the update fails with an error wrapping ErrStaleVersion.
	Version int
}

func applyPatch(in *Incident, p IncidentPatch) []string {
	var changes []string
	set := func(name string, dst *string, v *string) {
		if v != nil && *v != *dst {
			changes = append(changes, fmt.Sprintf("%s: %q -> %q", name, *dst, *v))
			*dst = *v
		}
	}
	set("status", &in.Status, p.Status)
	set("assignedTo", &in.AssignedTo, p.AssignedTo)
	set("classification", &in.Classification, p.Classification)
	set("determination", &in.Determination, p.Determination)
	if p.Severity != nil && *p.Severity != in.Severity {
		set("severity", &in.Severity, p.Severity)
		in.SeverityOverride = true
	}
	if p.Tags != nil && jsonList(*p.Tags) != jsonList(in.Tags) {
		changes = append(changes, fmt.Sprintf("tags: %s -> %s", jsonList(in.Tags), jsonList(*p.Tags)))
		in.Tags = *p.Tags
	}
	return changes
}

func saveIncident(ctx context.Context, q execer, in Incident) error {
	_, err := q.exec(ctx, `UPDATE incidents SET title = ?, severity = ?, severity_override = ?, status = ?,
		classification = ?, determination = ?, assigned_to = ?, tags = ?, notes = ?, alert_count = ?, merged_into = ?,
		linked_from = ?, version = ?, first_activity = ?, last_activity = ?, updated_at = ?, closed_at = ? WHERE id = ?`,
		in.Title, in.Severity, in.SeverityOverride, in.Status, in.Classification, in.Determination, in.AssignedTo,
		jsonList(in.Tags), jsonList(in.Notes), in.AlertCount, in.MergedInto, in.LinkedFrom, in.Version,
		q.timeArg(in.FirstActivity), q.timeArg(in.LastActivity), q.timeArg(in.UpdatedAt), textTime(in.ClosedAt), in.ID)
	if err != nil {
		return fmt.Errorf("save incident %d: %w", in.ID, err)
	}
	return nil
}

func addHistory(ctx context.Context, q execer, id int64, actor, action, detail string, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO incident_history (incident_id, actor, action, detail, at) VALUES (?, ?, ?, ?, ?)`,
		id, actor, action, detail, q.timeArg(at))
	if err != nil {
		return fmt.Errorf("record history of incident %d: %w", id, err)
	}
	return nil
}

// AddIncidentComment adds a comment by actor to tenant's incident id and returns its comments.
func (s *Store) AddIncidentComment(ctx context.Context, tenant string, id int64, comment, actor string) ([]IncidentComment, error) {
	if strings.TrimSpace(comment) == "" {
		return nil, errors.New("add comment: comment is empty")
	}
	err := s.inTx(ctx, func(q querier) error {
		if _, err := getIncident(ctx, q, tenant, id); err != nil {
			return err
		}
		now := s.clock()
		if _, err := q.exec(ctx, `INSERT INTO incident_comments (incident_id, comment, created_by, created_at) VALUES (?, ?, ?, ?)`,
			id, comment, actor, q.timeArg(now)); err != nil {
			return err
		}
		return addHistory(ctx, q, id, actor, "comment", comment, now)
	})
	if err != nil {
		return nil, fmt.Errorf("add comment: %w", err)
	}
	return s.IncidentComments(ctx, tenant, id)
}

// IncidentComments returns the comments of tenant's incident id, oldest first.
func (s *Store) IncidentComments(ctx context.Context, tenant string, id int64) ([]IncidentComment, error) {
	out, err := collect(ctx, s.querier, func(r rowScanner) (IncidentComment, error) {
		var c IncidentComment
		return c, r.Scan(&c.Comment, &c.CreatedBy, timeDest(&c.CreatedAt))
	}, `SELECT c.comment, c.created_by, c.created_at FROM incident_comments c JOIN incidents i ON i.id = c.incident_id
		WHERE i.tenant = ? AND c.incident_id = ? ORDER BY c.id`, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("comments of incident %d: %w", id, err)
	}
	return out, nil
}

// IncidentHistory returns the history of tenant's incident id, oldest first.
func (s *Store) IncidentHistory(ctx context.Context, tenant string, id int64) ([]HistoryEntry, error) {
	out, err := collect(ctx, s.querier, func(r rowScanner) (HistoryEntry, error) {
		var h HistoryEntry
		return h, r.Scan(&h.Actor, &h.Action, &h.Detail, timeDest(&h.At))
	}, `SELECT h.actor, h.action, h.detail, h.at FROM incident_history h JOIN incidents i ON i.id = h.incident_id
		WHERE i.tenant = ? AND h.incident_id = ? ORDER BY h.id`, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("history of incident %d: %w", id, err)
	}
	return out, nil
}

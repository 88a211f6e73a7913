package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Action is a response action of the Action Center as stored. Its lifecycle (which status
// may follow which) is the respond package's; the store only applies a change when the
// action is still in the status the caller read.
type Action struct {
	Tenant          string
	ID              string
	Type            string
	Status          string
	Target          string // JSON object
	TargetKey       string // the device, account, file hash, indicator or message id
	Parameters      string // JSON object
	RequesterType   string
	Requester       string
	Reason          string
	IncidentID      int64 // 0: none
	Approver        string
	ApprovalComment string
	Result          string // JSON object
	UndoOf          string
	UndoneBy        string
	Attempts        int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	DecidedAt       time.Time // zero until approved or rejected
	SentAt          time.Time // zero until sent to a responder
	StartedAt       time.Time // zero until running
	FinishedAt      time.Time // zero until completed, failed, cancelled or timed out
}

// ActionStamp names the step time a status change records.
type ActionStamp int

// The step times of an action.
const (
	StampNone ActionStamp = iota
	StampDecided
	StampSent
	StampStarted
	StampFinished
)

// stampColumns maps each step to its column.
var stampColumns = map[ActionStamp]string{
	StampDecided: "decided_at", StampSent: "sent_at", StampStarted: "started_at", StampFinished: "finished_at",
}

// ActionChange is a status change: the new status, the step time it records, and the
// fields it sets (empty strings and zero attempts leave a field as it is).
type ActionChange struct {
	Status          string
	Stamp           ActionStamp
	Approver        string
	ApprovalComment string
	Result          string
	Attempts        int
}

// ActionFilter selects actions; empty fields match all.
type ActionFilter struct {
	Status     string
	Type       string
	TargetKey  string
	IncidentID int64
	// RequesterType selects who asked: user, rule, playbook, investigation or disruption.
	RequesterType string
	Top, Skip     int // Top 0: no limit
}

const selectAction = `SELECT tenant, id, type, status, target, target_key, parameters, requester_type, requester,
	reason, incident_id, approver, approval_comment, result, undo_of, undone_by, attempts,
	created_at, updated_at, decided_at, sent_at, started_at, finished_at FROM response_actions`

func scanAction(r rowScanner) (Action, error) {
	var a Action
	err := r.Scan(&a.Tenant, &a.ID, &a.Type, &a.Status, &a.Target, &a.TargetKey, &a.Parameters, &a.RequesterType,
		&a.Requester, &a.Reason, &a.IncidentID, &a.Approver, &a.ApprovalComment, &a.Result, &a.UndoOf, &a.UndoneBy,
		&a.Attempts, timeDest(&a.CreatedAt), timeDest(&a.UpdatedAt), nullTimeDest(&a.DecidedAt),
		nullTimeDest(&a.SentAt), nullTimeDest(&a.StartedAt), nullTimeDest(&a.FinishedAt))
	return a, err
}

// CreateAction stores a new action, stamping its creation time (and its decision time when
// it is created decided), and returns it as stored. An action undoing another (UndoOf set)
// is linked to it in the same transaction; the error wraps ErrConflict when that action is
// undone already and ErrNotFound when it does not exist.
func (s *Store) CreateAction(ctx context.Context, a Action, decided bool) (Action, error) {
	now := s.clock()
	a.CreatedAt, a.UpdatedAt = now, now
	if decided {
		a.DecidedAt = now
	}
	err := s.inTx(ctx, func(q querier) error {
		if a.UndoOf != "" {
			if err := linkUndo(ctx, q, a.Tenant, a.UndoOf, a.ID); err != nil {
				return err
			}
		}
		_, err := q.exec(ctx, `INSERT INTO response_actions (tenant, id, type, status, target, target_key, parameters,
			requester_type, requester, reason, incident_id, approver, approval_comment, result, undo_of, attempts,
			created_at, updated_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Tenant, a.ID, a.Type, a.Status, a.Target, a.TargetKey, a.Parameters, a.RequesterType, a.Requester,
			a.Reason, a.IncidentID, a.Approver, a.ApprovalComment, a.Result, a.UndoOf, a.Attempts,
			q.timeArg(now), q.timeArg(now), nullTimeArg(q, a.DecidedAt))
		return err
	})
	if err != nil {
		return Action{}, fmt.Errorf("create action %s: %w", a.ID, err)
	}
	return a, nil
}

// linkUndo marks tenant's action id as undone by undoID, once.
func linkUndo(ctx context.Context, q querier, tenant, id, undoID string) error {
	res, err := q.exec(ctx, `UPDATE response_actions SET undone_by = ? WHERE tenant = ? AND id = ? AND undone_by = ''`,
		undoID, tenant, id)
	ok, err := affectedOne(res, err)
	if err != nil || ok {
		return err
	}
	var by string
	err = q.queryRow(ctx, `SELECT undone_by FROM response_actions WHERE tenant = ? AND id = ?`, tenant, id).Scan(&by)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("action %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("action %s is undone by action %s already: %w", id, by, ErrConflict)
}

// Action returns one of tenant's actions, or an error wrapping ErrNotFound.
func (s *Store) Action(ctx context.Context, tenant, id string) (Action, error) {
	a, err := scanAction(s.queryRow(ctx, selectAction+` WHERE tenant = ? AND id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("action %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("get action %s: %w", id, err)
	}
	return a, nil
}

// Actions returns tenant's actions matching f, newest first.
func (s *Store) Actions(ctx context.Context, tenant string, f ActionFilter) ([]Action, error) {
	where, args := []string{"tenant = ?"}, []any{tenant}
	for _, c := range []struct {
		col string
		v   string
	}{{"status", f.Status}, {"type", f.Type}, {"target_key", f.TargetKey}, {"requester_type", f.RequesterType}} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.IncidentID != 0 {
		where, args = append(where, "incident_id = ?"), append(args, f.IncidentID)
	}
	q := selectAction + " WHERE " + strings.Join(where, " AND ") + " ORDER BY created_at DESC, id DESC"
	if f.Top > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, f.Top, f.Skip)
	}
	return s.listActions(ctx, q, args...)
}

// ActionsInStatus returns the actions of every tenant in one of statuses, oldest first: what
// a dispatcher resumes after a restart.
func (s *Store) ActionsInStatus(ctx context.Context, statuses ...string) ([]Action, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := make([]any, len(statuses))
	for i, st := range statuses {
		args[i] = st
	}
	q := selectAction + " WHERE status IN (?" + strings.Repeat(", ?", len(statuses)-1) + ") ORDER BY created_at, id"
	return s.listActions(ctx, q, args...)
}

func (s *Store) listActions(ctx context.Context, q string, args ...any) ([]Action, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, fmt.Errorf("list actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateActionStatus applies c to tenant's action id if its status is still from, and
// returns the action as changed. The error wraps ErrInvalidTransition when the status
// changed meanwhile and ErrNotFound when there is no such action.
func (s *Store) UpdateActionStatus(ctx context.Context, tenant, id, from string, c ActionChange) (Action, error) {
	now := s.clock()
	set, args := []string{"status = ?", "updated_at = ?"}, []any{c.Status, s.timeArg(now)}
	if col, ok := stampColumns[c.Stamp]; ok {
		set, args = append(set, col+" = ?"), append(args, s.timeArg(now))
	}
	for _, f := range []struct {
		col string
		v   string
	}{{"approver", c.Approver}, {"approval_comment", c.ApprovalComment}, {"result", c.Result}} {
		if f.v != "" {
			set, args = append(set, f.col+" = ?"), append(args, f.v)
		}
	}
	if c.Attempts > 0 {
		set, args = append(set, "attempts = ?"), append(args, c.Attempts)
	}
	args = append(args, tenant, id, from)
	res, err := s.exec(ctx, `UPDATE response_actions SET `+strings.Join(set, ", ")+` WHERE tenant = ? AND id = ? AND status = ?`, args...)
	ok, err := affectedOne(res, err)
	if err != nil {
		return Action{}, fmt.Errorf("update action %s: %w", id, err)
	}
	a, err := s.Action(ctx, tenant, id)
	if err != nil {
		return a, err
	}
	if !ok {
		return a, fmt.Errorf("action %s is %s, not %s: %w", id, a.Status, from, ErrInvalidTransition)
	}
	return a, nil
}

// nullTimeArg binds t, or NULL when t is zero.
func nullTimeArg(q querier, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return q.timeArg(t)
}

// nullTimeDest is timeDest for a nullable column: NULL scans as the zero time.
func nullTimeDest(t *time.Time) sql.Scanner { return nullTimeScanner{t} }

type nullTimeScanner struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s nullTimeScanner) Scan(src any) error {
	if src == nil {
		*s.t = time.Time{}
		return nil
	}
	return timeDest(s.t).Scan(src)
}

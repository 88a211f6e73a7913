package meta

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The states of an automated investigation's run.
const (
	InvestigationQueued    = "queued"
	InvestigationRunning   = "running"
	InvestigationCompleted = "completed"
	InvestigationFailed    = "failed"
)

// Investigation is an automated investigation as the state store keeps it: the run's state
// and the investigation's document (alert, evidence, verdicts, remediation), which only the
// investigation package reads.
type Investigation struct {
	Tenant    string
	ID        string
	AlertID   string
	State     string
	Doc       string // JSON
	CreatedAt time.Time
	UpdatedAt time.Time
}

// InvestigationFilter selects investigations; zero fields select all.
type InvestigationFilter struct {
	AlertIDs []string
	Limit    int // 0: 500
}

// CreateInvestigation stores inv unless tenant already has an investigation with its ID,
// and reports whether it did (alerts arrive at least once; the first one wins).
func (s *Store) CreateInvestigation(ctx context.Context, inv Investigation) (bool, error) {
	now := s.clock()
	res, err := s.exec(ctx, `INSERT INTO investigations (tenant, id, alert_id, state, doc, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING`,
		inv.Tenant, inv.ID, inv.AlertID, inv.State, inv.Doc, s.timeArg(now), s.timeArg(now))
	created, err := affectedOne(res, err)
	if err != nil {
		return false, fmt.Errorf("create investigation %s: %w", inv.ID, err)
	}
	return created, nil
}

// UpdateInvestigation replaces the state and document of tenant's investigation id.
func (s *Store) UpdateInvestigation(ctx context.Context, tenant, id, state, doc string) error {
	res, err := s.exec(ctx, `UPDATE investigations SET state = ?, doc = ?, updated_at = ? WHERE tenant = ? AND id = ?`,
		state, doc, s.timeArg(s.clock()), tenant, id)
	ok, err := affectedOne(res, err)
	if err != nil {
		return fmt.Errorf("update investigation %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("investigation %s: %w", id, ErrNotFound)
	}
	return nil
}

const investigationColumns = `tenant, id, alert_id, state, doc, created_at, updated_at`

func scanInvestigation(r rowScanner) (Investigation, error) {
	var inv Investigation
	err := r.Scan(&inv.Tenant, &inv.ID, &inv.AlertID, &inv.State, &inv.Doc, timeDest(&inv.CreatedAt), timeDest(&inv.UpdatedAt))
	return inv, err
}

// Investigation returns tenant's investigation id, or an error wrapping ErrNotFound.
func (s *Store) Investigation(ctx context.Context, tenant, id string) (Investigation, error) {
	inv, err := scanInvestigation(s.queryRow(ctx, `SELECT `+investigationColumns+` FROM investigations WHERE tenant = ? AND id = ?`, tenant, id))
	if isNoRows(err) {
		return Investigation{}, fmt.Errorf("investigation %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Investigation{}, fmt.Errorf("get investigation %s: %w", id, err)
	}
	return inv, nil
}

// Investigations returns tenant's investigations that f selects, newest first.
func (s *Store) Investigations(ctx context.Context, tenant string, f InvestigationFilter) ([]Investigation, error) {
	q := `SELECT ` + investigationColumns + ` FROM investigations WHERE tenant = ?`
	args := []any{tenant}
	if len(f.AlertIDs) > 0 {
		q += ` AND alert_id IN (?` + strings.Repeat(", ?", len(f.AlertIDs)-1) + `)`
		for _, id := range f.AlertIDs {
			args = append(args, id)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	q += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, limit)
	out, err := collect(ctx, s.querier, scanInvestigation, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list investigations: %w", err)
	}
	return out, nil
}

// UnfinishedInvestigations returns every tenant's queued or running investigations, oldest
// first: the work a restart resumes.
func (s *Store) UnfinishedInvestigations(ctx context.Context) ([]Investigation, error) {
	out, err := collect(ctx, s.querier, scanInvestigation, `SELECT `+investigationColumns+` FROM investigations
		WHERE state IN (?, ?) ORDER BY created_at, id`, InvestigationQueued, InvestigationRunning)
	if err != nil {
		return nil, fmt.Errorf("list unfinished investigations: %w", err)
	}
	return out, nil
}

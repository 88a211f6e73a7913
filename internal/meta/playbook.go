package meta

import (
	"context"
	"fmt"
	"time"
)

// PlaybookVersion is one saved version of a playbook: its YAML as saved.
type PlaybookVersion struct {
	Tenant    string
	Name      string
	Version   int
	Source    string
	CreatedBy string
	CreatedAt time.Time
}

const playbookColumns = `tenant, name, version, source, created_by, created_at`

func scanPlaybook(r rowScanner) (PlaybookVersion, error) {
	var p PlaybookVersion
	err := r.Scan(&p.Tenant, &p.Name, &p.Version, &p.Source, &p.CreatedBy, timeDest(&p.CreatedAt))
	return p, err
}

// SavePlaybook stores source as the next version of tenant's playbook name (1 for a new
// one) and returns the version stored.
func (s *Store) SavePlaybook(ctx context.Context, tenant, name, source, actor string) (PlaybookVersion, error) {
	p := PlaybookVersion{Tenant: tenant, Name: name, Source: source, CreatedBy: actor, CreatedAt: s.clock()}
	err := s.inTx(ctx, func(q querier) error {
		if err := q.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM playbooks WHERE tenant = ? AND name = ?`,
			tenant, name).Scan(&p.Version); err != nil {
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO playbooks (`+playbookColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			tenant, name, p.Version, source, actor, q.timeArg(p.CreatedAt))
		return err
	})
	if err != nil {
		return PlaybookVersion{}, fmt.Errorf("save playbook %q: %w", name, err)
	}
	return p, nil
}

// Playbook returns version of tenant's playbook name (the latest when version is 0), or an
// error wrapping ErrNotFound.
func (s *Store) Playbook(ctx context.Context, tenant, name string, version int) (PlaybookVersion, error) {
	q := `SELECT ` + playbookColumns + ` FROM playbooks WHERE tenant = ? AND name = ? AND version = ?`
	args := []any{tenant, name, version}
	if version == 0 {
		q = `SELECT ` + playbookColumns + ` FROM playbooks WHERE tenant = ? AND name = ? ORDER BY version DESC LIMIT 1`
		args = args[:2]
	}
	p, err := scanPlaybook(s.queryRow(ctx, q, args...))
	if isNoRows(err) {
		return PlaybookVersion{}, fmt.Errorf("playbook %q version %d: %w", name, version, ErrNotFound)
	}
	if err != nil {
		return PlaybookVersion{}, fmt.Errorf("get playbook %q: %w", name, err)
	}
	return p, nil
}

// Playbooks returns the latest version of each of tenant's playbooks, by name.
func (s *Store) Playbooks(ctx context.Context, tenant string) ([]PlaybookVersion, error) {
	ps, err := collect(ctx, s.querier, scanPlaybook, `SELECT `+playbookColumns+` FROM playbooks p WHERE tenant = ?
		AND version = (SELECT MAX(version) FROM playbooks l WHERE l.tenant = p.tenant AND l.name = p.name) ORDER BY name`, tenant)
	if err != nil {
		return nil, fmt.Errorf("list playbooks: %w", err)
	}
	return ps, nil
}

// PlaybookRun is a run of a playbook as stored. Steps is the JSON array of step records
// the playbook runner keeps.
type PlaybookRun struct {
	Tenant     string
	ID         string
	Playbook   string
	Version    int // 0: a built-in playbook
	Status     string
	Trigger    string
	IncidentID int64
	AlertID    string
	StartedBy  string
	Inputs     string // JSON object
	Steps      string // JSON array
	Error      string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time // zero until the run ends
}

const playbookRunColumns = `tenant, id, playbook, version, status, trigger_kind, incident_id, alert_id, started_by,
	inputs, steps, error, created_at, updated_at, finished_at`

func scanPlaybookRun(r rowScanner) (PlaybookRun, error) {
	var p PlaybookRun
	err := r.Scan(&p.Tenant, &p.ID, &p.Playbook, &p.Version, &p.Status, &p.Trigger, &p.IncidentID, &p.AlertID,
		&p.StartedBy, &p.Inputs, &p.Steps, &p.Error, timeDest(&p.CreatedAt), timeDest(&p.UpdatedAt), nullTimeDest(&p.FinishedAt))
	return p, err
}

// CreatePlaybookRun stores a new run, stamping its times, and returns it.
func (s *Store) CreatePlaybookRun(ctx context.Context, r PlaybookRun) (PlaybookRun, error) {
	now := s.clock()
	r.CreatedAt, r.UpdatedAt = now, now
	_, err := s.exec(ctx, `INSERT INTO playbook_runs (`+playbookRunColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Tenant, r.ID, r.Playbook, r.Version, r.Status, r.Trigger, r.IncidentID, r.AlertID, r.StartedBy, r.Inputs,
		r.Steps, r.Error, s.timeArg(now), s.timeArg(now), nullTimeArg(s.querier, r.FinishedAt))
	if err != nil {
		return PlaybookRun{}, fmt.Errorf("create playbook run: %w", err)
	}
	return r, nil
}

// UpdatePlaybookRun saves the status, steps, error and finish time of a run and stamps its
// update time, or returns an error wrapping ErrNotFound.
func (s *Store) UpdatePlaybookRun(ctx context.Context, r PlaybookRun) (PlaybookRun, error) {
	r.UpdatedAt = s.clock()
	res, err := s.exec(ctx, `UPDATE playbook_runs SET status = ?, steps = ?, error = ?, updated_at = ?, finished_at = ?
		WHERE tenant = ? AND id = ?`, r.Status, r.Steps, r.Error, s.timeArg(r.UpdatedAt), nullTimeArg(s.querier, r.FinishedAt),
		r.Tenant, r.ID)
	ok, err := affectedOne(res, err)
	switch {
	case err != nil:
		return PlaybookRun{}, fmt.Errorf("update playbook run %s: %w", r.ID, err)
	case !ok:
		return PlaybookRun{}, fmt.Errorf("playbook run %q: %w", r.ID, ErrNotFound)
	}
	return r, nil
}

// PlaybookRunByID returns tenant's run id, or an error wrapping ErrNotFound.
func (s *Store) PlaybookRunByID(ctx context.Context, tenant, id string) (PlaybookRun, error) {
	r, err := scanPlaybookRun(s.queryRow(ctx, `SELECT `+playbookRunColumns+` FROM playbook_runs WHERE tenant = ? AND id = ?`, tenant, id))
	if isNoRows(err) {
		return PlaybookRun{}, fmt.Errorf("playbook run %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return PlaybookRun{}, fmt.Errorf("get playbook run %q: %w", id, err)
	}
	return r, nil
}

// PlaybookRuns returns tenant's runs, of playbook only when it is not empty, newest first,
// at most top (all when top is 0).
func (s *Store) PlaybookRuns(ctx context.Context, tenant, playbook string, top int) ([]PlaybookRun, error) {
	q := `SELECT ` + playbookRunColumns + ` FROM playbook_runs WHERE tenant = ?`
	args := []any{tenant}
	if playbook != "" {
		q += ` AND playbook = ?`
		args = append(args, playbook)
	}
	q += ` ORDER BY created_at DESC, id`
	if top > 0 {
		q += fmt.Sprintf(` LIMIT %d`, top)
	}
	rs, err := collect(ctx, s.querier, scanPlaybookRun, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list playbook runs: %w", err)
	}
	return rs, nil
}

// PlaybookRunsInStatus returns the runs of every tenant in one of statuses, oldest first
// (what the runner resumes after a restart).
func (s *Store) PlaybookRunsInStatus(ctx context.Context, statuses ...string) ([]PlaybookRun, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := make([]any, len(statuses))
	for i, st := range statuses {
		args[i] = st
	}
	rs, err := collect(ctx, s.querier, scanPlaybookRun, `SELECT `+playbookRunColumns+` FROM playbook_runs
		WHERE status IN (`+placeholders(len(statuses))+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list playbook runs: %w", err)
	}
	return rs, nil
}

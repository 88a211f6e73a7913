package playbook

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// RunStatus is where a run is.
type RunStatus string

// The run statuses.
const (
	RunRunning   RunStatus = "running"
	RunWaiting   RunStatus = "waiting" // a step waits for approval
	RunCompleted RunStatus = "completed"
	RunFailed    RunStatus = "failed"
)

// StepStatus is where a step of a run is.
type StepStatus string

// The step statuses.
const (
	StepPending   StepStatus = "pending"
	StepRunning   StepStatus = "running"
	StepWaiting   StepStatus = "waiting"
	StepCompleted StepStatus = "completed"
	StepFailed    StepStatus = "failed"
	StepSkipped   StepStatus = "skipped"
)

// final reports whether a step is done with.
func (s StepStatus) final() bool {
	return s == StepCompleted || s == StepFailed || s == StepSkipped
}

// Run is a run of a playbook with the record of each step.
type Run struct {
	Tenant     string         `json:"tenantId"`
	ID         string         `json:"id"`
	Playbook   string         `json:"playbook"`
	Version    int            `json:"version"` // 0: a built-in playbook
	Status     RunStatus      `json:"status"`
	Trigger    string         `json:"trigger"`
	IncidentID int64          `json:"incidentId,omitempty"`
	AlertID    string         `json:"alertId,omitempty"`
	StartedBy  string         `json:"startedBy"`
	Inputs     map[string]any `json:"inputs"`
	Steps      []StepRun      `json:"steps"`
	Error      string         `json:"error,omitempty"`
	CreatedAt  time.Time      `json:"createdDateTime"`
	UpdatedAt  time.Time      `json:"lastUpdateDateTime"`
	FinishedAt *time.Time     `json:"finishedDateTime,omitempty"`
}

// StepRun is the record of one step in a run.
type StepRun struct {
	ID       string     `json:"id"`
	Action   string     `json:"action"`
	Status   StepStatus `json:"status"`
	Attempts int        `json:"attempts"`
	Output   any        `json:"output,omitempty"`
	Error    string     `json:"error,omitempty"`
	// Items are the outputs of the items a foreach step has finished (nil for a skipped one).
	Items []any `json:"items,omitempty"`
	// ItemAttempts counts the attempts of the item (or step) in progress.
	ItemAttempts int        `json:"itemAttempts,omitempty"`
	StartedAt    *time.Time `json:"startDateTime,omitempty"`
	FinishedAt   *time.Time `json:"finishDateTime,omitempty"`
	// Deadline is when a waiting approval times out.
	Deadline *time.Time `json:"deadline,omitempty"`
	// DecidedBy is who approved or rejected a waiting step.
	DecidedBy string `json:"decidedBy,omitempty"`
}

func (r Run) toRecord() (meta.PlaybookRun, error) {
	inputs, err := json.Marshal(r.Inputs)
	if err != nil {
		return meta.PlaybookRun{}, fmt.Errorf("run inputs: %w", err)
	}
	steps, err := json.Marshal(r.Steps)
	if err != nil {
		return meta.PlaybookRun{}, fmt.Errorf("run steps: %w", err)
	}
	rec := meta.PlaybookRun{Tenant: r.Tenant, ID: r.ID, Playbook: r.Playbook, Version: r.Version, Status: string(r.Status),
		Trigger: r.Trigger, IncidentID: r.IncidentID, AlertID: r.AlertID, StartedBy: r.StartedBy, Inputs: string(inputs),
		Steps: string(steps), Error: r.Error, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.FinishedAt != nil {
		rec.FinishedAt = *r.FinishedAt
	}
	return rec, nil
}

func runFromRecord(rec meta.PlaybookRun) (Run, error) {
	r := Run{Tenant: rec.Tenant, ID: rec.ID, Playbook: rec.Playbook, Version: rec.Version, Status: RunStatus(rec.Status),
		Trigger: rec.Trigger, IncidentID: rec.IncidentID, AlertID: rec.AlertID, StartedBy: rec.StartedBy, Error: rec.Error,
		CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt}
	if !rec.FinishedAt.IsZero() {
		t := rec.FinishedAt
		r.FinishedAt = &t
	}
	if err := json.Unmarshal([]byte(rec.Inputs), &r.Inputs); err != nil {
		return Run{}, fmt.Errorf("run %s inputs: %w", rec.ID, err)
	}
	if err := json.Unmarshal([]byte(rec.Steps), &r.Steps); err != nil {
		return Run{}, fmt.Errorf("run %s steps: %w", rec.ID, err)
	}
	return r, nil
}

// stepsEnv is the steps map of the expression environment: each step's status, output,
// error and attempts by id.
func (r *Run) stepsEnv() map[string]any {
	out := make(map[string]any, len(r.Steps))
	for _, s := range r.Steps {
		out[s.ID] = map[string]any{"status": string(s.Status), "output": s.Output, "error": s.Error, "attempts": s.Attempts}
	}
	return out
}

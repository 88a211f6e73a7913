package playbook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// Store keeps playbook versions and runs (*meta.Store).
type Store interface {
	SavePlaybook(ctx context.Context, tenant, name, source, actor string) (meta.PlaybookVersion, error)
	Playbook(ctx context.Context, tenant, name string, version int) (meta.PlaybookVersion, error)
	Playbooks(ctx context.Context, tenant string) ([]meta.PlaybookVersion, error)
	CreatePlaybookRun(ctx context.Context, r meta.PlaybookRun) (meta.PlaybookRun, error)
	UpdatePlaybookRun(ctx context.Context, r meta.PlaybookRun) (meta.PlaybookRun, error)
	PlaybookRunByID(ctx context.Context, tenant, id string) (meta.PlaybookRun, error)
	PlaybookRuns(ctx context.Context, tenant, playbook string, top int) ([]meta.PlaybookRun, error)
	PlaybookRunsInStatus(ctx context.Context, statuses ...string) ([]meta.PlaybookRun, error)
}

// Incidents reads and changes incidents the way the incident API does, so that changes are
// recorded in the incident's history and announced (*incident.Service).
type Incidents interface {
	Incident(ctx context.Context, tenant string, id int64) (meta.Incident, error)
	IncidentAlerts(ctx context.Context, tenant string, id int64) ([]meta.IncidentAlert, error)
	Alert(ctx context.Context, tenant, id string) (meta.IncidentAlert, error)
	UpdateIncident(ctx context.Context, tenant string, id int64, p meta.IncidentPatch, actor string) (meta.Incident, error)
	AddIncidentComment(ctx context.Context, tenant string, id int64, comment, actor string) ([]meta.IncidentComment, error)
}

// Actions is the Action Center steps request actions from (*respond.Service).
type Actions interface {
	Request(ctx context.Context, tenant string, actor respond.Actor, r respond.Request) (respond.Action, error)
}

// Options configure a Runner.
type Options struct {
	Store     Store
	Incidents Incidents
	Actions   Actions
	// Builtin are the playbooks shipped in content/playbooks, available in every tenant
	// (version 0) unless the tenant saved one of the same name.
	Builtin []*Playbook
	// SMTP is where emailNotification steps send mail; an empty host fails those steps.
	SMTP SMTPConfig
	// HTTPClient sends webhooks; nil uses a client with a 30s timeout.
	HTTPClient *http.Client
	// Auditor receives an audit event per save, run start and end, and decision.
	Auditor auth.Auditor
	// Workers is how many runs execute at once (default 4).
	Workers int
	// CheckInterval is how often waiting approvals are checked for timeouts (default 5s).
	CheckInterval time.Duration
	Log           *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Runner saves playbooks and runs them. It is safe for concurrent use; Run must be running
// for runs to make progress.
type Runner struct {
	opts  Options
	queue chan runRef
	born  time.Time  // runs created before are resumed by Run
	mu    sync.Mutex // serializes decisions, timeouts and resumption of runs

	activeMu sync.Mutex
	active   map[string]bool // runs a worker executes; true: queued again meanwhile
}

type runRef struct{ tenant, id string }

// queueSize bounds the runs waiting for a worker.
const queueSize = 1024

// New returns a runner.
func New(opts Options) *Runner {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = 5 * time.Second
	}
	return &Runner{opts: opts, queue: make(chan runRef, queueSize), born: opts.Now().Truncate(time.Microsecond), active: map[string]bool{}}
}

// ErrNotAllowed is returned when a playbook's trigger does not allow how it was started.
var ErrNotAllowed = errors.New("playbook trigger does not allow this start")

// ErrNotWaiting is returned when a decision names a step that is not waiting for approval.
var ErrNotWaiting = errors.New("step is not waiting for approval")

// Save validates src and stores it as the next version of its playbook.
func (r *Runner) Save(ctx context.Context, tenant, file string, src []byte, actor respond.Actor) (*Playbook, error) {
	p, err := Parse(file, src)
	if err != nil {
		return nil, err
	}
	v, err := r.opts.Store.SavePlaybook(ctx, tenant, p.Name, string(src), actor.Name)
	if err != nil {
		return nil, err
	}
	p.Version = v.Version
	r.audit(ctx, actor, tenant, "playbook.save", p.Name, "success", map[string]any{"version": v.Version})
	return p, nil
}

// Get returns the latest version of tenant's playbook name (a built-in one when the tenant
// saved none of that name), or an error wrapping meta.ErrNotFound.
func (r *Runner) Get(ctx context.Context, tenant, name string) (*Playbook, error) {
	return r.version(ctx, tenant, name, -1)
}

// version returns version of a playbook: -1 the latest, 0 the built-in one.
func (r *Runner) version(ctx context.Context, tenant, name string, version int) (*Playbook, error) {
	if version != 0 {
		v, err := r.opts.Store.Playbook(ctx, tenant, name, max(version, 0))
		if err == nil {
			p, err := Parse(name+".yaml", []byte(v.Source))
			if err != nil {
				return nil, fmt.Errorf("stored playbook %s version %d: %w", name, v.Version, err)
			}
			p.Version = v.Version
			return p, nil
		}
		if !errors.Is(err, meta.ErrNotFound) || version > 0 {
			return nil, err
		}
	}
	for _, b := range r.opts.Builtin {
		if b.Name == name {
			return b, nil
		}
	}
	return nil, fmt.Errorf("playbook %q: %w", name, meta.ErrNotFound)
}

// List returns the latest version of each of tenant's playbooks and the built-in ones it
// did not replace, by name.
func (r *Runner) List(ctx context.Context, tenant string) ([]*Playbook, error) {
	vs, err := r.opts.Store.Playbooks(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var out []*Playbook
	for _, v := range vs {
		p, err := Parse(v.Name+".yaml", []byte(v.Source))
		if err != nil {
			return nil, fmt.Errorf("stored playbook %s version %d: %w", v.Name, v.Version, err)
		}
		p.Version = v.Version
		out = append(out, p)
	}
	for _, b := range r.opts.Builtin {
		if !slices.ContainsFunc(out, func(p *Playbook) bool { return p.Name == b.Name }) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b *Playbook) int { return cmpString(a.Name, b.Name) })
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// StartRequest asks for a run.
type StartRequest struct {
	Playbook   string
	Trigger    string // manual, automationRule, alertCreated or incidentCreated
	IncidentID int64
	AlertID    string
	Inputs     map[string]any
	// By names who started it: a user, or automation rule "<name>".
	By respond.Actor
}

// Start records a run of the latest version of a playbook and queues it.
func (r *Runner) Start(ctx context.Context, tenant string, req StartRequest) (Run, error) {
	p, err := r.Get(ctx, tenant, req.Playbook)
	if err != nil {
		return Run{}, err
	}
	if !p.Allows(req.Trigger) {
		return Run{}, fmt.Errorf("playbook %s (trigger %v) started by %s: %w", p.Name, p.Trigger, req.Trigger, ErrNotAllowed)
	}
	inputs, err := p.resolveInputs(req.Inputs)
	if err != nil {
		return Run{}, err
	}
	run := Run{Tenant: tenant, ID: NewID(), Playbook: p.Name, Version: p.Version, Status: RunRunning, Trigger: req.Trigger,
		IncidentID: req.IncidentID, AlertID: req.AlertID, StartedBy: req.By.Name, Inputs: inputs}
	for _, s := range p.Steps {
		run.Steps = append(run.Steps, StepRun{ID: s.ID, Action: s.Action, Status: StepPending})
	}
	rec, err := run.toRecord()
	if err != nil {
		return Run{}, err
	}
	if rec, err = r.opts.Store.CreatePlaybookRun(ctx, rec); err != nil {
		return Run{}, err
	}
	run.CreatedAt, run.UpdatedAt = rec.CreatedAt, rec.UpdatedAt
	r.audit(ctx, req.By, tenant, "playbook.run", run.ID, "success", map[string]any{"playbook": p.Name, "version": p.Version,
		"trigger": req.Trigger, "incidentId": req.IncidentID, "alertId": req.AlertID})
	r.enqueue(tenant, run.ID)
	return run, nil
}

// resolveInputs applies defaults and checks required inputs and unknown ones.
func (p *Playbook) resolveInputs(given map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range given {
		if !slices.ContainsFunc(p.Inputs, func(in Input) bool { return in.Name == k }) {
			return nil, &InputError{fmt.Sprintf("playbook %s has no input %q", p.Name, k)}
		}
		out[k] = v
	}
	for _, in := range p.Inputs {
		if _, ok := out[in.Name]; ok {
			continue
		}
		if in.Required && in.Default == nil {
			return nil, &InputError{fmt.Sprintf("playbook %s needs input %q", p.Name, in.Name)}
		}
		out[in.Name] = in.Default
	}
	return out, nil
}

// InputError is a run request with missing or unknown inputs.
type InputError struct{ Msg string }

// Error implements error.
func (e *InputError) Error() string { return e.Msg }

// claim marks a run as executed by the caller; false when a worker executes it already (it
// is then executed again once that worker is done, so that no requeue is lost).
func (r *Runner) claim(id string) bool {
	r.activeMu.Lock()
	defer r.activeMu.Unlock()
	if _, ok := r.active[id]; ok {
		r.active[id] = true
		return false
	}
	r.active[id] = false
	return true
}

// release ends a claim, requeueing the run when it was queued again meanwhile.
func (r *Runner) release(tenant, id string) {
	r.activeMu.Lock()
	again := r.active[id]
	delete(r.active, id)
	r.activeMu.Unlock()
	if again {
		r.enqueue(tenant, id)
	}
}

func (r *Runner) enqueue(tenant, id string) {
	select {
	case r.queue <- runRef{tenant, id}:
	default:
		r.opts.Log.Error("playbook run queue full; the run resumes at the next start", "run", id)
	}
}

// GetRun returns one of tenant's runs.
func (r *Runner) GetRun(ctx context.Context, tenant, id string) (Run, error) {
	rec, err := r.opts.Store.PlaybookRunByID(ctx, tenant, id)
	if err != nil {
		return Run{}, err
	}
	return runFromRecord(rec)
}

// Runs returns tenant's runs (of playbook when not empty), newest first, at most top.
func (r *Runner) Runs(ctx context.Context, tenant, playbook string, top int) ([]Run, error) {
	recs, err := r.opts.Store.PlaybookRuns(ctx, tenant, playbook, top)
	if err != nil {
		return nil, err
	}
	out := make([]Run, 0, len(recs))
	for _, rec := range recs {
		run, err := runFromRecord(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, run)
	}
	return out, nil
}

func (r *Runner) save(ctx context.Context, run *Run) error {
	rec, err := run.toRecord()
	if err != nil {
		return err
	}
	rec, err = r.opts.Store.UpdatePlaybookRun(context.WithoutCancel(ctx), rec)
	if err != nil {
		return err
	}
	run.UpdatedAt = rec.UpdatedAt
	return nil
}

func (r *Runner) audit(ctx context.Context, actor respond.Actor, tenant, action, target, result string, detail map[string]any) {
	Audit(ctx, r.opts.Auditor, r.opts.Log, actor, tenant, action, target, result, detail)
}

package playbook

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// interruptedByRestart is the error of a step that was running when the process stopped
// and may not be tried again.
const interruptedByRestart = "interrupted by restart"

// Run resumes the runs a restart interrupted, then executes queued runs and times out
// waiting approvals until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.resume(ctx); err != nil {
		r.opts.Log.Error("resume playbook runs", "err", err)
	}
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case ref := <-r.queue:
					r.execute(ctx, ref.tenant, ref.id)
				}
			}
		})
	}
	t := time.NewTicker(r.opts.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
			r.timeouts(ctx)
		}
	}
}

// resume requeues the runs that were running when the process stopped (created before the
// runner): a step that was running is retried when its policy allows another attempt, else
// failed with "interrupted by restart".
func (r *Runner) resume(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	recs, err := r.opts.Store.PlaybookRunsInStatus(ctx, string(RunRunning))
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if !rec.CreatedAt.Before(r.born) {
			continue // started by this process: queued already
		}
		run, err := runFromRecord(rec)
		if err != nil {
			r.opts.Log.Error("playbook run not resumed", "run", rec.ID, "err", err)
			continue
		}
		p, err := r.version(ctx, run.Tenant, run.Playbook, run.Version)
		if err != nil {
			r.opts.Log.Error("playbook run not resumed", "run", rec.ID, "err", err)
			continue
		}
		for i := range run.Steps {
			s := &run.Steps[i]
			if s.Status != StepRunning || i >= len(p.Steps) {
				continue
			}
			if s.ItemAttempts < p.Steps[i].Retry.attempts() {
				s.Status, s.Error = StepPending, interruptedByRestart+"; retried"
			} else {
				r.finishStep(s, StepFailed, nil, interruptedByRestart)
			}
		}
		if err := r.save(ctx, &run); err != nil {
			r.opts.Log.Error("playbook run not resumed", "run", rec.ID, "err", err)
			continue
		}
		r.opts.Log.Info("playbook run resumed", "run", run.ID, "playbook", run.Playbook)
		r.enqueue(run.Tenant, run.ID)
	}
	return nil
}

// timeouts fails the approvals whose deadline passed; their runs go on (and fail unless the
// step continues on error).
func (r *Runner) timeouts(ctx context.Context) {
	recs, err := r.opts.Store.PlaybookRunsInStatus(ctx, string(RunWaiting))
	if err != nil {
		r.opts.Log.Warn("check playbook approvals", "err", err)
		return
	}
	now := r.opts.Now()
	for _, rec := range recs {
		run, err := runFromRecord(rec)
		if err != nil {
			continue
		}
		for _, s := range run.Steps {
			if s.Status == StepWaiting && s.Deadline != nil && now.After(*s.Deadline) {
				_, err := r.decide(ctx, run.Tenant, run.ID, s.ID, respond.Actor{Name: "playbook-runner"}, false,
					"approval timed out at "+s.Deadline.UTC().Format(time.RFC3339))
				if err != nil {
					r.opts.Log.Warn("time out playbook approval", "run", run.ID, "err", err)
				}
			}
		}
	}
}

// Approve approves the waiting step of a run, which then goes on.
func (r *Runner) Approve(ctx context.Context, tenant, runID, stepID string, actor respond.Actor, comment string) (Run, error) {
	return r.decide(ctx, tenant, runID, stepID, actor, true, comment)
}

// Reject rejects the waiting step of a run: the step fails.
func (r *Runner) Reject(ctx context.Context, tenant, runID, stepID string, actor respond.Actor, comment string) (Run, error) {
	return r.decide(ctx, tenant, runID, stepID, actor, false, comment)
}

func (r *Runner) decide(ctx context.Context, tenant, runID, stepID string, actor respond.Actor, approve bool, comment string) (Run, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	run, err := r.GetRun(ctx, tenant, runID)
	if err != nil {
		return Run{}, err
	}
	i := indexOfStep(run.Steps, stepID)
	if i < 0 || run.Status != RunWaiting || run.Steps[i].Status != StepWaiting {
		return run, fmt.Errorf("run %s step %q: %w", runID, stepID, ErrNotWaiting)
	}
	s := &run.Steps[i]
	s.DecidedBy = actor.Name
	out := map[string]any{"approved": approve, "by": actor.Name, "comment": comment}
	if approve {
		r.finishStep(s, StepCompleted, out, "")
	} else {
		why := "rejected by " + actor.Name
		if actor.Name == "playbook-runner" {
			why = comment
		} else if comment != "" {
			why += ": " + comment
		}
		r.finishStep(s, StepFailed, out, why)
	}
	run.Status = RunRunning
	if err := r.save(ctx, &run); err != nil {
		return Run{}, err
	}
	verb := "playbook.approve"
	if !approve {
		verb = "playbook.reject"
	}
	r.audit(ctx, actor, tenant, verb, runID, "success", map[string]any{"step": stepID, "comment": comment})
	r.enqueue(tenant, runID)
	return run, nil
}

func indexOfStep(steps []StepRun, id string) int {
	for i, s := range steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

func (r *Runner) finishStep(s *StepRun, status StepStatus, out any, errMsg string) {
	now := r.opts.Now().UTC()
	s.Status, s.Error, s.FinishedAt, s.Deadline = status, errMsg, &now, nil
	if out != nil {
		s.Output = capOutput(out)
	}
}

// capOutput keeps a step's output small enough to store.
func capOutput(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > maxStepOutputBytes {
		return map[string]any{"truncated": true, "json": string(b[:maxStepOutputBytes])}
	}
	return v
}

// execute runs a queued run's remaining steps in order.
func (r *Runner) execute(ctx context.Context, tenant, id string) {
	if !r.claim(id) {
		return
	}
	defer r.release(tenant, id)
	run, err := r.GetRun(ctx, tenant, id)
	if err != nil || run.Status != RunRunning {
		return
	}
	p, err := r.version(ctx, tenant, run.Playbook, run.Version)
	if err == nil && len(p.Steps) != len(run.Steps) {
		err = fmt.Errorf("playbook %s version %d has %d steps, the run %d", p.Name, p.Version, len(p.Steps), len(run.Steps))
	}
	var env map[string]any
	if err == nil {
		env, err = r.environment(ctx, &run)
	}
	if err != nil {
		r.endRun(ctx, &run, RunFailed, err.Error())
		return
	}
	for i := range p.Steps {
		s := &run.Steps[i]
		if !s.Status.final() {
			env["steps"] = run.stepsEnv()
			r.runStep(ctx, &run, p, &p.Steps[i], s, env)
		}
		switch {
		case ctx.Err() != nil:
			return // stopping: the run resumes at the next start
		case s.Status == StepWaiting:
			run.Status = RunWaiting
			if err := r.save(ctx, &run); err != nil {
				r.opts.Log.Error("save playbook run", "run", run.ID, "err", err)
			}
			return
		case s.Status == StepFailed && !p.Steps[i].ContinueOnError:
			for j := i + 1; j < len(run.Steps); j++ {
				r.finishStep(&run.Steps[j], StepSkipped, nil, "")
			}
			r.endRun(ctx, &run, RunFailed, fmt.Sprintf("step %s failed: %s", s.ID, s.Error))
			return
		}
	}
	r.endRun(ctx, &run, RunCompleted, "")
}

func (r *Runner) endRun(ctx context.Context, run *Run, status RunStatus, errMsg string) {
	now := r.opts.Now().UTC()
	run.Status, run.Error, run.FinishedAt = status, errMsg, &now
	if err := r.save(ctx, run); err != nil {
		r.opts.Log.Error("save playbook run", "run", run.ID, "err", err)
	}
	result := "success"
	if status == RunFailed {
		result = "failure"
	}
	r.audit(ctx, respond.Actor{Name: "playbook " + run.Playbook}, run.Tenant, "playbook.runEnd", run.ID, result,
		map[string]any{"status": status, "error": errMsg})
}

// environment is what expressions see: the incident, its alerts and entities, the alert
// that triggered the run, the inputs and the run.
func (r *Runner) environment(ctx context.Context, run *Run) (map[string]any, error) {
	env := map[string]any{"inputs": run.Inputs, "incident": map[string]any{}, "alert": map[string]any{}, "item": nil,
		"run": map[string]any{"id": run.ID, "playbook": run.Playbook, "version": run.Version, "trigger": run.Trigger, "startedBy": run.StartedBy}}
	var alerts []alert.Alert
	if run.IncidentID != 0 {
		in, err := r.opts.Incidents.Incident(ctx, run.Tenant, run.IncidentID)
		if err != nil {
			return nil, fmt.Errorf("incident %d: %w", run.IncidentID, err)
		}
		env["incident"] = IncidentEnv(in)
		ias, err := r.opts.Incidents.IncidentAlerts(ctx, run.Tenant, run.IncidentID)
		if err != nil {
			return nil, err
		}
		if alerts, err = DecodeAlerts(ias); err != nil {
			return nil, err
		}
	}
	if run.AlertID != "" {
		ia, err := r.opts.Incidents.Alert(ctx, run.Tenant, run.AlertID)
		if err != nil {
			return nil, fmt.Errorf("alert %s: %w", run.AlertID, err)
		}
		as, err := DecodeAlerts([]meta.IncidentAlert{ia})
		if err != nil {
			return nil, err
		}
		env["alert"] = AlertEnv(as[0])
		if run.IncidentID == 0 {
			alerts = as
		}
	} else if len(alerts) > 0 {
		env["alert"] = AlertEnv(alerts[len(alerts)-1])
	}
	env["entities"] = Entities(alerts)
	return env, nil
}

// DecodeAlerts decodes the alerts the state store keeps as JSON.
func DecodeAlerts(ias []meta.IncidentAlert) ([]alert.Alert, error) {
	out := make([]alert.Alert, 0, len(ias))
	for _, ia := range ias {
		var a alert.Alert
		if err := json.Unmarshal(ia.Data, &a); err != nil {
			return nil, fmt.Errorf("alert %s: %w", ia.AlertID, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// IncidentEnv is an incident as expressions see it.
func IncidentEnv(in meta.Incident) map[string]any {
	tags := make([]any, len(in.Tags))
	for i, t := range in.Tags {
		tags[i] = t
	}
	return map[string]any{"id": in.ID, "tenant": in.Tenant, "title": in.Title, "severity": in.Severity, "status": in.Status,
		"owner": in.AssignedTo, "classification": in.Classification, "determination": in.Determination, "tags": tags,
		"alertCount": in.AlertCount}
}

// AlertEnv is an alert as expressions see it.
func AlertEnv(a alert.Alert) map[string]any {
	list := func(s []string) []any {
		out := make([]any, len(s))
		for i, v := range s {
			out[i] = v
		}
		return out
	}
	return map[string]any{"id": a.ID, "title": a.Title, "description": a.Description, "severity": string(a.Severity),
		"ruleId": a.RuleID, "ruleName": a.RuleName, "provider": a.Provider, "tactics": list(a.Tactics),
		"techniques": list(a.Techniques)}
}

// runStep runs one step (each item of a foreach step) with its retry policy, saving the run
// before each attempt so that a restart knows where it was.
func (r *Runner) runStep(ctx context.Context, run *Run, p *Playbook, st *Step, s *StepRun, env map[string]any) {
	if st.Action == actWaitForApproval {
		r.waitStep(run, st, s, env)
		return
	}
	items := []any{nil}
	if st.Foreach != nil {
		v, err := st.Foreach.eval(env)
		if err == nil {
			items, err = asList(v)
		}
		if err != nil {
			r.finishStep(s, StepFailed, nil, "foreach: "+err.Error())
			return
		}
	}
	if s.StartedAt == nil {
		now := r.opts.Now().UTC()
		s.StartedAt = &now
	}
	ran := false
	for len(s.Items) < len(items) || (st.Foreach == nil && !s.Status.final()) {
		item := items[min(len(s.Items), len(items)-1)]
		env["item"] = item
		out, ok, err := r.runItem(ctx, run, p, st, s, env)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.finishStep(s, StepFailed, nil, err.Error())
			return
		}
		ran = ran || ok
		if st.Foreach == nil {
			status := StepCompleted
			if !ok {
				status = StepSkipped
			}
			r.finishStep(s, status, out, "")
			return
		}
		s.Items = append(s.Items, out)
		s.ItemAttempts = 0
	}
	status := StepCompleted
	if !ran {
		status = StepSkipped
	}
	r.finishStep(s, status, s.Items, "")
}

// runItem runs a step once for an item: false when its condition is false.
func (r *Runner) runItem(ctx context.Context, run *Run, p *Playbook, st *Step, s *StepRun, env map[string]any) (any, bool, error) {
	if st.If != nil {
		v, err := st.If.eval(env)
		if err != nil {
			return nil, false, err
		}
		if b, _ := v.(bool); !b {
			return nil, false, nil
		}
	}
	args := map[string]any{}
	for k, v := range st.With {
		x, err := v.eval(env)
		if err != nil {
			return nil, false, fmt.Errorf("with.%s: %w", k, err)
		}
		args[k] = x
	}
	call := &stepCall{run: run, playbook: p, step: st, args: args}
	for {
		s.Attempts++
		s.ItemAttempts++
		s.Status = StepRunning
		if err := r.save(ctx, run); err != nil {
			return nil, false, err
		}
		out, err := specs()[st.Action].run(r, ctx, call)
		if err == nil {
			s.Error = ""
			return out, true, nil
		}
		if s.ItemAttempts >= st.Retry.attempts() || ctx.Err() != nil {
			return nil, false, fmt.Errorf("attempt %d: %w", s.ItemAttempts, err)
		}
		s.Error = fmt.Sprintf("attempt %d: %v", s.ItemAttempts, err)
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(st.Retry.wait(s.ItemAttempts + 1)):
		}
	}
}

// waitStep pauses the run until the step is approved or rejected, or times out.
func (r *Runner) waitStep(run *Run, st *Step, s *StepRun, env map[string]any) {
	if st.If != nil {
		v, err := st.If.eval(env)
		if err != nil {
			r.finishStep(s, StepFailed, nil, err.Error())
			return
		}
		if b, _ := v.(bool); !b {
			r.finishStep(s, StepSkipped, nil, "")
			return
		}
	}
	timeout := defaultApprovalTimeout
	msg := "approval needed to go on with playbook " + run.Playbook
	for k, v := range st.With {
		x, err := v.eval(env)
		if err != nil {
			r.finishStep(s, StepFailed, nil, fmt.Sprintf("with.%s: %v", k, err))
			return
		}
		switch k {
		case "message":
			msg = fmt.Sprint(x)
		case "timeout":
			if timeout, err = time.ParseDuration(fmt.Sprint(x)); err != nil || timeout <= 0 {
				r.finishStep(s, StepFailed, nil, fmt.Sprintf("with.timeout: %q is not a positive duration", x))
				return
			}
		}
	}
	now := r.opts.Now().UTC()
	deadline := now.Add(timeout)
	s.Status, s.StartedAt, s.Deadline, s.Attempts = StepWaiting, &now, &deadline, 1
	s.Output = map[string]any{"message": msg}
}

// asList converts a foreach value to a list.
func asList(v any) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	if l, ok := v.([]any); ok {
		return l, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("want a list, got %T", v)
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}

package playbook

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// stepCall is one attempt of a step: the run, the step and its evaluated arguments.
type stepCall struct {
	run      *Run
	playbook *Playbook
	step     *Step
	args     map[string]any
}

// actor names the playbook in incident history and the Action Center.
func (x *stepCall) actor() string { return fmt.Sprintf("playbook %q", x.playbook.Name) }

func (x *stepCall) str(name string) string {
	v, ok := x.args[name]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// strs reads a string or list argument as strings.
func (x *stepCall) strs(name string) []string {
	switch v := x.args[name].(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s := strings.TrimSpace(fmt.Sprint(e)); s != "" {
				out = append(out, s)
			}
		}
		return out
	default:
		var out []string
		for _, s := range strings.Split(fmt.Sprint(v), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
}

var errNoIncident = errors.New("the run has no incident")

// requestAction requests an Action Center action as the playbook: the tenant's automation
// level decides whether it waits for approval.
func (r *Runner) requestAction(ctx context.Context, x *stepCall) (any, error) {
	req := respond.Request{Type: respond.Type(x.step.Action), IncidentID: x.run.IncidentID, Reason: x.str("comment")}
	for _, f := range targetFields {
		setTarget(&req.Target, f, x.str(f))
	}
	if p, ok := x.args["parameters"].(map[string]any); ok {
		req.Parameters = p
	}
	if req.Reason == "" {
		req.Reason = fmt.Sprintf("playbook %s version %d, run %s, step %s", x.playbook.Name, x.playbook.Version, x.run.ID, x.step.ID)
	}
	actor := respond.Actor{Name: x.playbook.Name, Kind: auth.KindSystem, As: respond.ByPlaybook}
	a, err := r.opts.Actions.Request(ctx, x.run.Tenant, actor, req)
	if err != nil {
		return nil, err
	}
	return map[string]any{"actionId": a.ID, "status": string(a.Status), "type": string(a.Type),
		"target": respond.TargetKey(a.Type, a.Target)}, nil
}

func (r *Runner) addComment(ctx context.Context, x *stepCall) (any, error) {
	if x.run.IncidentID == 0 {
		return nil, errNoIncident
	}
	c := x.str("comment")
	if _, err := r.opts.Incidents.AddIncidentComment(ctx, x.run.Tenant, x.run.IncidentID, c, x.actor()); err != nil {
		return nil, err
	}
	return map[string]any{"comment": c}, nil
}

func (r *Runner) addTags(ctx context.Context, x *stepCall) (any, error) {
	if x.run.IncidentID == 0 {
		return nil, errNoIncident
	}
	in, err := r.opts.Incidents.Incident(ctx, x.run.Tenant, x.run.IncidentID)
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(in.Tags)
	for _, t := range x.strs("tags") {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if _, err := r.opts.Incidents.UpdateIncident(ctx, x.run.Tenant, x.run.IncidentID, meta.IncidentPatch{Tags: &tags}, x.actor()); err != nil {
		return nil, err
	}
	return map[string]any{"tags": tags}, nil
}

func (r *Runner) setSeverity(ctx context.Context, x *stepCall) (any, error) {
	if x.run.IncidentID == 0 {
		return nil, errNoIncident
	}
	sev := strings.ToLower(x.str("severity"))
	if err := checkSeverity(sev); err != nil {
		return nil, err
	}
	if _, err := r.opts.Incidents.UpdateIncident(ctx, x.run.Tenant, x.run.IncidentID, meta.IncidentPatch{Severity: &sev}, x.actor()); err != nil {
		return nil, err
	}
	return map[string]any{"severity": sev}, nil
}

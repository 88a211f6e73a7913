package automation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// incidentChange is a queued change.
type incidentChange = incident.Change

// queueSize bounds the events waiting for evaluation; past it, events are dropped and logged.
const queueSize = 4096

// correlatorActor is the correlator's name in changes and history.
const correlatorActor = "correlator"

// ActorName is how a rule is named in incident history and the audit log.
func ActorName(rule string) string { return fmt.Sprintf("automation rule %q", rule) }

// automated reports whether a change was made by automation (a rule or a playbook), which
// never triggers rules again.
func automated(actor string) bool {
	return strings.HasPrefix(actor, "automation rule ") || strings.HasPrefix(actor, "playbook ")
}

func (s *Service) init() {
	s.once.Do(func() { s.queue = make(chan incidentChange, queueSize) })
}

// Notify implements incident.Notifier: it queues the events rules react to, so that
// correlation and API requests never wait for automation.
func (s *Service) Notify(_ context.Context, changes []incident.Change) {
	s.init()
	for _, c := range changes {
		switch c.Kind {
		case incident.IncidentCreated, incident.IncidentUpdated, incident.AlertCreated:
		default:
			continue
		}
		if automated(c.Actor) {
			continue
		}
		select {
		case s.queue <- c:
		default:
			s.opts.Log.Warn("automation queue full; event dropped", "kind", c.Kind, "incident", c.IncidentID, "alert", c.AlertID)
		}
	}
}

// Run evaluates queued events until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	s.init()
	for {
		select {
		case <-ctx.Done():
			return nil
		case c := <-s.queue:
			if err := s.Handle(ctx, c); err != nil && ctx.Err() == nil {
				s.opts.Log.Warn("automation rules", "kind", c.Kind, "incident", c.IncidentID, "err", err)
			}
		}
	}
}

// Handle runs the matching rules for one change, then the playbooks triggered by it directly.
func (s *Service) Handle(ctx context.Context, c incident.Change) error {
	ev := Event{Trigger: c.Kind, At: c.At}
	subj, err := s.subject(ctx, c)
	if err != nil {
		return err
	}
	if c.Kind == incident.IncidentUpdated {
		ev.UpdatedBy, ev.Changed = updaterOf(c.Actor), s.changed(ctx, c)
	}
	rules, err := s.rules(ctx, tenantsOf(c.Tenant)...)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if !r.Matches(ev, subj) {
			continue
		}
		s.apply(ctx, r, c, subj)
		if subj.Incident != nil {
			if in, err := s.opts.Incidents.Incident(ctx, c.Tenant, subj.Incident.ID); err == nil {
				subj.Incident = &in // later rules see earlier rules' changes
			}
		}
	}
	if c.Kind == incident.IncidentCreated || c.Kind == incident.AlertCreated {
		s.triggeredPlaybooks(ctx, c)
	}
	return nil
}

// tenantsOf is the tenants whose rules apply to tenant's events: its own, and the default
// (provider) tenant's, which a tenant condition may restrict.
func tenantsOf(tenant string) []string {
	if tenant == meta.DefaultTenantID {
		return []string{tenant}
	}
	return []string{tenant, meta.DefaultTenantID}
}

// subject loads what a change is about.
func (s *Service) subject(ctx context.Context, c incident.Change) (*Subject, error) {
	subj := &Subject{Tenant: c.Tenant}
	if c.Kind == incident.AlertCreated && c.AlertID != "" {
		ia, err := s.opts.Incidents.Alert(ctx, c.Tenant, c.AlertID)
		if err != nil {
			return nil, err
		}
		as, err := playbook.DecodeAlerts([]meta.IncidentAlert{ia})
		if err != nil {
			return nil, err
		}
		subj.Alert = &as[0]
	}
	if c.IncidentID != 0 {
		in, err := s.opts.Incidents.Incident(ctx, c.Tenant, c.IncidentID)
		if err != nil {
			return nil, err
		}
		subj.Incident = &in
		ias, err := s.opts.Incidents.IncidentAlerts(ctx, c.Tenant, c.IncidentID)
		if err != nil {
			return nil, err
		}
		if subj.Alerts, err = playbook.DecodeAlerts(ias); err != nil {
			return nil, err
		}
	}
	return subj, nil
}

// updaterOf sorts the actor of an update into user, alertGrouping or application.
func updaterOf(actor string) string {
	switch actor {
	case correlatorActor:
		return ByAlertGrouping
	case "attack-disruption", "action-center":
		return ByApplication
	}
	return ByUser
}

// historyNames maps the field names of incident history to rule property names.
var historyNames = map[string]string{"status": "status", "assignedTo": "owner", "classification": "classification",
	"determination": "determination", "severity": "severity", "tags": "tags"}

// changed names the properties an update changed: alerts (and status when it reopened the
// incident) for the correlator, else those its history entry lists.
func (s *Service) changed(ctx context.Context, c incident.Change) []string {
	if c.Actor == correlatorActor {
		if strings.HasPrefix(c.Detail, "reopened") {
			return []string{"alerts", "status"}
		}
		return []string{"alerts"}
	}
	hist, err := s.opts.Store.IncidentHistory(ctx, c.Tenant, c.IncidentID)
	if err != nil {
		return nil
	}
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		if h.Actor != c.Actor || h.Action != "update" {
			continue
		}
		var out []string
		for _, part := range strings.Split(h.Detail, "; ") {
			name, _, _ := strings.Cut(part, ":")
			if p, ok := historyNames[name]; ok && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
		return out
	}
	return nil
}

// apply runs a rule's actions in order; an action that fails is recorded and the next runs.
func (s *Service) apply(ctx context.Context, r *Rule, c incident.Change, subj *Subject) {
	actor := ActorName(r.Name)
	var done, failed []string
	for _, a := range r.Actions {
		if err := s.act(ctx, r, a, c, subj); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", a.Type, err))
			s.opts.Log.Warn("automation rule action failed", "rule", r.Name, "action", a.Type, "incident", c.IncidentID, "err", err)
			continue
		}
		done = append(done, a.Type)
	}
	result := "success"
	if len(failed) > 0 {
		result = "failure"
	}
	target := fmt.Sprintf("incident/%d", c.IncidentID)
	if c.IncidentID == 0 {
		target = "alert/" + c.AlertID
	}
	s.audit(ctx, respond.Actor{Name: actor, Kind: auth.KindSystem}, c.Tenant, "automation.rule.run", target, result,
		map[string]any{"ruleId": r.ID, "rule": r.Name, "trigger": c.Kind, "actions": done, "errors": failed})
}

// act applies one action through the incident methods the API uses.
func (s *Service) act(ctx context.Context, r *Rule, a Action, c incident.Change, subj *Subject) error {
	actor := ActorName(r.Name)
	if a.Type == ActRunPlaybook {
		req := playbook.StartRequest{Playbook: a.Playbook, Trigger: playbook.TriggerAutomationRule, Inputs: a.Inputs,
			By: respond.Actor{Name: actor, Kind: auth.KindSystem}}
		if subj.Incident != nil {
			req.IncidentID = subj.Incident.ID
		}
		if c.Kind == incident.AlertCreated {
			req.AlertID = c.AlertID
		}
		_, err := s.opts.Playbooks.Start(ctx, c.Tenant, req)
		return err
	}
	if subj.Incident == nil {
		return fmt.Errorf("alert %s has no incident to change", c.AlertID)
	}
	id := subj.Incident.ID
	var p meta.IncidentPatch
	switch a.Type {
	case ActAssignOwner:
		p.AssignedTo = &a.Owner
	case ActChangeSeverity:
		p.Severity = &a.Severity
	case ActAddTags:
		in, err := s.opts.Incidents.Incident(ctx, c.Tenant, id)
		if err != nil {
			return err
		}
		tags := slices.Clone(in.Tags)
		for _, t := range a.Tags {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		p.Tags = &tags
	case ActChangeStatus:
		p.Status = &a.Status
		if a.Classification != "" {
			p.Classification = &a.Classification
		}
		if a.Determination != "" {
			p.Determination = &a.Determination
		}
	case ActSuppress:
		status, class := meta.IncidentResolved, meta.ClassExpected
		p.Status, p.Classification = &status, &class
		if a.Determination != "" {
			p.Determination = &a.Determination
		}
	}
	if _, err := s.opts.Incidents.UpdateIncident(ctx, c.Tenant, id, p, actor); err != nil {
		return err
	}
	if a.Comment != "" {
		_, err := s.opts.Incidents.AddIncidentComment(ctx, c.Tenant, id, a.Comment, actor)
		return err
	}
	return nil
}

// triggeredPlaybooks starts the playbooks whose trigger is the change's kind itself.
func (s *Service) triggeredPlaybooks(ctx context.Context, c incident.Change) {
	ps, err := s.opts.Playbooks.List(ctx, c.Tenant)
	if err != nil {
		s.opts.Log.Warn("list playbooks", "err", err)
		return
	}
	for _, p := range ps {
		if !p.Allows(c.Kind) {
			continue
		}
		req := playbook.StartRequest{Playbook: p.Name, Trigger: c.Kind, IncidentID: c.IncidentID,
			By: respond.Actor{Name: "trigger " + c.Kind, Kind: auth.KindSystem}}
		if c.Kind == incident.AlertCreated {
			req.AlertID = c.AlertID
		}
		if _, err := s.opts.Playbooks.Start(ctx, c.Tenant, req); err != nil {
			s.opts.Log.Warn("start playbook", "playbook", p.Name, "err", err)
		}
	}
}

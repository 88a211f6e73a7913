package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// Store keeps rules and reads incident history (*meta.Store).
type Store interface {
	CreateAutomationRule(ctx context.Context, r meta.AutomationRule) (meta.AutomationRule, error)
	UpdateAutomationRule(ctx context.Context, r meta.AutomationRule) (meta.AutomationRule, error)
	AutomationRuleByID(ctx context.Context, tenant, id string) (meta.AutomationRule, error)
	AutomationRules(ctx context.Context, tenants ...string) ([]meta.AutomationRule, error)
	DeleteAutomationRule(ctx context.Context, tenant, id string) error
	IncidentHistory(ctx context.Context, tenant string, id int64) ([]meta.HistoryEntry, error)
}

// Playbooks starts and finds playbooks (*playbook.Runner).
type Playbooks interface {
	Start(ctx context.Context, tenant string, req playbook.StartRequest) (playbook.Run, error)
	Get(ctx context.Context, tenant, name string) (*playbook.Playbook, error)
	List(ctx context.Context, tenant string) ([]*playbook.Playbook, error)
}

// Options configure a Service.
type Options struct {
	Store     Store
	Incidents playbook.Incidents
	Playbooks Playbooks
	// Auditor receives an audit event per rule change and per rule run; nil audits nothing.
	Auditor auth.Auditor
	Log     *slog.Logger
}

// Service keeps automation rules and runs them on incident and alert events: Notify queues
// the events, Run evaluates them. It is safe for concurrent use.
type Service struct {
	opts  Options
	once  sync.Once
	queue chan incidentChange
}

// New returns the automation rule service.
func New(opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts}
}

// Create validates src (YAML or JSON) and stores it as a new rule of tenant.
func (s *Service) Create(ctx context.Context, tenant, file string, src []byte, actor respond.Actor) (*Rule, error) {
	r, err := Parse(file, src)
	if err != nil {
		return nil, err
	}
	if err := s.checkPlaybooks(ctx, tenant, file, r); err != nil {
		return nil, err
	}
	def, err := r.Definition()
	if err != nil {
		return nil, err
	}
	rec, err := s.opts.Store.CreateAutomationRule(ctx, meta.AutomationRule{Tenant: tenant, ID: playbook.NewID(), Name: r.Name,
		Order: r.Order, Enabled: r.Enabled, Definition: def, CreatedBy: actor.Name})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, actor, tenant, "automation.rule.create", rec.ID, "success", map[string]any{"name": r.Name})
	return fromRecord(rec)
}

// Update applies patch, a JSON (or YAML) object whose top-level fields replace the rule's,
// validates the result and stores it.
func (s *Service) Update(ctx context.Context, tenant, id string, patch []byte, actor respond.Actor) (*Rule, error) {
	rec, err := s.opts.Store.AutomationRuleByID(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	var merged map[string]any
	if err := json.Unmarshal([]byte(rec.Definition), &merged); err != nil {
		return nil, fmt.Errorf("stored automation rule %s: %w", id, err)
	}
	node, err := playbook.ParseDocument("patch", patch)
	if err != nil {
		return nil, err
	}
	var changes map[string]any
	if err := node.Decode(&changes); err != nil {
		return nil, playbook.Diagnostics{{File: "patch", Line: node.Line, Column: node.Column, Msg: "the patch must be an object of rule fields"}}
	}
	for k, v := range changes {
		merged[k] = v
	}
	src, err := json.MarshalIndent(merged, "", "  ")
	if err != nil {
		return nil, err
	}
	r, err := Parse("rule after patch", src)
	if err != nil {
		return nil, err
	}
	if err := s.checkPlaybooks(ctx, tenant, "rule after patch", r); err != nil {
		return nil, err
	}
	def, err := r.Definition()
	if err != nil {
		return nil, err
	}
	rec, err = s.opts.Store.UpdateAutomationRule(ctx, meta.AutomationRule{Tenant: tenant, ID: id, Name: r.Name, Order: r.Order,
		Enabled: r.Enabled, Definition: def, UpdatedBy: actor.Name})
	if err != nil {
		return nil, err
	}
	s.audit(ctx, actor, tenant, "automation.rule.update", id, "success", map[string]any{"name": r.Name, "fields": keys(changes)})
	return fromRecord(rec)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkPlaybooks checks that the playbooks a rule runs exist and may be run by rules.
func (s *Service) checkPlaybooks(ctx context.Context, tenant, file string, r *Rule) error {
	var ds playbook.Diagnostics
	for _, a := range r.Actions {
		if a.Type != ActRunPlaybook {
			continue
		}
		p, err := s.opts.Playbooks.Get(ctx, tenant, a.Playbook)
		switch {
		case errors.Is(err, meta.ErrNotFound):
			ds = append(ds, playbook.Diagnostic{File: file, Line: a.Line, Column: a.Column, Msg: fmt.Sprintf("playbook %q does not exist", a.Playbook)})
		case err != nil:
			return err
		case !p.Allows(playbook.TriggerAutomationRule):
			ds = append(ds, playbook.Diagnostic{File: file, Line: a.Line, Column: a.Column,
				Msg: fmt.Sprintf("playbook %q does not allow trigger automationRule (it allows %v)", a.Playbook, p.Trigger)})
		}
	}
	if len(ds) > 0 {
		return ds
	}
	return nil
}

// Delete deletes tenant's rule id.
func (s *Service) Delete(ctx context.Context, tenant, id string, actor respond.Actor) error {
	if err := s.opts.Store.DeleteAutomationRule(ctx, tenant, id); err != nil {
		return err
	}
	s.audit(ctx, actor, tenant, "automation.rule.delete", id, "success", nil)
	return nil
}

// Get returns tenant's rule id.
func (s *Service) Get(ctx context.Context, tenant, id string) (*Rule, error) {
	rec, err := s.opts.Store.AutomationRuleByID(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return fromRecord(rec)
}

// List returns tenant's rules by order.
func (s *Service) List(ctx context.Context, tenant string) ([]*Rule, error) {
	return s.rules(ctx, tenant)
}

// rules returns the rules of the tenants, by order then name.
func (s *Service) rules(ctx context.Context, tenants ...string) ([]*Rule, error) {
	recs, err := s.opts.Store.AutomationRules(ctx, tenants...)
	if err != nil {
		return nil, err
	}
	out := make([]*Rule, 0, len(recs))
	for _, rec := range recs {
		r, err := fromRecord(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Service) audit(ctx context.Context, actor respond.Actor, tenant, action, target, result string, detail map[string]any) {
	playbook.Audit(ctx, s.opts.Auditor, s.opts.Log, actor, tenant, action, target, result, detail)
}

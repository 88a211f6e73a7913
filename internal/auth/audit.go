package auth

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigilsec/vigil/internal/meta"
)

// Event is one audited action.
type Event struct {
	Actor     string // user name, "key:NAME", "admin" or a component
	ActorType string // KindUser, KindAPIKey, KindAdmin or KindSystem
	Tenant    string
	Action    string // dotted, e.g. auth.signin, api.request, hunting.query, rule.update, response.isolate
	Target    string
	Source    string // the client's address
	Result    string // success, failure, denied, throttled
	Detail    map[string]any
}

// Audit appends ev to the hash-chained audit log, then offers the record to
// the audit sink (the VigilAudit table) without waiting for it. Components
// that change state or act (rules, response actions, approvals) call it.
// The action audit.prune is reserved for the checkpoints pruning writes.
func (s *Service) Audit(ctx context.Context, ev Event) error {
	if ev.Action == meta.AuditPruneAction {
		return fmt.Errorf("audit %s: the action is reserved for prune checkpoints", ev.Action)
	}
	detail := "{}"
	if len(ev.Detail) > 0 {
		b, err := json.Marshal(ev.Detail)
		if err != nil {
			return fmt.Errorf("audit %s: %w", ev.Action, err)
		}
		detail = string(b)
	}
	if ev.Result == "" {
		ev.Result = "success"
	}
	rec, err := s.st.AppendAudit(ctx, meta.AuditRecord{Actor: ev.Actor, ActorType: ev.ActorType, Tenant: ev.Tenant,
		Action: ev.Action, Target: ev.Target, Source: ev.Source, Result: ev.Result, Detail: detail})
	if err != nil {
		return err
	}
	if s.opts.AuditSink != nil {
		s.opts.AuditSink.Offer(rec)
	}
	return nil
}

// AuditRecords returns the records f selects.
func (s *Service) AuditRecords(ctx context.Context, f meta.AuditFilter) ([]meta.AuditRecord, error) {
	return s.st.AuditRecords(ctx, f)
}

// VerifyAudit walks the audit chain; see meta.Store.VerifyAudit.
func (s *Service) VerifyAudit(ctx context.Context) (int64, error) { return s.st.VerifyAudit(ctx) }

// Auditor appends audit events. *Service implements it; components that
// change state or act outside the HTTP API (the scheduler, automation,
// response actions, approvals) take one and call Audit for each action.
type Auditor interface {
	Audit(ctx context.Context, ev Event) error
}

var _ Auditor = (*Service)(nil)

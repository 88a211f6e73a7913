package respond

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// record audits a state change of a (from "" when it was created) and appends its
// VigilActions row. Failures are logged: the state store is the record of actions.
func (s *Service) record(ctx context.Context, actor Actor, from Status, a Action, comment string) {
	ctx = context.WithoutCancel(ctx)
	s.audit(ctx, actor, a.Tenant, "response."+string(a.Type), a.ID, map[string]any{
		"status": a.Status, "previousStatus": from, "target": a.Target, "requester": a.Requester,
		"incidentId": a.IncidentID, "comment": comment, "undoOf": a.UndoOf,
	})
	if s.opts.Table != nil {
		if err := s.opts.Table.Write(ctx, actor, from, a, comment); err != nil {
			s.opts.Log.Error("write VigilActions row", "action", a.ID, "err", err)
		}
	}
}

func (s *Service) audit(ctx context.Context, actor Actor, tenant, action, target string, detail map[string]any) {
	if s.opts.Auditor == nil {
		return
	}
	err := s.opts.Auditor.Audit(ctx, auth.Event{Actor: actor.Name, ActorType: actor.Kind, Tenant: tenant,
		Action: action, Target: target, Result: "success", Detail: detail})
	if err != nil {
		s.opts.Log.Error("audit", "action", action, "target", target, "err", err)
	}
}

// RowIngester writes rows durably (*ingest.Service).
type RowIngester interface {
	IngestRows(ctx context.Context, tenant, source string, t *schema.Table, rows [][]schema.Value, rejects []ingest.RowError) (*ingest.Result, error)
}

// TableWriter appends a row to the huntable VigilActions table for every state change of
// an action, so that the Action Center's history can be hunted in KQL.
type TableWriter struct {
	w     RowIngester
	t     *schema.Table
	clock func() time.Time
}

// tableSource is the source stamped on the rows.
const tableSource = "action-center"

// NewTableWriter returns a writer into reg's VigilActions table through w.
func NewTableWriter(reg *schema.Registry, w RowIngester) (*TableWriter, error) {
	t, ok := reg.Table("VigilActions")
	if !ok {
		return nil, fmt.Errorf("action table writer: no table VigilActions in the schema")
	}
	return &TableWriter{w: w, t: t, clock: time.Now}, nil
}

// Write appends the row of a's change from status from by actor.
func (tw *TableWriter) Write(ctx context.Context, actor Actor, from Status, a Action, comment string) error {
	vals := make([]schema.Value, len(tw.t.Columns))
	set := func(col string, v schema.Value) {
		if i, ok := tw.t.Column(col); ok {
			vals[i] = v
		}
	}
	set("TimeGenerated", tw.clock().UTC())
	set("ActionId", a.ID)
	set("ActionType", string(a.Type))
	set("Status", string(a.Status))
	set("PreviousStatus", string(from))
	set("Target", dyn(a.Target))
	set("TargetKey", TargetKey(a.Type, a.Target))
	set("RequesterType", string(a.Requester.Type))
	set("Requester", a.Requester.Name)
	set("Actor", actor.Name)
	set("Reason", a.Reason)
	set("Comment", comment)
	set("IncidentId", a.IncidentID)
	set("UndoOf", a.UndoOf)
	set("Attempts", int64(a.Attempts))
	set("Result", dyn(a.Result))
	res, err := tw.w.IngestRows(ctx, a.Tenant, tableSource, tw.t, [][]schema.Value{vals}, nil)
	if err != nil {
		return err
	}
	if res != nil && res.Rejected > 0 && len(res.Errors) > 0 {
		return fmt.Errorf("row rejected: %s", res.Errors[0].Reason)
	}
	return nil
}

func dyn(v any) schema.Dynamic {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return schema.Dynamic(b)
}

func resultJSON(r Result) string { return string(dyn(r)) }

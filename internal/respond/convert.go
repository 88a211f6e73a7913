package respond

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// toRecord converts a to the stored form.
func toRecord(a Action) (meta.Action, error) {
	target, err := json.Marshal(a.Target)
	if err != nil {
		return meta.Action{}, err
	}
	params, err := json.Marshal(a.Parameters)
	if err != nil || a.Parameters == nil {
		params = []byte("{}")
	}
	result, err := json.Marshal(a.Result)
	if err != nil {
		return meta.Action{}, err
	}
	return meta.Action{
		Tenant: a.Tenant, ID: a.ID, Type: string(a.Type), Status: string(a.Status), Target: string(target),
		TargetKey: TargetKey(a.Type, a.Target), Parameters: string(params), RequesterType: string(a.Requester.Type),
		Requester: a.Requester.Name, Reason: a.Reason, IncidentID: a.IncidentID, Approver: a.Approver,
		ApprovalComment: a.ApprovalComment, Result: string(result), UndoOf: a.UndoOf, Attempts: a.Attempts,
	}, nil
}

// fromRecord converts a stored action.
func fromRecord(m meta.Action) (Action, error) {
	a := Action{
		Tenant: m.Tenant, ID: m.ID, Type: Type(m.Type), Status: Status(m.Status),
		Requester: Requester{Type: RequesterType(m.RequesterType), Name: m.Requester}, Reason: m.Reason,
		IncidentID: m.IncidentID, Approver: m.Approver, ApprovalComment: m.ApprovalComment, UndoOf: m.UndoOf,
		UndoneBy: m.UndoneBy, Attempts: m.Attempts, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		DecidedAt: optTime(m.DecidedAt), SentAt: optTime(m.SentAt), StartedAt: optTime(m.StartedAt), FinishedAt: optTime(m.FinishedAt),
	}
	for _, f := range []struct {
		text string
		v    any
	}{{m.Target, &a.Target}, {m.Parameters, &a.Parameters}, {m.Result, &a.Result}} {
		if f.text == "" {
			continue
		}
		if err := json.Unmarshal([]byte(f.text), f.v); err != nil {
			return a, fmt.Errorf("action %s: %w", m.ID, err)
		}
	}
	if len(a.Parameters) == 0 {
		a.Parameters = nil
	}
	return a, nil
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

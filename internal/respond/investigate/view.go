package investigate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// View is an investigation as the API shows it: its document with the status derived from
// what became of its actions.
type View struct {
	Investigation
	// Status is Defender's investigation status: running, noThreatsFound, pendingAction,
	// remediated, partiallyRemediated, remediationFailed, threatsFound or failed.
	Status string `json:"status"`
	// Verdicts counts the evidence by verdict.
	Verdicts map[Verdict]int `json:"verdicts"`
	// Actions is the status of each requested action, by id.
	Actions    map[string]respond.Status `json:"actions,omitempty"`
	Created    time.Time                 `json:"createdDateTime"`
	Updated    time.Time                 `json:"lastUpdateDateTime"`
	IncidentID int64                     `json:"incidentId,omitempty"`
}

// ReaderStore is what Reader reads (*meta.Store).
type ReaderStore interface {
	Investigation(ctx context.Context, tenant, id string) (meta.Investigation, error)
	Investigations(ctx context.Context, tenant string, f meta.InvestigationFilter) ([]meta.Investigation, error)
	IncidentAlerts(ctx context.Context, tenant string, id int64) ([]meta.IncidentAlert, error)
	Alert(ctx context.Context, tenant, id string) (meta.IncidentAlert, error)
}

// ActionReader reads actions (*respond.Service).
type ActionReader interface {
	Get(ctx context.Context, tenant, id string) (respond.Action, error)
}

// Reader serves investigations to the API.
type Reader struct {
	Store   ReaderStore
	Actions ActionReader
}

// Filter selects investigations: of an incident's alerts, of given alerts, or all.
type Filter struct {
	IncidentID int64
	AlertIDs   []string
	Top        int
}

// List returns tenant's investigations that f selects, newest first.
func (r Reader) List(ctx context.Context, tenant string, f Filter) ([]View, error) {
	mf := meta.InvestigationFilter{AlertIDs: f.AlertIDs, Limit: f.Top}
	if f.IncidentID > 0 {
		alerts, err := r.Store.IncidentAlerts(ctx, tenant, f.IncidentID)
		if err != nil {
			return nil, err
		}
		if len(alerts) == 0 {
			return []View{}, nil
		}
		for _, a := range alerts {
			mf.AlertIDs = append(mf.AlertIDs, a.AlertID)
		}
	}
	ms, err := r.Store.Investigations(ctx, tenant, mf)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(ms))
	for _, m := range ms {
		v, err := r.view(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Get returns tenant's investigation id.
func (r Reader) Get(ctx context.Context, tenant, id string) (View, error) {
	m, err := r.Store.Investigation(ctx, tenant, id)
	if err != nil {
		return View{}, err
	}
	return r.view(ctx, m)
}

func (r Reader) view(ctx context.Context, m meta.Investigation) (View, error) {
	v := View{Created: m.CreatedAt, Updated: m.UpdatedAt, Actions: map[string]respond.Status{}}
	if err := json.Unmarshal([]byte(m.Doc), &v.Investigation); err != nil {
		return View{}, fmt.Errorf("investigation %s: %w", m.ID, err)
	}
	v.State = m.State
	for _, e := range v.Evidence {
		if e.Remediation == nil || e.Remediation.ActionID == "" {
			continue
		}
		id := e.Remediation.ActionID
		if _, ok := v.Actions[id]; ok {
			continue
		}
		a, err := r.Actions.Get(ctx, m.Tenant, id)
		if err != nil {
			return View{}, err
		}
		v.Actions[id] = a.Status
	}
	v.Status, v.Verdicts = v.Investigation.Status(v.Actions), v.Counts()
	if ia, err := r.Store.Alert(ctx, m.Tenant, m.AlertID); err == nil {
		v.IncidentID = ia.IncidentID
	}
	return v, nil
}

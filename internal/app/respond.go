package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/investigate"
)

// responseService builds the Action Center, auditing through auditor (when there is one)
// and writing the VigilActions table through svc, and its dispatcher. The responders of
// response.responders take the types they support first (configuredResponders); the
// simulated responder carries out the rest: it records their effect in the state store and
// touches no real system.
func (a *App) responseService(svc *ingest.Service, auditor *auth.Service) (*respond.Service, error) {
	table, err := respond.NewTableWriter(a.reg, svc)
	if err != nil {
		return nil, err
	}
	sim := &respond.SimulatedResponder{Store: a.meta}
	opts := respond.Options{Table: table, Simulated: sim, Devices: a.devices(), Log: a.log.With("component", "actions")}
	if auditor != nil {
		opts.Auditor = auditor
	}
	s := respond.New(a.meta, opts)
	configured, err := a.configuredResponders(s)
	if err != nil {
		return nil, err
	}
	a.resp = respond.NewDispatcher(s, respond.DispatcherOptions{}, append(configured, a.responders(svc, sim)...)...)
	a.disrupt = &respond.Disruption{Service: s, Incidents: incidentReader{a.meta}, Log: a.log.With("component", "attack-disruption")}
	a.air = investigate.New(investigate.Events{Registry: a.reg, Store: a.store}, s, a.meta, investigate.Config{}, a.log.With("component", "investigation"))
	return s, nil
}

// runResponse runs the action dispatcher as a producer: it writes VigilActions rows, so
// the store writer drains after it stops.
func (a *App) runResponse(ctx context.Context, producers *sync.WaitGroup) {
	producers.Go(func() {
		if err := a.resp.Run(ctx); err != nil {
			a.log.Error("action dispatcher stopped", "err", err)
		}
	})
	producers.Go(func() {
		if err := a.disrupt.Run(ctx); err != nil {
			a.log.Error("attack disruption stopped", "err", err)
		}
	})
	producers.Go(func() {
		if err := a.air.Run(ctx); err != nil {
			a.log.Error("automated investigation stopped", "err", err)
		}
	})
}

// incidentReader gives attack disruption the incidents of the state store.
type incidentReader struct{ m *meta.Store }

// IncidentAlerts returns the alerts of an incident as the detections made them.
func (r incidentReader) IncidentAlerts(ctx context.Context, tenant string, id int64) ([]alert.Alert, error) {
	ias, err := r.m.IncidentAlerts(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
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

// TagIncident adds tag (none when empty) to an incident and says why in a comment.
func (r incidentReader) TagIncident(ctx context.Context, tenant string, id int64, tag, why string) error {
	in, err := r.m.Incident(ctx, tenant, id)
	if err != nil {
		return err
	}
	if tag != "" && !slices.Contains(in.Tags, tag) {
		tags := append(slices.Clone(in.Tags), tag)
		if _, err := r.m.UpdateIncident(ctx, tenant, id, meta.IncidentPatch{Tags: &tags}, "attack-disruption"); err != nil {
			return err
		}
	}
	_, err = r.m.AddIncidentComment(ctx, tenant, id, why, "attack-disruption")
	return err
}

package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
)

// Service is what the security API serves from: the state store's incidents and alerts,
// with every analyst change announced to Notify, imported alerts handed to Sink (the same
// path as detections: alert tables, then correlation), and the live Feed.
type Service struct {
	*meta.Store
	Sink   alert.Sink
	Notify Notifier
	Feed   *Feed
}

func (s *Service) notify(ctx context.Context, c Change) {
	if s.Notify != nil {
		s.Notify.Notify(ctx, []Change{c})
	}
}

// UpdateIncident applies an analyst's change and announces it.
func (s *Service) UpdateIncident(ctx context.Context, tenant string, id int64, p meta.IncidentPatch, actor string) (meta.Incident, error) {
	before, err := s.Incident(ctx, tenant, id)
	if err != nil {
		return meta.Incident{}, err
	}
	in, err := s.Store.UpdateIncident(ctx, tenant, id, p, actor)
	if err == nil && in.Version != before.Version {
		s.notify(ctx, Change{Tenant: tenant, Kind: IncidentUpdated, IncidentID: id, Actor: actor, Detail: "updated", At: in.UpdatedAt})
	}
	return in, err
}

// AddIncidentComment adds a comment and announces it.
func (s *Service) AddIncidentComment(ctx context.Context, tenant string, id int64, comment, actor string) ([]meta.IncidentComment, error) {
	cs, err := s.Store.AddIncidentComment(ctx, tenant, id, comment, actor)
	if err == nil {
		s.notify(ctx, Change{Tenant: tenant, Kind: CommentAdded, IncidentID: id, Actor: actor, Detail: comment, At: time.Now().UTC()})
	}
	return cs, err
}

// UpdateAlert applies an analyst's change to an alert and announces it.
func (s *Service) UpdateAlert(ctx context.Context, tenant, id string, p meta.AlertPatch, actor string) (meta.IncidentAlert, error) {
	before, err := s.Alert(ctx, tenant, id)
	if err != nil {
		return meta.IncidentAlert{}, err
	}
	a, err := s.Store.UpdateAlert(ctx, tenant, id, p, actor)
	if err == nil && a.Version != before.Version {
		s.notify(ctx, Change{Tenant: tenant, Kind: AlertUpdated, IncidentID: a.IncidentID, AlertID: id, Actor: actor, Detail: "updated", At: a.UpdatedAt})
	}
	return a, err
}

// ImportAlerts stores and correlates third-party alerts like detections.
func (s *Service) ImportAlerts(ctx context.Context, alerts []alert.Alert) error {
	if s.Sink == nil {
		return fmt.Errorf("import alerts: no alert sink configured")
	}
	return s.Sink.Put(ctx, alerts)
}

// Subscribe follows the live feed (see Feed.Subscribe).
func (s *Service) Subscribe(tenant string, after uint64) ([]Event, <-chan Event, func(), bool) {
	return s.Feed.Subscribe(tenant, after)
}

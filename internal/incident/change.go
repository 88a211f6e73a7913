package incident

import (
	"context"
	"time"
)

// Kinds of Change.
const (
	IncidentCreated = "incidentCreated"
	IncidentUpdated = "incidentUpdated"
	IncidentMerged  = "incidentMerged"
	CommentAdded    = "commentAdded"
	AlertCreated    = "alertCreated"
	AlertUpdated    = "alertUpdated"
)

// Change is one committed change of an incident or an alert. IncidentID is 0 for an alert
// without incident; AlertID is empty for a change of the incident alone.
type Change struct {
	Tenant     string    `json:"tenantId"`
	Kind       string    `json:"kind"`
	IncidentID int64     `json:"incidentId,omitempty"`
	AlertID    string    `json:"alertId,omitempty"`
	Actor      string    `json:"actor"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"`
}

// Notifier receives changes once they are committed, in the order they were made. It is
// called from the goroutine that made them (a correlation or an API request) and must not
// block for long: the live feed appends to a ring, the table writer writes one batch.
type Notifier interface {
	Notify(ctx context.Context, changes []Change)
}

// Notifiers hands changes to each of its notifiers in order.
type Notifiers []Notifier

// Notify implements Notifier.
func (ns Notifiers) Notify(ctx context.Context, changes []Change) {
	for _, n := range ns {
		if n != nil {
			n.Notify(ctx, changes)
		}
	}
}

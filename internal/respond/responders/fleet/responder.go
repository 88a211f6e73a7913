package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/schema"
)

// Notifier tells a tenant's agents to fetch the block list again.
type Notifier interface {
	// NotifyAgents tells every enrolled agent of tenant to sync, without waiting for them
	// (an agent that is offline catches up at its next poll), and returns how many it told.
	NotifyAgents(ctx context.Context, tenant string) (int, error)
}

// DefaultVisible bounds the wait for the event store to show a written indicator row.
const DefaultVisible = 30 * time.Second

// rowSource names the Responder's rows in the ingest path.
const rowSource = "action-center"

// Responder carries out fleet-wide blockIndicator and unblockIndicator actions (those
// whose target names no device). Its methods are safe for concurrent use.
type Responder struct {
	// List reads the block list; its Registry gives the indicator table.
	List List
	// Ingest writes indicator rows durably (*ingest.Service).
	Ingest respond.RowIngester
	// Notify tells the agents of a change; nil when agents are off.
	Notify Notifier
	// Visible bounds the wait for the event store to show a change (default
	// DefaultVisible); the agents are told after it, so that they read the new list.
	Visible time.Duration
}

var (
	_ respond.Responder       = (*Responder)(nil)
	_ respond.ActionSupporter = (*Responder)(nil)
)

// Supports implements respond.Responder: blockIndicator and unblockIndicator.
func (r *Responder) Supports(t respond.Type) bool {
	return t == respond.BlockIndicator || t == respond.UnblockIndicator
}

// SupportsAction implements respond.ActionSupporter: the actions that name no device; an
// action on one device goes to that device's agent.
func (r *Responder) SupportsAction(_ context.Context, a respond.Action) bool {
	return a.Target.Device == ""
}

// IndicatorID is the IndicatorId of the indicator a blockIndicator action (its id) adds.
func IndicatorID(actionID string) string { return "vigil-block-" + actionID }

// Execute implements respond.Responder.
func (r *Responder) Execute(ctx context.Context, a respond.Action) (respond.Result, error) {
	kind, value, err := ParseValue(a.Target.Indicator)
	if err != nil {
		return respond.Result{}, err
	}
	if a.Type == respond.BlockIndicator {
		return r.block(ctx, a, kind, value)
	}
	return r.unblock(ctx, a, kind, value)
}

func (r *Responder) block(ctx context.Context, a respond.Action, kind Kind, value string) (respond.Result, error) {
	id := IndicatorID(a.ID)
	desc := strings.TrimSpace(a.Reason)
	if desc == "" {
		desc = "blocked"
	}
	desc += fmt.Sprintf(" (blockIndicator action %s requested by %s)", a.ID, a.Requester.Name)
	if err := r.write(ctx, a.Tenant, rowSpec{id: id, kind: kind, value: value, description: desc, active: true}); err != nil {
		return respond.Result{}, err
	}
	seen := r.waitFor(ctx, a.Tenant, func(list []Indicator) bool { return holds(list, id, value) })
	detail := fmt.Sprintf("%s %s added to the fleet block list as indicator %s", kind, value, id)
	return r.finish(ctx, a.Tenant, detail, seen, map[string]any{"indicatorId": id, "kind": string(kind), "value": value})
}

func (r *Responder) unblock(ctx context.Context, a respond.Action, kind Kind, value string) (respond.Result, error) {
	list, _, err := r.List.Blocked(ctx, a.Tenant)
	if err != nil {
		return respond.Result{}, fmt.Errorf("%w: %w", err, respond.ErrTransient)
	}
	// The undo of a block removes that block's indicator; an unblock of its own removes
	// every indicator blocking the value.
	var ids []string
	if a.UndoOf != "" {
		ids = []string{IndicatorID(a.UndoOf)}
	} else {
		for _, in := range list {
			if in.Value == value && !slices.Contains(ids, in.ID) {
				ids = append(ids, in.ID)
			}
		}
	}
	if len(ids) == 0 {
		return respond.Result{Detail: fmt.Sprintf("%s %s is not on the fleet block list; nothing to do", kind, value)}, nil
	}
	desc := "unblocked by unblockIndicator action " + a.ID
	if reason := strings.TrimSpace(a.Reason); reason != "" {
		desc = reason + " (" + desc + ")"
	}
	for _, id := range ids {
		if err := r.write(ctx, a.Tenant, rowSpec{id: id, kind: kind, value: value, description: desc}); err != nil {
			return respond.Result{}, err
		}
	}
	seen := r.waitFor(ctx, a.Tenant, func(list []Indicator) bool {
		return !slices.ContainsFunc(ids, func(id string) bool { return holds(list, id, value) })
	})
	detail := fmt.Sprintf("%s %s removed from the fleet block list (indicator %s)", kind, value, strings.Join(ids, ", "))
	var others []string
	for _, in := range list {
		if in.Value == value && !slices.Contains(ids, in.ID) {
			others = append(others, in.ID)
		}
	}
	if len(others) > 0 {
		detail += "; it stays blocked by indicator " + strings.Join(others, ", ")
	}
	return r.finish(ctx, a.Tenant, detail, seen, map[string]any{"indicatorIds": ids, "kind": string(kind), "value": value})
}

// holds reports whether list has the indicator id with value.
func holds(list []Indicator, id, value string) bool {
	return slices.ContainsFunc(list, func(in Indicator) bool { return in.ID == id && in.Value == value })
}

// write appends one indicator row through the ingest path.
func (r *Responder) write(ctx context.Context, tenant string, spec rowSpec) error {
	t, ok := r.List.Registry.Table("ThreatIntelligenceIndicator")
	if !ok {
		return errors.New("no table ThreatIntelligenceIndicator in the schema")
	}
	spec.at = time.Now()
	res, err := r.Ingest.IngestRows(ctx, tenant, rowSource, t, [][]schema.Value{spec.row(t)}, nil)
	if err != nil {
		return fmt.Errorf("write indicator %s: %w: %w", spec.id, err, respond.ErrTransient)
	}
	if res != nil && res.Rejected > 0 && len(res.Errors) > 0 {
		return fmt.Errorf("indicator row %s rejected: %s", spec.id, res.Errors[0].Reason)
	}
	return nil
}

// waitFor waits until the tenant's block list satisfies done, for at most Visible, and
// reports whether it did.
func (r *Responder) waitFor(ctx context.Context, tenant string, done func([]Indicator) bool) bool {
	wait := r.Visible
	if wait <= 0 {
		wait = DefaultVisible
	}
	deadline := time.Now().Add(wait)
	for {
		list, _, err := r.List.Blocked(ctx, tenant)
		if err == nil && done(list) {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// finish tells the agents and says so in the result.
func (r *Responder) finish(ctx context.Context, tenant, detail string, seen bool, data map[string]any) (respond.Result, error) {
	if !seen {
		detail += "; the event store has not shown the change yet, so agents get it at their next poll (every minute)"
	}
	n := 0
	if r.Notify != nil {
		var err error
		if n, err = r.Notify.NotifyAgents(ctx, tenant); err != nil {
			detail += fmt.Sprintf("; telling the agents failed (%v), they get it at their next poll", err)
		}
	}
	detail += fmt.Sprintf("; %d agent(s) told to sync", n)
	data["agentsNotified"] = n
	return respond.Result{Detail: detail, Data: data}, nil
}

package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/detect/watchlist"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/investigate"
	"github.com/vigilsec/vigil/internal/store"
)

// The methods here let a program that embeds the server (vigil demo, tests) drive it. Call them
// only after Run announced the server ready.

// SyslogTCPAddr returns the syslog receiver's TCP address, or "" when it has none.
func (a *App) SyslogTCPAddr() string {
	if a.syslog == nil {
		return ""
	}
	return a.syslog.Addr().TCP
}

// Settle waits until the store writer, and the stream detectors when configured, have processed
// every message the bus held when it was called.
func (a *App) Settle(ctx context.Context) error {
	last, err := a.bus.LastSeq(ctx)
	if err != nil {
		return err
	}
	for {
		done := a.writer.Written() >= last
		if done && a.stream != nil {
			off, err := a.meta.StreamOffset(ctx, stream.ConsumerName)
			if err != nil {
				return err
			}
			done = off >= last
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the pipeline to catch up: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// RunRulesNow evaluates every scheduled rule once as if now were its slot, storing alerts.
func (a *App) RunRulesNow(ctx context.Context, now time.Time) []schedule.RunInfo {
	return a.sched.RunNow(ctx, now)
}

// Incidents returns tenant's incidents, newest first.
func (a *App) Incidents(ctx context.Context, tenant string) ([]meta.Incident, error) {
	if a.meta == nil {
		return nil, errors.New("server not open")
	}
	return a.meta.Incidents(ctx, tenant, meta.IncidentFilter{Top: 100})
}

// IncidentAlerts returns the alerts of one of tenant's incidents.
func (a *App) IncidentAlerts(ctx context.Context, tenant string, id int64) ([]meta.IncidentAlert, error) {
	return a.meta.IncidentAlerts(ctx, tenant, id)
}

// ReloadDecoys makes the deception detector take the registered decoys now rather than at its
// next poll; it does nothing when deception is off.
func (a *App) ReloadDecoys(ctx context.Context) error {
	if a.decoys == nil {
		return nil
	}
	_, err := a.decoys.Reload(ctx)
	return err
}

// SettleActions waits until none of tenant's response actions is approved, sent or running
// (each has completed, failed, timed out, been rejected or cancelled, or waits for approval),
// and returns them.
func (a *App) SettleActions(ctx context.Context, tenant string) ([]respond.Action, error) {
	for {
		acts, err := a.actions.List(ctx, tenant, meta.ActionFilter{})
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(acts, func(x respond.Action) bool {
			return x.Status == respond.Approved || x.Status == respond.Sent || x.Status == respond.Running
		}) {
			return acts, nil
		}
		select {
		case <-ctx.Done():
			return acts, fmt.Errorf("waiting for response actions: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Incident returns one of tenant's incidents.
func (a *App) Incident(ctx context.Context, tenant string, id int64) (meta.Incident, error) {
	return a.meta.Incident(ctx, tenant, id)
}

// Hunt runs a KQL query for tenant over the event store, as the hunting API does.
func (a *App) Hunt(ctx context.Context, tenant, query string) (*store.Result, error) {
	discover := func(ctx context.Context, sql string) ([][]any, error) {
		res, err := a.store.Query(ctx, sql, kql.MaxDiscovered+1)
		if err != nil {
			return nil, err
		}
		return res.Rows, nil
	}
	q, diags, err := kql.CompileDiscover(ctx, query, a.reg, kql.Options{Tenant: tenant, Watchlists: watchlist.NewResolver(ctx, a.meta, tenant)}, discover)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, fmt.Errorf("compile: %v", diags)
	}
	return a.store.Query(ctx, q.SQL, a.cfg.Server.MaxQueryRows)
}

// Investigations returns the automated investigations of the alerts of tenant's incident id.
func (a *App) Investigations(ctx context.Context, tenant string, id int64) ([]investigate.View, error) {
	return investigate.Reader{Store: a.meta, Actions: a.actions}.List(ctx, tenant, investigate.Filter{IncidentID: id})
}

// SettleInvestigations waits until no investigation is queued or running, or ctx ends.
func (a *App) SettleInvestigations(ctx context.Context) error {
	for {
		left, err := a.meta.UnfinishedInvestigations(ctx)
		if err != nil || len(left) == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for investigations: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/meta"
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

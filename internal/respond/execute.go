package respond

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// run carries out one approved action: sent, running, then its outcome. A change that
// loses to another (a cancellation) ends it quietly.
func (d *Dispatcher) run(ctx context.Context, k actionKey) {
	a, err := d.svc.Get(ctx, k.tenant, k.id)
	if err != nil || a.Status != Approved {
		return
	}
	if a, err = d.step(ctx, a, meta.ActionChange{Status: string(Sent)}); err != nil {
		return
	}
	r := d.responder(ctx, a)
	if r == nil {
		_, _ = d.step(ctx, a, meta.ActionChange{Status: string(Failed), Result: resultJSON(Result{Error: "no responder supports " + string(a.Type)})})
		return
	}
	actx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	d.mu.Lock()
	d.inFlight[k] = cancel
	d.mu.Unlock()
	if a, err = d.step(ctx, a, meta.ActionChange{Status: string(Running)}); err != nil {
		return
	}
	res, attempts, err := d.attempt(actx, r, a)
	if ctx.Err() != nil {
		return // shutting down: the next start marks it interrupted
	}
	_, _ = d.step(ctx, a, outcome(actx, res, attempts, err))
}

// outcome is the final change of an action whose last attempt returned res and err.
func outcome(ctx context.Context, res Result, attempts int, err error) meta.ActionChange {
	c := meta.ActionChange{Status: string(Completed), Attempts: attempts}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		c.Status = string(TimedOut)
		res.Error = "the responder did not finish in time"
		if err != nil {
			res.Error += ": " + err.Error()
		}
	case err != nil:
		c.Status, res.Error = string(Failed), err.Error()
	}
	c.Result = resultJSON(res)
	return c
}

// attempt runs a through r, retrying transient failures with a doubling backoff while ctx
// lasts, and returns the last result, the number of attempts and the last error.
func (d *Dispatcher) attempt(ctx context.Context, r Responder, a Action) (Result, int, error) {
	wait := d.opts.Backoff
	for n := 1; ; n++ {
		a.Attempts = n
		res, err := r.Execute(ctx, a)
		if err == nil || !errors.Is(err, ErrTransient) || n > d.opts.Retries || ctx.Err() != nil {
			return res, n, err
		}
		d.svc.opts.Log.Warn("response action failed; retrying", "action", a.ID, "attempt", n, "err", err)
		select {
		case <-ctx.Done():
			return res, n, fmt.Errorf("%w (after %d attempts)", err, n)
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// step applies a change made by the dispatcher, logging a failure other than losing to a
// concurrent change.
func (d *Dispatcher) step(ctx context.Context, a Action, c meta.ActionChange) (Action, error) {
	next, err := d.svc.transition(ctx, a, system, "", c)
	if err != nil && !errors.Is(err, meta.ErrInvalidTransition) {
		d.svc.opts.Log.Error("update action", "action", a.ID, "status", c.Status, "err", err)
	}
	return next, err
}

// responder returns the first responder that supports a, or nil.
func (d *Dispatcher) responder(ctx context.Context, a Action) Responder {
	for _, r := range d.responders {
		if !r.Supports(a.Type) {
			continue
		}
		if as, ok := r.(ActionSupporter); ok && !as.SupportsAction(ctx, a) {
			continue
		}
		return r
	}
	return nil
}

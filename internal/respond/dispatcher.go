package respond

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// DispatcherOptions configure a Dispatcher; zero fields take the defaults.
type DispatcherOptions struct {
	// Workers is how many actions run at once (default 4).
	Workers int
	// Timeout bounds an action from sent to its end, retries included (default 10 minutes).
	Timeout time.Duration
	// Retries is how many times a transient failure is retried (default 3).
	Retries int
	// Backoff is the wait before the first retry, doubling after each (default 1 second).
	Backoff time.Duration
	// Sweep is how often approved actions not yet dispatched are picked up (default 10
	// seconds): those approved while the queue was full or by another process.
	Sweep time.Duration
	// Queue is how many approved actions wait for a worker (default 1024).
	Queue int
}

func (o DispatcherOptions) withDefaults() DispatcherOptions {
	for _, d := range []struct {
		v   *int
		def int
	}{{&o.Workers, 4}, {&o.Retries, 3}, {&o.Queue, 1024}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.Timeout, 10 * time.Minute}, {&o.Backoff, time.Second}, {&o.Sweep, 10 * time.Second}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	return o
}

type actionKey struct{ tenant, id string }

// Dispatcher runs approved actions through the responders, asynchronously.
type Dispatcher struct {
	svc        *Service
	responders []Responder
	opts       DispatcherOptions
	queue      chan actionKey

	mu       sync.Mutex
	inFlight map[actionKey]context.CancelFunc // queued (nil) or running actions
}

// NewDispatcher returns a dispatcher of svc's approved actions to the first of responders
// that supports each, and makes svc hand it every action it approves. Run starts it.
func NewDispatcher(svc *Service, opts DispatcherOptions, responders ...Responder) *Dispatcher {
	opts = opts.withDefaults()
	d := &Dispatcher{svc: svc, responders: responders, opts: opts, queue: make(chan actionKey, opts.Queue),
		inFlight: map[actionKey]context.CancelFunc{}}
	svc.submit = d.submit
	svc.abort = d.abort
	return d
}

// submit queues an approved action unless it is queued or running; when the queue is
// full the sweep picks it up later.
func (d *Dispatcher) submit(tenant, id string) {
	k := actionKey{tenant, id}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.inFlight[k]; ok {
		return
	}
	select {
	case d.queue <- k:
		d.inFlight[k] = nil
	default:
	}
}

// abort stops a running action, if it runs here.
func (d *Dispatcher) abort(tenant, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cancel := d.inFlight[actionKey{tenant, id}]; cancel != nil {
		cancel()
	}
}

// Run fails the actions a previous process left sent or running, then runs approved
// actions until ctx ends, waiting for those running to stop.
func (d *Dispatcher) Run(ctx context.Context) error {
	if err := d.recover(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	for range d.opts.Workers {
		wg.Go(func() { d.work(ctx) })
	}
	t := time.NewTicker(d.opts.Sweep)
	defer t.Stop()
	for {
		d.sweep(ctx)
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
		}
	}
}

// recover marks the actions interrupted by a restart failed: whether they took effect is
// unknown, and running them twice may not be safe.
func (d *Dispatcher) recover(ctx context.Context) error {
	recs, err := d.svc.store.ActionsInStatus(ctx, string(Sent), string(Running))
	if err != nil {
		return fmt.Errorf("action dispatcher: %w", err)
	}
	for _, rec := range recs {
		a, err := fromRecord(rec)
		if err != nil {
			return err
		}
		_, err = d.svc.transition(ctx, a, system, "", meta.ActionChange{Status: string(Failed),
			Result: resultJSON(Result{Error: "interrupted by a restart of the server; check the target and request it again"})})
		if err != nil && !errors.Is(err, meta.ErrInvalidTransition) {
			return fmt.Errorf("action dispatcher: %w", err)
		}
	}
	return nil
}

// sweep queues the approved actions of every tenant.
func (d *Dispatcher) sweep(ctx context.Context) {
	recs, err := d.svc.store.ActionsInStatus(ctx, string(Approved))
	if err != nil {
		if ctx.Err() == nil {
			d.svc.opts.Log.Error("list approved actions", "err", err)
		}
		return
	}
	for _, r := range recs {
		d.submit(r.Tenant, r.ID)
	}
}

func (d *Dispatcher) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case k := <-d.queue:
			d.run(ctx, k)
			d.mu.Lock()
			delete(d.inFlight, k)
			d.mu.Unlock()
		}
	}
}

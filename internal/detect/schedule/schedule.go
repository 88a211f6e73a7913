package schedule

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
)

// Defaults for Options.
const (
	DefaultRunTimeout  = 5 * time.Minute
	DefaultConcurrency = 4
	// maxPending is the most unstored alerts a rule keeps for a tenant while the sink fails.
	maxPending = 1000
)

// Options configure a Scheduler. Evaluator and Sink are required.
type Options struct {
	Tenants     []string // tenants every rule runs for; empty means "default"
	RunTimeout  time.Duration
	Concurrency int // most rule runs at a time
	MaxEvidence int // evidence rows per alert; 0 means alert.DefaultMaxEvidence
	Evaluator   Evaluator
	Sink        alert.Sink
	Clock       Clock // nil means SystemClock
	Metrics     *Metrics
	Log         *slog.Logger
	// OnRun, when set, is called after every run of a rule for a tenant (and for every
	// missed slot), from the rule's goroutine; rules run concurrently.
	OnRun func(RunInfo)
}

// RunInfo describes one run of a rule for a tenant, or a missed slot.
type RunInfo struct {
	RuleID     string
	Tenant     string // empty for a missed slot
	Slot       time.Time
	From, To   time.Time
	Rows       int
	Alerts     int
	Suppressed bool // not run: the rule fired within its suppression duration
	Missed     int  // slots skipped before this one (reported on the run that follows them)
	Duration   time.Duration
	Err        error
}

// Scheduler runs scheduled rules. Build it with New; Run runs it.
type Scheduler struct {
	opts  Options
	rules []*rule.Rule
	sem   chan struct{}
}

// New returns a scheduler for rules, which must be scheduled rules with a positive frequency
// and period (see Select).
func New(rules []*rule.Rule, opts Options) (*Scheduler, error) {
	if opts.Evaluator == nil || opts.Sink == nil {
		return nil, errors.New("schedule: Evaluator and Sink are required")
	}
	for _, r := range rules {
		if reason := unschedulable(r); reason != "" {
			return nil, fmt.Errorf("schedule: rule %s: %s", r.ID, reason)
		}
	}
	if len(opts.Tenants) == 0 {
		opts.Tenants = []string{"default"}
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = DefaultRunTimeout
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{opts: opts, rules: rules, sem: make(chan struct{}, opts.Concurrency)}, nil
}

// Rules returns the rules the scheduler runs.
func (s *Scheduler) Rules() []*rule.Rule { return s.rules }

// Run runs every rule on its slots until ctx ends; it returns nil then. A failing rule is
// logged and counted and never stops the others.
func (s *Scheduler) Run(ctx context.Context) error {
	s.opts.Metrics.Rules.Set(float64(len(s.rules)))
	var wg sync.WaitGroup
	for _, r := range s.rules {
		wg.Go(func() { s.loop(ctx, r) })
	}
	wg.Wait()
	return nil
}

// Offset returns the rule's stable offset within its frequency: a hash of its id modulo the
// frequency.
func Offset(id string, freq time.Duration) time.Duration {
	if freq <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return time.Duration(h.Sum64() % uint64(freq))
}

// NextSlot returns the first slot at or after t for a rule of frequency freq and offset off:
// the slots are the times whose Unix time in nanoseconds minus off is a multiple of freq.
func NextSlot(t time.Time, freq, off time.Duration) time.Time {
	n := t.UnixNano() - int64(off)
	rem := n % int64(freq)
	if rem < 0 {
		rem += int64(freq)
	}
	slot := t.Add(-time.Duration(rem))
	if rem != 0 {
		slot = slot.Add(freq)
	}
	return slot
}

// ruleState is owned by the rule's goroutine.
type ruleState struct {
	suppressedUntil map[string]time.Time // by tenant
	pending         map[string][]alert.Alert
}

func (s *Scheduler) loop(ctx context.Context, r *rule.Rule) {
	freq := r.Frequency.Std()
	next := NextSlot(s.opts.Clock.Now(), freq, Offset(r.ID, freq))
	st := &ruleState{suppressedUntil: map[string]time.Time{}, pending: map[string][]alert.Alert{}}
	for {
		if d := next.Sub(s.opts.Clock.Now()); d > 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.opts.Clock.After(d):
			}
		}
		select {
		case <-ctx.Done():
			return
		case s.sem <- struct{}{}:
		}
		slot, missed := next, 0
		if lag := s.opts.Clock.Now().Sub(next); lag >= freq {
			missed = int(lag / freq)
			slot = next.Add(time.Duration(missed) * freq)
			s.opts.Metrics.Missed.Add(float64(missed))
			s.opts.Log.Warn("rule runs missed", "rule", r.ID, "name", r.Name, "missed", missed, "from", next, "running", slot)
		}
		for _, tenant := range s.opts.Tenants {
			info := s.runTenant(ctx, r, st, tenant, slot)
			info.Missed = missed
			if s.opts.OnRun != nil {
				s.opts.OnRun(info)
			}
		}
		<-s.sem
		next = slot.Add(freq)
	}
}

func (s *Scheduler) runTenant(ctx context.Context, r *rule.Rule, st *ruleState, tenant string, slot time.Time) RunInfo {
	w := Window{Tenant: tenant, From: slot.Add(-r.Period.Std()), To: slot, Now: slot}
	info := RunInfo{RuleID: r.ID, Tenant: tenant, Slot: slot, From: w.From, To: w.To}
	if until, ok := st.suppressedUntil[tenant]; ok && slot.Before(until) {
		info.Suppressed = true
		s.opts.Metrics.Runs.WithLabelValues("suppressed").Inc()
		return info
	}
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, s.opts.RunTimeout)
	defer cancel()
	info.Err = s.evaluate(rctx, r, st, w, &info)
	info.Duration = time.Since(start)
	s.opts.Metrics.Duration.Observe(info.Duration.Seconds())
	if info.Err != nil {
		if ctx.Err() != nil {
			return info // shutting down
		}
		s.opts.Metrics.Runs.WithLabelValues("failed").Inc()
		s.opts.Log.Error("rule run failed", "rule", r.ID, "name", r.Name, "tenant", tenant, "slot", slot, "err", info.Err)
		return info
	}
	s.opts.Metrics.Runs.WithLabelValues("ok").Inc()
	if info.Alerts > 0 && r.SuppressionEnabled && r.SuppressionDuration > 0 {
		st.suppressedUntil[tenant] = slot.Add(r.SuppressionDuration.Std())
	}
	return info
}

// evaluate runs the query, extracts alerts and stores them with those a failing sink left over.
func (s *Scheduler) evaluate(ctx context.Context, r *rule.Rule, st *ruleState, w Window, info *RunInfo) error {
	res, err := s.opts.Evaluator.Evaluate(ctx, r, w)
	if err != nil {
		return err
	}
	info.Rows = len(res.Rows)
	if res.Truncated {
		s.opts.Log.Warn("rule results truncated", "rule", r.ID, "tenant", w.Tenant, "rows", len(res.Rows))
	}
	alerts := alert.Extract(r, res, alert.Run{Tenant: w.Tenant, From: w.From, To: w.To, Now: s.opts.Clock.Now(), MaxEvidence: s.opts.MaxEvidence})
	info.Alerts = len(alerts)
	put := append(st.pending[w.Tenant], alerts...)
	if len(put) == 0 {
		return nil
	}
	if err := s.opts.Sink.Put(ctx, put); err != nil {
		if len(put) > maxPending {
			put = put[len(put)-maxPending:]
		}
		st.pending[w.Tenant] = put
		return fmt.Errorf("store alerts: %w", err)
	}
	delete(st.pending, w.Tenant)
	s.opts.Metrics.Alerts.Add(float64(len(put)))
	return nil
}

package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strings"
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
	// Watermark returns the last bus sequence stored in the event store; near-real-time
	// rules read the rows up to it that their previous run had not. Required for NRT rules.
	Watermark func() uint64
	// Marks keeps each near-real-time rule's last watermark across restarts; nil keeps it
	// in memory only (a restart then starts from the current watermark).
	Marks Marks
}

// Marks stores the watermark up to which a near-real-time rule has read, per tenant. Called
// from the rule goroutines concurrently.
type Marks interface {
	NRTMark(ctx context.Context, tenant, ruleID string) (seq uint64, ok bool, err error)
	SetNRTMark(ctx context.Context, tenant, ruleID string, seq uint64) error
}

// NRTFrequency is how often near-real-time rules run.
const NRTFrequency = time.Minute

// frequency is how often r runs.
func frequency(r *rule.Rule) time.Duration {
	if r.Kind == rule.KindNRT {
		return NRTFrequency
	}
	return r.Frequency.Std()
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
	// IngestAfter and IngestThrough are a near-real-time run's range of bus messages.
	IngestAfter, IngestThrough uint64
}

// Job is a rule and the tenants it runs for.
type Job struct {
	Rule    *rule.Rule
	Tenants []string // empty means Options.Tenants
}

// Scheduler runs scheduled rules. Build it with New; Run runs it; Replace changes its rules
// while it runs.
type Scheduler struct {
	opts    Options
	sem     chan struct{}
	updates chan []Job

	mu   sync.Mutex
	jobs []Job // the current set, for Jobs and for Run to start from
}

// New returns a scheduler for rules, which must be scheduled rules with a positive frequency
// and period (see Select).
func New(rules []*rule.Rule, opts Options) (*Scheduler, error) {
	jobs := make([]Job, len(rules))
	for i, r := range rules {
		jobs[i] = Job{Rule: r}
	}
	return NewJobs(jobs, opts)
}

// NewJobs returns a scheduler for jobs, whose rules must be scheduled rules with a positive
// frequency and period (see Select).
func NewJobs(jobs []Job, opts Options) (*Scheduler, error) {
	if opts.Evaluator == nil || opts.Sink == nil {
		return nil, errors.New("schedule: Evaluator and Sink are required")
	}
	if err := checkJobs(jobs); err != nil {
		return nil, err
	}
	if opts.Watermark == nil && slices.ContainsFunc(jobs, func(j Job) bool { return j.Rule.Kind == rule.KindNRT }) {
		return nil, errors.New("schedule: near-real-time rules need Options.Watermark")
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
	return &Scheduler{opts: opts, jobs: jobs, sem: make(chan struct{}, opts.Concurrency), updates: make(chan []Job, 1)}, nil
}

func checkJobs(jobs []Job) error {
	seen := map[string]bool{}
	for _, j := range jobs {
		if reason := unschedulable(j.Rule); reason != "" {
			return fmt.Errorf("schedule: rule %s: %s", j.Rule.ID, reason)
		}
		for _, t := range j.Tenants {
			if seen[t+"\x00"+j.Rule.ID] {
				return fmt.Errorf("schedule: rule %s appears twice for tenant %s", j.Rule.ID, t)
			}
			seen[t+"\x00"+j.Rule.ID] = true
		}
	}
	return nil
}

// Rules returns the rules the scheduler runs.
func (s *Scheduler) Rules() []*rule.Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*rule.Rule, len(s.jobs))
	for i, j := range s.jobs {
		out[i] = j.Rule
	}
	return out
}

// Replace makes jobs the scheduler's set. Run stops the loops of rules that are gone or
// changed (a run in progress is cancelled) and starts the new ones; an unchanged job keeps
// its loop and its suppression state. Safe to call from any goroutine.
func (s *Scheduler) Replace(jobs []Job) error {
	if err := checkJobs(jobs); err != nil {
		return err
	}
	if s.opts.Watermark == nil && slices.ContainsFunc(jobs, func(j Job) bool { return j.Rule.Kind == rule.KindNRT }) {
		return errors.New("schedule: near-real-time rules need Options.Watermark")
	}
	s.mu.Lock()
	s.jobs = jobs
	s.mu.Unlock()
	select {
	case <-s.updates: // Run has not taken the previous set yet: this one supersedes it
	default:
	}
	s.updates <- jobs
	return nil
}

// running is a job's loop.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Run runs every rule on its slots until ctx ends; it returns nil then. A failing rule is
// logged and counted and never stops the others.
func (s *Scheduler) Run(ctx context.Context) error {
	loops := map[string]running{}
	s.mu.Lock()
	s.apply(ctx, loops, s.jobs)
	s.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			for _, l := range loops {
				<-l.done
			}
			return nil
		case jobs := <-s.updates:
			s.apply(ctx, loops, jobs)
		}
	}
}

// apply stops the loops whose job is not in jobs and starts loops for the new jobs.
func (s *Scheduler) apply(ctx context.Context, loops map[string]running, jobs []Job) {
	want := make(map[string]Job, len(jobs))
	for _, j := range jobs {
		want[s.jobKey(j)] = j
	}
	for k, l := range loops {
		if _, ok := want[k]; !ok {
			l.cancel()
			<-l.done
			delete(loops, k)
		}
	}
	for k, j := range want {
		if _, ok := loops[k]; ok {
			continue
		}
		lctx, cancel := context.WithCancel(ctx)
		l := running{cancel: cancel, done: make(chan struct{})}
		loops[k] = l
		go func() {
			defer close(l.done)
			s.loop(lctx, j)
		}()
	}
	s.opts.Metrics.Rules.Set(float64(len(loops)))
}

// jobKey identifies a job's content: the rule as a whole and its tenants, so that any change
// restarts the loop.
func (s *Scheduler) jobKey(j Job) string {
	b, _ := json.Marshal(j.Rule) // a rule is plain data; it always marshals
	h := sha256.New()
	h.Write(b)
	for _, t := range s.tenants(j) {
		h.Write([]byte{0})
		h.Write([]byte(t))
	}
	return j.Rule.ID + "/" + hex.EncodeToString(h.Sum(nil)[:12])
}

func (s *Scheduler) tenants(j Job) []string {
	if len(j.Tenants) > 0 {
		return j.Tenants
	}
	return s.opts.Tenants
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
	marks           map[string]uint64 // by tenant: the watermark a near-real-time rule has read up to
}

func (s *Scheduler) loop(ctx context.Context, j Job) {
	r := j.Rule
	freq := frequency(r)
	next := NextSlot(s.opts.Clock.Now(), freq, Offset(r.ID, freq))
	st := &ruleState{suppressedUntil: map[string]time.Time{}, pending: map[string][]alert.Alert{}, marks: map[string]uint64{}}
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
		for _, tenant := range s.tenants(j) {
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
	if r.Kind == rule.KindNRT {
		w = s.nrtWindow(ctx, r, st, tenant, slot)
	}
	info := RunInfo{RuleID: r.ID, Tenant: tenant, Slot: slot, From: w.From, To: w.To, IngestAfter: w.IngestAfter, IngestThrough: w.IngestThrough}
	if until, ok := st.suppressedUntil[tenant]; ok && slot.Before(until) {
		info.Suppressed = true
		s.opts.Metrics.Runs.WithLabelValues("suppressed").Inc()
		return info
	}
	if r.Kind == rule.KindNRT && w.IngestThrough == w.IngestAfter {
		s.opts.Metrics.Runs.WithLabelValues("ok").Inc()
		return info // nothing stored since the last run
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
	if r.Kind == rule.KindNRT {
		s.advance(ctx, r, st, tenant, w.IngestThrough)
	}
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
	from, to := w.From, w.To
	if w.IngestThrough > 0 {
		from, to = w.Now.Add(-NRTFrequency), w.Now
	}
	alerts := alert.Extract(r, res, alert.Run{Tenant: w.Tenant, From: from, To: to, Now: s.opts.Clock.Now(), MaxEvidence: s.opts.MaxEvidence})
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

// nrtWindow is a near-real-time run's window: the bus messages stored since the rule's last
// run for tenant, up to the current watermark. A rule with no mark yet starts from its stored
// mark, or from the current watermark (it does not evaluate what was stored before it
// existed).
func (s *Scheduler) nrtWindow(ctx context.Context, r *rule.Rule, st *ruleState, tenant string, slot time.Time) Window {
	through := s.opts.Watermark()
	after, ok := st.marks[tenant]
	if !ok {
		after = through
		if s.opts.Marks != nil {
			if m, found, err := s.opts.Marks.NRTMark(ctx, tenant, r.ID); err != nil {
				s.opts.Log.Warn("read near-real-time mark; starting from the watermark", "rule", r.ID, "tenant", tenant, "err", err)
			} else if found && m <= through {
				after = m
			}
		}
		st.marks[tenant] = after
	}
	if through < after {
		through = after // the store was reset under us; read nothing until it catches up
	}
	return Window{Tenant: tenant, Now: slot, IngestAfter: after, IngestThrough: through}
}

// advance records that a near-real-time rule has read tenant's rows up to through.
func (s *Scheduler) advance(ctx context.Context, r *rule.Rule, st *ruleState, tenant string, through uint64) {
	if through <= st.marks[tenant] {
		return
	}
	st.marks[tenant] = through
	if s.opts.Marks != nil {
		if err := s.opts.Marks.SetNRTMark(context.WithoutCancel(ctx), tenant, r.ID, through); err != nil {
			s.opts.Log.Warn("store near-real-time mark", "rule", r.ID, "tenant", tenant, "err", err)
		}
	}
}

// RunNow runs every scheduled (not near-real-time) rule once for each of its tenants as if
// at were one of its slots, storing the alerts as a regular run does, and returns the runs.
// It leaves the regular slots and their suppression state alone: `vigil demo` and
// operators use it to evaluate rules at once rather than at their next slot.
func (s *Scheduler) RunNow(ctx context.Context, at time.Time) []RunInfo {
	s.mu.Lock()
	jobs := slices.Clone(s.jobs)
	s.mu.Unlock()
	var mu sync.Mutex
	var runs []RunInfo
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.Rule.Kind == rule.KindNRT {
			continue
		}
		wg.Go(func() {
			select {
			case <-ctx.Done():
				return
			case s.sem <- struct{}{}:
			}
			defer func() { <-s.sem }()
			st := &ruleState{suppressedUntil: map[string]time.Time{}, pending: map[string][]alert.Alert{}, marks: map[string]uint64{}}
			for _, tenant := range s.tenants(j) {
				info := s.runTenant(ctx, j.Rule, st, tenant, at)
				if s.opts.OnRun != nil {
					s.opts.OnRun(info)
				}
				mu.Lock()
				runs = append(runs, info)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(runs, func(a, b RunInfo) int { return strings.Compare(a.RuleID+a.Tenant, b.RuleID+b.Tenant) })
	return runs
}

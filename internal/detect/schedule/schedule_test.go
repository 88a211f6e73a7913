package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/store"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestNextSlot(t *testing.T) {
	at := func(h, m, s int) time.Time { return time.Date(2026, 1, 1, h, m, s, 0, time.UTC) }
	for _, c := range []struct {
		name      string
		t         time.Time
		freq, off time.Duration
		want      time.Time
	}{
		{"on a slot", at(10, 0, 0), time.Hour, 0, at(10, 0, 0)},
		{"just after a slot", at(10, 0, 1), time.Hour, 0, at(11, 0, 0)},
		{"offset ahead", at(10, 10, 0), time.Hour, 15 * time.Minute, at(10, 15, 0)},
		{"offset passed", at(10, 20, 0), time.Hour, 15 * time.Minute, at(11, 15, 0)},
		{"five minutes", at(10, 7, 0), 5 * time.Minute, time.Minute, at(10, 11, 0)},
		{"daily with offset", at(10, 0, 0), 24 * time.Hour, 3 * time.Hour, time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := NextSlot(c.t, c.freq, c.off); !got.Equal(c.want) {
				t.Errorf("NextSlot(%s, %s, %s) = %s, want %s", c.t, c.freq, c.off, got, c.want)
			}
		})
	}
}

func TestOffset(t *testing.T) {
	// The offset is a fixed function of the id: FNV-1a 64 of "rule-a" modulo an hour.
	if a, b := Offset("rule-a", time.Hour), Offset(string([]byte("rule-a")), time.Hour); a != b {
		t.Error("offset is not stable")
	}
	distinct := map[time.Duration]bool{}
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		off := Offset(id, time.Hour)
		if off < 0 || off >= time.Hour {
			t.Errorf("Offset(%q) = %s, outside [0, 1h)", id, off)
		}
		distinct[off] = true
	}
	if len(distinct) < 7 {
		t.Errorf("8 rules got only %d distinct offsets", len(distinct))
	}
}

// fakeEval returns rows per rule and records the windows it is asked for.
type fakeEval struct {
	mu      sync.Mutex
	windows map[string][]Window
	rows    func(r *rule.Rule, w Window) (int, error)
}

func (f *fakeEval) Evaluate(ctx context.Context, r *rule.Rule, w Window) (*store.Result, error) {
	f.mu.Lock()
	if f.windows == nil {
		f.windows = map[string][]Window{}
	}
	f.windows[r.ID] = append(f.windows[r.ID], w)
	f.mu.Unlock()
	n, err := f.rows(r, w)
	if err != nil {
		return nil, err
	}
	res := &store.Result{Columns: []store.Column{{Name: "TimeGenerated", Type: "datetime"}, {Name: "DeviceName", Type: "string"}}}
	for i := range n {
		res.Rows = append(res.Rows, []any{w.From.Add(time.Duration(i) * time.Second), "host-1"})
	}
	return res, nil
}

type fakeSink struct {
	mu     sync.Mutex
	alerts []alert.Alert
	fail   bool
}

func (s *fakeSink) Put(_ context.Context, as []alert.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("sink down")
	}
	s.alerts = append(s.alerts, as...)
	return nil
}

func testRule(id string, freq, period time.Duration) *rule.Rule {
	return &rule.Rule{
		ID: id, Name: "rule " + id, Severity: rule.SeverityMedium, Enabled: true, Kind: rule.KindScheduled,
		Query: "T", Frequency: rule.Duration(freq), Period: rule.Duration(period),
		Trigger:        rule.Trigger{Operator: rule.OpGreaterThan},
		EntityMappings: []rule.EntityMapping{{EntityType: "Host", FieldMappings: []rule.FieldMapping{{Identifier: "FullName", ColumnName: "DeviceName"}}}},
	}
}

// harness runs a scheduler on a manual clock and collects its runs.
type harness struct {
	t     *testing.T
	clock *ManualClock
	eval  *fakeEval
	sink  *fakeSink
	runs  chan RunInfo
	m     *Metrics
	rules []*rule.Rule
	s     *Scheduler
}

func startHarness(t *testing.T, rules []*rule.Rule, tenants []string, rows func(*rule.Rule, Window) (int, error)) *harness {
	t.Helper()
	h := &harness{t: t, clock: NewManualClock(t0), eval: &fakeEval{rows: rows}, sink: &fakeSink{}, runs: make(chan RunInfo, 100), rules: rules}
	h.m = NewMetrics(prometheus.NewRegistry())
	s, err := New(rules, Options{
		Tenants: tenants, Evaluator: h.eval, Sink: h.sink, Clock: h.clock, Metrics: h.m, Concurrency: 4,
		OnRun: func(ri RunInfo) { h.runs <- ri },
	})
	if err != nil {
		t.Fatal(err)
	}
	h.s = s
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return h
}

// slot returns the n-th slot (0-based) of r after t0.
func slot(r *rule.Rule, n int) time.Time {
	f := r.Frequency.Std()
	return NextSlot(t0, f, Offset(r.ID, f)).Add(time.Duration(n) * f)
}

// set parks every rule goroutine, moves the clock to at and collects n runs.
func (h *harness) set(at time.Time, n int) []RunInfo {
	h.t.Helper()
	if !h.clock.WaitFor(len(h.rules), 5*time.Second) {
		h.t.Fatalf("rule goroutines did not wait on the clock (%d waiters)", h.clock.Waiters())
	}
	h.clock.Set(at)
	return h.collect(n)
}

func (h *harness) collect(n int) []RunInfo {
	h.t.Helper()
	var out []RunInfo
	for range n {
		select {
		case ri := <-h.runs:
			out = append(out, ri)
		case <-time.After(5 * time.Second):
			h.t.Fatalf("got %d runs, want %d: %+v", len(out), n, out)
		}
	}
	return out
}

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestScheduler(t *testing.T) {
	hourly2h := testRule("window", time.Hour, 2*time.Hour)
	for _, c := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"window per tenant", func(t *testing.T) {
			h := startHarness(t, []*rule.Rule{hourly2h}, []string{"t1", "t2"}, func(*rule.Rule, Window) (int, error) { return 0, nil })
			s0 := slot(hourly2h, 0)
			if !h.clock.WaitFor(1, 5*time.Second) {
				t.Fatal("no waiter")
			}
			h.clock.Set(s0.Add(-time.Nanosecond)) // not yet due
			h.clock.Set(s0)
			runs := h.collect(2)
			for i, ri := range runs {
				if ri.Tenant != []string{"t1", "t2"}[i] || !ri.From.Equal(s0.Add(-2*time.Hour)) || !ri.To.Equal(s0) || !ri.Slot.Equal(s0) {
					t.Errorf("run %d = %+v, want window [%s, %s)", i, ri, s0.Add(-2*time.Hour), s0)
				}
			}
			h.eval.mu.Lock()
			defer h.eval.mu.Unlock()
			if w := h.eval.windows["window"]; len(w) != 2 || !w[0].Now.Equal(s0) || w[1].Tenant != "t2" {
				t.Errorf("windows = %+v", w)
			}
		}},
		{"slots follow the frequency and offset", func(t *testing.T) {
			r := testRule("five", 5*time.Minute, 5*time.Minute)
			h := startHarness(t, []*rule.Rule{r}, nil, func(*rule.Rule, Window) (int, error) { return 0, nil })
			for i := range 3 {
				ri := h.set(slot(r, i), 1)[0]
				if want := slot(r, i); !ri.Slot.Equal(want) || ri.Tenant != "default" {
					t.Errorf("run %d at %s tenant %q, want %s default", i, ri.Slot, ri.Tenant, want)
				}
				if (ri.Slot.UnixNano()-int64(Offset("five", 5*time.Minute)))%int64(5*time.Minute) != 0 {
					t.Errorf("slot %s is not aligned to the offset", ri.Slot)
				}
			}
		}},
		{"threshold", func(t *testing.T) {
			r := testRule("thr", time.Hour, time.Hour)
			r.Trigger = rule.Trigger{Operator: rule.OpGreaterThan, Threshold: 2}
			rows := []int{2, 3}
			h := startHarness(t, []*rule.Rule{r}, nil, func(_ *rule.Rule, w Window) (int, error) {
				return rows[int(w.To.Sub(slot(r, 0))/time.Hour)], nil
			})
			if ri := h.set(slot(r, 0), 1)[0]; ri.Rows != 2 || ri.Alerts != 0 {
				t.Errorf("2 rows with gt 2: %+v, want no alert", ri)
			}
			if ri := h.set(slot(r, 1), 1)[0]; ri.Rows != 3 || ri.Alerts != 1 {
				t.Errorf("3 rows with gt 2: %+v, want one alert", ri)
			}
			if len(h.sink.alerts) != 1 || h.sink.alerts[0].RuleID != "thr" || len(h.sink.alerts[0].Entities) != 1 {
				t.Errorf("sink got %+v", h.sink.alerts)
			}
		}},
		{"suppression", func(t *testing.T) {
			r := testRule("sup", time.Hour, time.Hour)
			r.SuppressionEnabled, r.SuppressionDuration = true, rule.Duration(2*time.Hour)
			h := startHarness(t, []*rule.Rule{r}, nil, func(*rule.Rule, Window) (int, error) { return 1, nil })
			want := []struct{ suppressed bool }{{false}, {true}, {false}, {true}}
			for i, w := range want {
				ri := h.set(slot(r, i), 1)[0]
				if ri.Suppressed != w.suppressed {
					t.Errorf("slot %d: suppressed %v, want %v", i, ri.Suppressed, w.suppressed)
				}
			}
			if len(h.sink.alerts) != 2 {
				t.Errorf("%d alerts stored, want 2", len(h.sink.alerts))
			}
		}},
		{"missed slots while down or busy are counted and not run", func(t *testing.T) {
			r := testRule("miss", time.Hour, time.Hour)
			h := startHarness(t, []*rule.Rule{r}, nil, func(*rule.Rule, Window) (int, error) { return 0, nil })
			h.set(slot(r, 0), 1)
			ri := h.set(slot(r, 3).Add(30*time.Minute), 1)[0]
			if !ri.Slot.Equal(slot(r, 3)) || ri.Missed != 2 {
				t.Errorf("late run = slot %s missed %d, want slot %s missed 2", ri.Slot, ri.Missed, slot(r, 3))
			}
			if got := counter(t, h.m.Missed); got != 2 {
				t.Errorf("missed counter = %v, want 2", got)
			}
			ri = h.set(slot(r, 4), 1)[0]
			if !ri.Slot.Equal(slot(r, 4)) || ri.Missed != 0 {
				t.Errorf("next run = %+v, want slot 4 on time", ri)
			}
		}},
		{"an overrunning run misses the slots it covers", func(t *testing.T) {
			r := testRule("slow", time.Hour, time.Hour)
			started, release := make(chan struct{}, 1), make(chan struct{})
			var once sync.Once
			h := startHarness(t, []*rule.Rule{r}, nil, func(*rule.Rule, Window) (int, error) {
				once.Do(func() { started <- struct{}{}; <-release })
				return 0, nil
			})
			h.clock.WaitFor(1, 5*time.Second)
			h.clock.Set(slot(r, 0))
			<-started
			h.clock.Set(slot(r, 2).Add(30 * time.Minute))
			close(release)
			runs := h.collect(2)
			if !runs[0].Slot.Equal(slot(r, 0)) || !runs[1].Slot.Equal(slot(r, 2)) || runs[1].Missed != 1 {
				t.Errorf("runs = %+v, want slot 0 then slot 2 with 1 missed", runs)
			}
		}},
		{"an erroring rule does not stop others", func(t *testing.T) {
			bad, good := testRule("bad", time.Hour, time.Hour), testRule("good", time.Hour, time.Hour)
			h := startHarness(t, []*rule.Rule{bad, good}, nil, func(r *rule.Rule, _ Window) (int, error) {
				if r.ID == "bad" {
					return 0, errors.New("boom")
				}
				return 1, nil
			})
			last := maxTime(slot(bad, 1), slot(good, 1))
			if !h.clock.WaitFor(2, 5*time.Second) {
				t.Fatal("no waiters")
			}
			h.clock.Set(maxTime(slot(bad, 0), slot(good, 0)))
			h.collect(2)
			runs := h.set(last, 2)
			var goodRuns, badErrs int
			for _, ri := range runs {
				if ri.RuleID == "good" && ri.Err == nil && ri.Alerts == 1 {
					goodRuns++
				}
				if ri.RuleID == "bad" && ri.Err != nil {
					badErrs++
				}
			}
			if goodRuns != 1 || badErrs != 1 {
				t.Errorf("runs = %+v", runs)
			}
			if got := counter(t, h.m.Runs.WithLabelValues("failed")); got != 2 {
				t.Errorf("failed runs = %v, want 2", got)
			}
			if len(h.sink.alerts) != 2 {
				t.Errorf("%d alerts, want 2", len(h.sink.alerts))
			}
		}},
		{"a failing sink keeps the alerts for the next run", func(t *testing.T) {
			r := testRule("retry", time.Hour, time.Hour)
			r.EventGrouping = rule.AlertPerResult
			h := startHarness(t, []*rule.Rule{r}, nil, func(*rule.Rule, Window) (int, error) { return 1, nil })
			h.sink.mu.Lock()
			h.sink.fail = true
			h.sink.mu.Unlock()
			if ri := h.set(slot(r, 0), 1)[0]; ri.Err == nil {
				t.Error("sink error not reported")
			}
			h.sink.mu.Lock()
			h.sink.fail = false
			h.sink.mu.Unlock()
			if ri := h.set(slot(r, 1), 1)[0]; ri.Err != nil {
				t.Error(ri.Err)
			}
			if len(h.sink.alerts) != 2 || h.sink.alerts[0].EndTime.After(slot(r, 0)) {
				t.Errorf("alerts = %d, want the first run's then the second's", len(h.sink.alerts))
			}
		}},
	} {
		t.Run(c.name, c.run)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestNewRejectsUnschedulable(t *testing.T) {
	nrt := testRule("nrt", 0, 0)
	nrt.Kind = rule.KindNRT
	if _, err := New([]*rule.Rule{nrt}, Options{Evaluator: &fakeEval{}, Sink: &fakeSink{}}); err == nil || !strings.Contains(err.Error(), "Watermark") {
		t.Errorf("NRT rule without a watermark: err = %v", err)
	}
	noFreq := testRule("nofreq", 0, time.Hour)
	if _, err := New([]*rule.Rule{noFreq}, Options{Evaluator: &fakeEval{}, Sink: &fakeSink{}}); err == nil || !strings.Contains(err.Error(), "no queryFrequency") {
		t.Errorf("scheduled rule without a frequency: err = %v", err)
	}
}

// memMarks is Marks in memory.
type memMarks struct {
	mu sync.Mutex
	m  map[string]uint64
}

func (m *memMarks) NRTMark(_ context.Context, tenant, id string) (uint64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[tenant+"/"+id]
	return v, ok, nil
}

func (m *memMarks) SetNRTMark(_ context.Context, tenant, id string, seq uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[tenant+"/"+id] = seq
	return nil
}

// TestNRT runs a near-real-time rule every minute over the bus messages stored since its
// previous run: nothing before it started, none twice, none lost to a failed run, and it
// resumes from its stored mark.
func TestNRT(t *testing.T) {
	nrt := testRule("nrt", 0, 0)
	nrt.Kind = rule.KindNRT
	var wm atomic.Uint64
	wm.Store(5)
	marks := &memMarks{m: map[string]uint64{}}
	fail := atomic.Bool{}
	start := func() *harness {
		h := &harness{t: t, clock: NewManualClock(t0), sink: &fakeSink{}, runs: make(chan RunInfo, 100), rules: []*rule.Rule{nrt}}
		h.eval = &fakeEval{rows: func(_ *rule.Rule, w Window) (int, error) {
			if fail.Load() {
				return 0, errors.New("store busy")
			}
			return int(w.IngestThrough - w.IngestAfter), nil
		}}
		s, err := New(h.rules, Options{Evaluator: h.eval, Sink: h.sink, Clock: h.clock, Watermark: wm.Load, Marks: marks, OnRun: func(ri RunInfo) { h.runs <- ri }})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = s.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		h.s = s
		return h
	}
	h := start()
	minute := func(n int) time.Time {
		return NextSlot(t0, time.Minute, Offset("nrt", time.Minute)).Add(time.Duration(n) * time.Minute)
	}
	type rng struct{ after, through uint64 }
	steps := []struct {
		wm     uint64
		fail   bool
		want   rng
		rows   int
		errors bool
	}{
		{wm: 5, want: rng{5, 5}},          // nothing new since the rule started
		{wm: 9, want: rng{5, 9}, rows: 4}, // the messages stored meanwhile
		{wm: 12, fail: true, want: rng{9, 12}, errors: true},
		{wm: 14, want: rng{9, 14}, rows: 5}, // the failed run's messages are read again
		{wm: 14, want: rng{14, 14}},
	}
	for i, st := range steps {
		wm.Store(st.wm)
		fail.Store(st.fail)
		ri := h.set(minute(i), 1)[0]
		if (rng{ri.IngestAfter, ri.IngestThrough}) != st.want || ri.Rows != st.rows || (ri.Err != nil) != st.errors {
			t.Errorf("step %d: run %+v, want range %v rows %d", i, ri, st.want, st.rows)
		}
	}
	if got, _, _ := marks.NRTMark(context.Background(), "default", "nrt"); got != 14 {
		t.Errorf("stored mark = %d, want 14", got)
	}
	// A new scheduler resumes from the stored mark, not the current watermark.
	wm.Store(20)
	h2 := start()
	if ri := h2.set(minute(0), 1)[0]; ri.IngestAfter != 14 || ri.IngestThrough != 20 {
		t.Errorf("after restart: range (%d, %d], want (14, 20]", ri.IngestAfter, ri.IngestThrough)
	}
}

func TestReplace(t *testing.T) {
	a, b := testRule("a", time.Hour, time.Hour), testRule("b", time.Hour, time.Hour)
	h := startHarness(t, []*rule.Rule{a, b}, nil, func(*rule.Rule, Window) (int, error) { return 0, nil })
	if !h.clock.WaitFor(2, 5*time.Second) {
		t.Fatal("rules did not start")
	}
	c := testRule("c", 5*time.Minute, 5*time.Minute)
	if err := h.s.Replace([]Job{{Rule: a}, {Rule: c, Tenants: []string{"t9"}}}); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Replace([]Job{{Rule: c, Tenants: []string{"t9"}}, {Rule: c, Tenants: []string{"t9"}}}); err == nil {
		t.Error("a rule twice for one tenant was accepted")
	}
	// a and b had parked; c parks once its loop starts (b's stale waiter stays registered).
	if !h.clock.WaitFor(3, 5*time.Second) {
		t.Fatal("the new rule did not start")
	}
	h.clock.Set(t0.Add(time.Hour))
	got := map[string]string{}
	for _, ri := range h.collect(2) {
		got[ri.RuleID] = ri.Tenant
	}
	if len(got) != 2 || got["a"] != "default" || got["c"] != "t9" {
		t.Errorf("runs after replace = %v, want a for default and c for t9", got)
	}
	select {
	case ri := <-h.runs:
		t.Errorf("unexpected run %+v (b was removed)", ri)
	case <-time.After(100 * time.Millisecond):
	}
	if ids := h.s.Rules(); len(ids) != 2 || ids[0].ID != "a" || ids[1].ID != "c" {
		t.Errorf("Rules() = %v", ids)
	}
}

func TestRunNow(t *testing.T) {
	a, b := testRule("a", time.Hour, 2*time.Hour), testRule("b", 24*time.Hour, 24*time.Hour)
	nrt := testRule("nrt", 0, 0)
	nrt.Kind = rule.KindNRT
	eval := &fakeEval{rows: func(r *rule.Rule, _ Window) (int, error) {
		if r.ID == "b" {
			return 0, errors.New("boom")
		}
		return 1, nil
	}}
	sink := &fakeSink{}
	s, err := NewJobs([]Job{{Rule: a, Tenants: []string{"t1", "t2"}}, {Rule: b}, {Rule: nrt}}, Options{
		Evaluator: eval, Sink: sink, Clock: NewManualClock(t0), Watermark: func() uint64 { return 0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(90 * time.Minute)
	runs := s.RunNow(context.Background(), at)
	var got []string
	for _, ri := range runs {
		got = append(got, fmt.Sprintf("%s/%s %s-%s alerts=%d err=%v", ri.RuleID, ri.Tenant, ri.From.Format("15:04"), ri.To.Format("15:04"), ri.Alerts, ri.Err != nil))
	}
	want := []string{"a/t1 23:30-01:30 alerts=1 err=false", "a/t2 23:30-01:30 alerts=1 err=false", "b/default 01:30-01:30 alerts=0 err=true"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("runs =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(sink.alerts) != 2 {
		t.Errorf("stored %d alerts, want 2", len(sink.alerts))
	}
}

package schedule

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
)

// BenchmarkRunNow1000Rules is the scheduler's own cost per evaluation round of 1,000 rules
// (windows, alert extraction, the sink), with an evaluator that answers at once: one op is
// one round. Query time is the store's, measured by the KQL benchmarks.
func BenchmarkRunNow1000Rules(b *testing.B) {
	jobs := make([]Job, 1000)
	for i := range jobs {
		jobs[i] = Job{Rule: testRule(fmt.Sprintf("rule-%04d", i), time.Hour, time.Hour)}
	}
	s, err := NewJobs(jobs, Options{Evaluator: &fakeEval{rows: func(*rule.Rule, Window) (int, error) { return 1, nil }}, Sink: &fakeSink{}, Clock: NewManualClock(t0)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		runs := s.RunNow(context.Background(), t0.Add(time.Duration(i)*time.Hour))
		if len(runs) != 1000 {
			b.Fatalf("%d runs", len(runs))
		}
	}
}

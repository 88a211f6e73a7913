package incident

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
)

// benchOpen is how many open incidents the benchmarks correlate into.
const benchOpen = 10_000

// benchAlert is alert i of the benchmarks: a host alert (host i mod benchOpen) with a
// user and an IP of its own, at t0 + i ms.
func benchAlert(i int) alert.Alert {
	h := i % benchOpen
	return alert.Alert{ID: fmt.Sprintf("b%d", i), Tenant: "t1", RuleID: fmt.Sprintf("r%d", i%50), Title: "Bench", Severity: rule.SeverityMedium,
		CreatedTime: t0.Add(time.Duration(i) * time.Millisecond), Tactics: []string{"Execution"},
		Entities: []alert.Entity{
			{Type: "Host", Identifiers: map[string]string{"HostName": fmt.Sprintf("ws%05d", h)}},
			{Type: "Account", Identifiers: map[string]string{"Sid": fmt.Sprintf("S-1-5-21-%d", h)}},
			{Type: "IP", Identifiers: map[string]string{"Address": fmt.Sprintf("10.%d.%d.%d", h>>16&255, h>>8&255, h&255)}},
		}}
}

// seededCorrelator returns a correlator over SQLite holding benchOpen open incidents.
func seededCorrelator(b *testing.B) (*Correlator, int) {
	b.Helper()
	c := New(MetaState{openStateB(b)}, Options{})
	ctx := context.Background()
	const batch = 500
	for i := 0; i < benchOpen; i += batch {
		var as []alert.Alert
		for j := i; j < i+batch; j++ {
			as = append(as, benchAlert(j))
		}
		if err := c.Put(ctx, as); err != nil {
			b.Fatal(err)
		}
	}
	return c, benchOpen
}

// BenchmarkCorrelateThroughput correlates batches of 100 alerts (as one scheduler run
// hands them over) into 10,000 open incidents on SQLite and reports alerts/s.
func BenchmarkCorrelateThroughput(b *testing.B) {
	c, next := seededCorrelator(b)
	ctx := context.Background()
	const batch = 100
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	n := 0
	for b.Loop() {
		as := make([]alert.Alert, batch)
		for j := range as {
			as[j] = benchAlert(next)
			next++
		}
		if err := c.Put(ctx, as); err != nil {
			b.Fatal(err)
		}
		n += batch
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "alerts/s")
}

// BenchmarkCorrelateLatency hands alerts over one at a time into 10,000 open incidents on
// SQLite and reports the p50 and p99 time from Put to the alert being in its incident.
func BenchmarkCorrelateLatency(b *testing.B) {
	c, next := seededCorrelator(b)
	ctx := context.Background()
	var lat []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a := benchAlert(next)
		next++
		t := time.Now()
		if err := c.Put(ctx, []alert.Alert{a}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

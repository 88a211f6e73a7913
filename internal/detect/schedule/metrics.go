package schedule

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the scheduler's Prometheus metrics.
type Metrics struct {
	Runs     *prometheus.CounterVec // by result: ok, failed, suppressed
	Missed   prometheus.Counter
	Alerts   prometheus.Counter
	Duration prometheus.Histogram
	Rules    prometheus.Gauge
}

// NewMetrics creates the metrics and registers them with reg (when not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_detection_rule_runs_total", Help: "Scheduled rule runs per tenant, by result (ok, failed, suppressed).",
		}, []string{"result"}),
		Missed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_detection_rule_missed_runs_total", Help: "Rule slots skipped because the rule could not run in time.",
		}),
		Alerts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_detection_alerts_total", Help: "Alerts produced by scheduled rules and stored by the sink.",
		}),
		Duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_detection_rule_run_seconds", Help: "Duration of one rule run for one tenant.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 9),
		}),
		Rules: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_detection_rules", Help: "Rules the scheduler runs.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Runs, m.Missed, m.Alerts, m.Duration, m.Rules)
	}
	return m
}

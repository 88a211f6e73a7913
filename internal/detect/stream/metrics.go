package stream

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the stream detectors' Prometheus metrics.
type Metrics struct {
	Events   prometheus.Counter
	Alerts   prometheus.Counter
	Failures prometheus.Counter
	Lag      prometheus.Gauge
	Duration prometheus.Histogram // one step over a run of messages
	Latency  prometheus.Histogram // from ingest to the alert being raised
}

// NewMetrics creates the metrics and registers them with reg (when not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_stream_events_total", Help: "Events tested by the stream detectors.",
		}),
		Alerts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_stream_alerts_total", Help: "Alerts raised by the stream detectors and stored by the sink.",
		}),
		Failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_stream_step_failures_total", Help: "Stream detection steps that failed and were retried.",
		}),
		Lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_stream_lag_messages", Help: "Bus messages waiting for the stream detectors.",
		}),
		Duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_stream_step_seconds", Help: "Time to test one run of bus messages.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
		}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_stream_alert_latency_seconds", Help: "Time from an event's ingestion to its alert.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Events, m.Alerts, m.Failures, m.Lag, m.Duration, m.Latency)
	}
	return m
}

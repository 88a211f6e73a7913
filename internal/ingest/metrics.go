package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ingest path's Prometheus metrics.
type Metrics struct {
	Rows          *prometheus.CounterVec
	Rejected      *prometheus.CounterVec
	Bytes         *prometheus.CounterVec
	WrittenRows   prometheus.Counter
	WriteDuration prometheus.Histogram
	Lag           prometheus.Gauge
	WriteErrors   prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_rows_total", Help: "Rows accepted by receivers and stored on the bus.",
		}, []string{"table"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_rejected_rows_total", Help: "Rows rejected to IngestionErrors.",
		}, []string{"table"}),
		Bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_bytes_total", Help: "Request body bytes received for ingest.",
		}, []string{"table"}),
		WrittenRows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_writer_rows_total", Help: "Rows written to the event store.",
		}),
		WriteDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigil_writer_batch_seconds", Help: "Time to write one batch of bus messages to the event store.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		Lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_bus_lag_messages", Help: "Bus messages not yet written to the event store.",
		}),
		WriteErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_writer_errors_total", Help: "Failed event store writes (retried).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Rows, m.Rejected, m.Bytes, m.WrittenRows, m.WriteDuration, m.Lag, m.WriteErrors)
	}
	return m
}

func (m *Metrics) rows(table string, ok, bad int) {
	if m == nil {
		return
	}
	if ok > 0 {
		m.Rows.WithLabelValues(table).Add(float64(ok))
	}
	if bad > 0 {
		m.Rejected.WithLabelValues(table).Add(float64(bad))
	}
}

func (m *Metrics) bytes(table string, n int) {
	if m == nil {
		return
	}
	m.Bytes.WithLabelValues(table).Add(float64(n))
}

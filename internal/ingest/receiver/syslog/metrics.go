package syslog

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the receiver's Prometheus metrics.
type metrics struct {
	messages    *prometheus.CounterVec // by transport and table
	bytes       *prometheus.CounterVec // by transport
	parseErrors *prometheus.CounterVec // by transport
	dropped     *prometheus.CounterVec // by reason
	conns       prometheus.Gauge
	refused     prometheus.Counter
	retries     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_syslog_messages_total", Help: "Syslog messages received, by transport and target table.",
		}, []string{"transport", "table"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_syslog_bytes_total", Help: "Syslog message bytes received, by transport.",
		}, []string{"transport"}),
		parseErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_syslog_parse_errors_total", Help: "Syslog messages that could not be parsed (sent to IngestionErrors).",
		}, []string{"transport"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_syslog_dropped_total", Help: "Syslog messages dropped: UDP while the queue was full, or unpublished at shutdown.",
		}, []string{"reason"}),
		conns: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_syslog_tcp_connections", Help: "Open syslog TCP connections.",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_syslog_tcp_refused_total", Help: "Syslog TCP connections closed because maxConnections were open.",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_syslog_publish_retries_total", Help: "Batch publications retried after an error (bus full or unavailable).",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.messages, m.bytes, m.parseErrors, m.dropped, m.conns, m.refused, m.retries} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("syslog receiver metrics: %w", err)
		}
	}
	return m, nil
}

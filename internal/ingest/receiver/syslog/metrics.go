package syslog

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/ingest"
)

// metrics are the receiver's Prometheus metrics: the shared receiver metrics per transport
// (vigil_ingest_receiver_*{receiver="syslog"}) and the syslog receiver's own.
type metrics struct {
	recv      map[string]*ingest.ReceiverCounters // by transport: udp, tcp, tls
	dropped   *prometheus.CounterVec              // by reason
	tlsErrors prometheus.Counter
	refused   prometheus.Counter
	retries   prometheus.Counter
}

// newMetrics registers the receiver's own metrics with reg and takes the shared ones from
// shared (created and registered with reg when nil).
func newMetrics(reg prometheus.Registerer, shared *ingest.ReceiverMetrics) (*metrics, error) {
	if shared == nil {
		shared = ingest.NewReceiverMetrics(reg)
	}
	m := &metrics{
		recv: map[string]*ingest.ReceiverCounters{},
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_syslog_dropped_total", Help: "Syslog messages dropped: UDP while the queue was full, or unpublished at shutdown.",
		}, []string{"reason"}),
		tlsErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_syslog_tls_handshake_errors_total", Help: "Syslog TLS handshakes that failed (bad or missing client certificate, protocol error, timeout).",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_syslog_tcp_refused_total", Help: "Syslog TCP and TLS connections closed because maxConnections were open.",
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_syslog_publish_retries_total", Help: "Batch publications retried after an error (bus full or unavailable).",
		}),
	}
	for _, t := range []string{ingest.ProtoUDP, ingest.ProtoTCP, ingest.ProtoTLS} {
		m.recv[t] = shared.For(Source, t)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.dropped, m.tlsErrors, m.refused, m.retries} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("syslog receiver metrics: %w", err)
		}
	}
	return m, nil
}

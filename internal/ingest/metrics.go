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

// Protocols of ReceiverMetrics.
const (
	ProtoUDP   = "udp"
	ProtoTCP   = "tcp"
	ProtoTLS   = "tls"
	ProtoHTTP  = "http"
	ProtoHTTPS = "https"
)

// Backpressure kinds of ReceiverMetrics.
const (
	BackpressureBusy      = "busy"       // HTTP 503 answered (bus full or unavailable)
	BackpressureThrottled = "throttled"  // HTTP 429 answered
	BackpressureReadPause = "read_pause" // a TCP/TLS connection stopped being read
	BackpressureDrop      = "drop"       // a UDP datagram dropped on a full queue
)

// ReceiverMetrics are the receivers' metrics, labelled by receiver (syslog, hec, esbulk,
// datacollector, otlp, format, native) and protocol (udp, tcp, tls, http, https). Create them
// once per registry and share them between receivers.
type ReceiverMetrics struct {
	Messages     *prometheus.CounterVec
	Bytes        *prometheus.CounterVec
	ParseErrors  *prometheus.CounterVec
	Rejected     *prometheus.CounterVec
	Backpressure *prometheus.CounterVec // and kind
	Connections  *prometheus.GaugeVec
}

// NewReceiverMetrics creates the metrics and registers them with reg (nil: not registered).
func NewReceiverMetrics(reg prometheus.Registerer) *ReceiverMetrics {
	l := []string{"receiver", "protocol"}
	m := &ReceiverMetrics{
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_receiver_messages_total", Help: "Messages (syslog messages, events, rows) received, accepted or dead-lettered, by receiver and protocol.",
		}, l),
		Bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_receiver_bytes_total", Help: "Bytes received (message bytes; HTTP request bodies as sent), by receiver and protocol.",
		}, l),
		ParseErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_receiver_parse_errors_total", Help: "Messages or request bodies that could not be parsed (syslog messages; HTTP requests answered 400).",
		}, l),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_receiver_rejected_rows_total", Help: "Rows dead-lettered to IngestionErrors, by receiver and protocol.",
		}, l),
		Backpressure: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_ingest_receiver_backpressure_total", Help: "Backpressure events: busy (503 answered), throttled (429), read_pause (a TCP/TLS connection not read while the queue is full), drop (UDP datagram dropped).",
		}, append(l, "kind")),
		Connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_ingest_receiver_connections", Help: "Open connections (syslog TCP/TLS) or requests in flight (HTTP receivers), by receiver and protocol.",
		}, l),
	}
	if reg != nil {
		reg.MustRegister(m.Messages, m.Bytes, m.ParseErrors, m.Rejected, m.Backpressure, m.Connections)
	}
	return m
}

// For returns the counters of one receiver and protocol; nil m gives counters that count
// nothing.
func (m *ReceiverMetrics) For(receiver, protocol string) *ReceiverCounters {
	if m == nil {
		return nil
	}
	return &ReceiverCounters{m: m, receiver: receiver, protocol: protocol,
		messages: m.Messages.WithLabelValues(receiver, protocol), bytes: m.Bytes.WithLabelValues(receiver, protocol),
		parseErrors: m.ParseErrors.WithLabelValues(receiver, protocol), rejected: m.Rejected.WithLabelValues(receiver, protocol),
		conns: m.Connections.WithLabelValues(receiver, protocol)}
}

// ReceiverCounters are one receiver's and protocol's metrics. A nil *ReceiverCounters counts
// nothing; all methods are safe for concurrent use.
type ReceiverCounters struct {
	m                  *ReceiverMetrics
	receiver, protocol string
	messages, bytes    prometheus.Counter
	parseErrors        prometheus.Counter
	rejected           prometheus.Counter
	conns              prometheus.Gauge
}

// Received counts messages received and their bytes.
func (c *ReceiverCounters) Received(messages, bytes int) {
	if c == nil {
		return
	}
	c.messages.Add(float64(messages))
	c.bytes.Add(float64(bytes))
}

// Bytes counts bytes received outside Received (an HTTP body).
func (c *ReceiverCounters) Bytes(n int) {
	if c != nil {
		c.bytes.Add(float64(n))
	}
}

// Messages counts messages received outside Received (the rows of an HTTP request).
func (c *ReceiverCounters) Messages(n int) {
	if c != nil {
		c.messages.Add(float64(n))
	}
}

// ParseError counts a message or body that could not be parsed.
func (c *ReceiverCounters) ParseError() {
	if c != nil {
		c.parseErrors.Inc()
	}
}

// Rejected counts rows dead-lettered.
func (c *ReceiverCounters) Rejected(n int) {
	if c != nil && n > 0 {
		c.rejected.Add(float64(n))
	}
}

// Backpressure counts a backpressure event of kind (BackpressureBusy, ...).
func (c *ReceiverCounters) Backpressure(kind string) {
	if c != nil {
		c.m.Backpressure.WithLabelValues(c.receiver, c.protocol, kind).Inc()
	}
}

// Open counts a connection or request opened (+1) or closed (-1).
func (c *ReceiverCounters) Open(delta int) {
	if c != nil {
		c.conns.Add(float64(delta))
	}
}

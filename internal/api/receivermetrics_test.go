package api

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/ingest"
)

// TestReceiverMetrics sends real requests to the HTTP receivers and reads the receiver
// metrics: rows, bytes, dead-lettered rows, malformed bodies and busy answers.
func TestReceiverMetrics(t *testing.T) {
	s, pub := newTestServer(t)
	reg := prometheus.NewRegistry()
	s.opts.Receivers = ingest.NewReceiverMetrics(reg)
	hecOK := `{"event":"a"}{"event":{"a":1},"fields":{"vigil_table":"Nope_CL"}}{"event":"b"}`
	for _, c := range []call{
		{"POST", "/services/collector/event", hecOK, splunkAuth},                     // 2 rows, 1 dead-lettered
		{"POST", "/services/collector/event", `{"event":"a"}{"event":}`, splunkAuth}, // 400, the whole body dead-lettered
		{"POST", "/MyType_CL/_bulk", `{"index":{}}` + "\n" + `{"TimeGenerated":"2024-05-01T10:00:00Z","Count":1}` + "\n", basicAuth},
	} {
		s.call(c)
	}
	pub.full = true
	if rec := s.call(call{"POST", "/services/collector/event", `{"event":"x"}`, splunkAuth}); rec.Code != 503 {
		t.Fatalf("busy bus: got %d", rec.Code)
	}
	for _, c := range []struct {
		metric, receiver string
		want             float64
	}{
		{"vigil_ingest_receiver_messages_total", "hec", 4},
		{"vigil_ingest_receiver_rejected_rows_total", "hec", 2},
		{"vigil_ingest_receiver_parse_errors_total", "hec", 1},
		{"vigil_ingest_receiver_bytes_total", "hec", float64(len(hecOK) + len(`{"event":"a"}{"event":}`) + len(`{"event":"x"}`))},
		{"vigil_ingest_receiver_backpressure_total", "hec", 1},
		{"vigil_ingest_receiver_connections", "hec", 0},
		{"vigil_ingest_receiver_messages_total", "esbulk", 1},
		{"vigil_ingest_receiver_rejected_rows_total", "esbulk", 0},
	} {
		if got := gatheredValue(t, reg, c.metric, c.receiver); got != c.want {
			t.Errorf("%s{receiver=%q} = %v, want %v", c.metric, c.receiver, got, c.want)
		}
	}
}

// gatheredValue sums the metric called name of receiver (protocol http) in reg.
func gatheredValue(t *testing.T, reg *prometheus.Registry, name, receiver string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["receiver"] == receiver && labels["protocol"] == "http" {
				sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	return sum
}

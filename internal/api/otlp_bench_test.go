package api

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// BenchmarkNormalizeOTLPJSON decodes an OTLP/HTTP JSON request of 100 log records and maps
// them to rows (BENCHMARKS.md, "Normalizers: ns/event and allocations").
func BenchmarkNormalizeOTLPJSON(b *testing.B) {
	reg := schema.NewRegistry()
	rec := `{"timeUnixNano":"1710068400000000000","severityNumber":17,"severityText":"ERROR",` +
		`"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","body":{"stringValue":"login failed for user alice"},` +
		`"attributes":[{"key":"attempts","value":{"intValue":"3"}},{"key":"user.id","value":{"stringValue":"u-42"}},{"key":"ok","value":{"boolValue":false}}]}`
	const n = 100
	body := []byte(`{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"auth-api"}},` +
		`{"key":"host.name","value":{"stringValue":"web-7"}}]},"scopeLogs":[{"scope":{"name":"my.lib"},"logRecords":[` +
		strings.TrimSuffix(strings.Repeat(rec+",", n), ",") + `]}]}]}`)
	now := time.Date(2024, 3, 10, 11, 0, 0, 0, time.UTC)
	run := func() int {
		req, err := decodeOTLPLogs(body, true)
		if err != nil {
			b.Fatal(err)
		}
		m, err := newOTLPMapper(reg, now)
		if err != nil {
			b.Fatal(err)
		}
		m.mapAll(req)
		rows := 0
		for _, bt := range m.batches {
			rows += len(bt.rows)
		}
		return rows
	}
	if got := run(); got != n {
		b.Fatalf("%d rows, want %d", got, n)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}

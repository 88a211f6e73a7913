package ti

import (
	"fmt"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// BenchmarkDetect matches a batch of 1,000 DeviceNetworkEvents rows (1% hits) against 100k
// indicators: 40k IPv4 addresses, 10k CIDR blocks, 40k domains and 10k URLs.
func BenchmarkDetect(b *testing.B) {
	var ins []Indicator
	for i := range 40_000 {
		ins = append(ins, ind(fmt.Sprintf("ip%d", i), KindIP, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)))
		ins = append(ins, ind(fmt.Sprintf("d%d", i), KindDomain, fmt.Sprintf("bad%d.example", i)))
	}
	for i := range 10_000 {
		ins = append(ins, ind(fmt.Sprintf("c%d", i), KindIP, fmt.Sprintf("172.%d.%d.0/24", 16+i>>8&15, i&255)))
		ins = append(ins, ind(fmt.Sprintf("u%d", i), KindURL, fmt.Sprintf("http://host%d.example/p", i)))
	}
	m := newTestMatcher(b, ins)
	rows := make([]map[string]any, 1000)
	for i := range rows {
		ip, u := fmt.Sprintf("203.0.%d.%d", i>>8, i&255), fmt.Sprintf("www.good%d.example", i)
		if i%100 == 0 {
			ip, u = fmt.Sprintf("10.0.%d.%d", i>>8, i&255), "cdn.bad7.example"
		}
		rows[i] = map[string]any{"Timestamp": event, "DeviceName": "ws1", "RemoteIP": ip, "RemoteUrl": u, "RemotePort": int32(443), "InitiatingProcessAccountName": "alice"}
	}
	batch := batchOf(b, m.opts.Registry, "t1", "DeviceNetworkEvents", 1, rows...)
	n := 0
	emit := func(alert.Alert) { n++ }
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := m.Detect(batch, emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkIndexWith measures adding one indicator batch to an index of 100k: the
// copy-on-write rebuild the stream pays once per indicator batch.
func BenchmarkIndexWith(b *testing.B) {
	var ins []Indicator
	for i := range 100_000 {
		ins = append(ins, ind(fmt.Sprintf("ip%d", i), KindIP, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)))
	}
	x := NewIndex(ins)
	add := []Indicator{ind("new", KindDomain, "new.example")}
	b.ReportAllocs()
	for b.Loop() {
		x.With(add)
	}
}

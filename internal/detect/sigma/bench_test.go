package sigma

import (
	"fmt"
	"sort"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
)

// benchSet compiles n generated rules and decodes events into batches of 1000 rows.
func benchSet(tb testing.TB, nRules, nEvents int) (*RuleSet, []*stream.Batch, int) {
	d := GenerateBench(1, nRules, nEvents)
	names := make([]string, 0, len(d.Rules))
	for n := range d.Rules {
		names = append(names, n)
	}
	sort.Strings(names)
	var rules []*Rule
	for _, n := range names {
		rs, err := Load(d.Rules[n], n)
		if err != nil {
			tb.Fatal(err)
		}
		rules = append(rules, rs...)
	}
	rs, err := Compile(rules, Config{Registry: testReg})
	if err != nil {
		tb.Fatal(err)
	}
	tab, _ := testReg.Table("DeviceProcessEvents")
	var batches []*stream.Batch
	for i := 0; i < len(d.VigilEvents); i += 1000 {
		b, err := DecodeBatch(tab, "t1", d.VigilEvents[i:min(i+1000, len(d.VigilEvents))])
		if err != nil {
			tb.Fatal(err)
		}
		b.Seq = uint64(i/1000 + 1)
		batches = append(batches, b)
	}
	return rs, batches, d.Malicious
}

// BenchmarkDetect measures process_creation events per second against 1, 100 and 1000 rules;
// ns/op and allocs/op are per event.
func BenchmarkDetect(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		rs, batches, _ := benchSet(b, n, 20000)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			d := NewDetector(rs)
			alerts := 0
			emit := func(alert.Alert) { alerts++ }
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := ProcessCPUTime()
			events := 0
			for events < b.N {
				for _, bt := range batches {
					if err := d.Detect(bt, emit); err != nil {
						b.Fatal(err)
					}
					events += len(bt.Rows)
					if events >= b.N {
						break
					}
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			if cpu := ProcessCPUTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
			}
		})
	}
}

func TestBenchDataMatches(t *testing.T) {
	rs, batches, malicious := benchSet(t, 100, 5000)
	d := NewDetector(rs)
	n := 0
	for _, b := range batches {
		if err := d.Detect(b, func(alert.Alert) { n++ }); err != nil {
			t.Fatal(err)
		}
	}
	if malicious == 0 || n < malicious/2 {
		t.Fatalf("%d alerts for %d malicious events", n, malicious)
	}
}

package deception

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// BenchmarkDetect checks a batch of 1,000 DeviceProcessEvents rows (0.1% touching a decoy)
// against 100 decoys of each kind.
func BenchmarkDetect(b *testing.B) {
	var ds []Decoy
	for i := range 100 {
		for _, k := range []Kind{KindAccount, KindHost, KindFile, KindCredential, KindIP, KindMailbox} {
			v := fmt.Sprintf("decoy-%s-%d", k, i)
			switch k {
			case KindIP:
				v = fmt.Sprintf("10.99.%d.%d", i/256, i%256)
			case KindFile:
				v = fmt.Sprintf(`C:\Decoys\%d`, i)
			case KindCredential:
				v = fmt.Sprintf("HONEYTOKEN%08d", i)
			case KindAccount, KindHost, KindMailbox:
			}
			ds = append(ds, Decoy{ID: int64(len(ds) + 1), Tenant: "t1", Kind: k, Value: v})
		}
	}
	src := &memSource{}
	src.Set(ds...)
	d, err := New(Options{Registry: schema.NewRegistry(), Source: src})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	tab, _ := d.opts.Registry.Table("DeviceProcessEvents")
	names := []string{"Timestamp", "DeviceName", "AccountName", "InitiatingProcessAccountName", "FolderPath", "FileName", "ProcessCommandLine", "InitiatingProcessCommandLine"}
	batch := &stream.Batch{Tenant: "t1", Table: tab.Name, Seq: 1, IngestTime: when}
	for _, n := range names {
		i, _ := tab.Column(n)
		batch.Columns = append(batch.Columns, tab.Columns[i])
	}
	for i := range 1000 {
		cmd := fmt.Sprintf(`"C:\Windows\System32\cmd.exe" /c copy \\fs1\share\report-%d.docx C:\Users\alice\Documents\ /Y`, i)
		if i%1000 == 999 {
			cmd += " HONEYTOKEN00000042"
		}
		batch.Rows = append(batch.Rows, []schema.Value{when, fmt.Sprintf("ws%d.contoso.com", i%50), "alice", "alice",
			`C:\Windows\System32\cmd.exe`, "cmd.exe", cmd, `"C:\Windows\explorer.exe"`})
	}
	n := 0
	emit := func(alert.Alert) { n++ }
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Detect(batch, emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(batch.Rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

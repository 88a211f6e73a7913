package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/sample"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// BenchmarkWrite measures the store writer's side alone: appending decoded 5,000-row batches
// of ~1 KB DeviceProcessEvents rows, per_txn batches to a transaction committed with its offset.
func BenchmarkWrite(b *testing.B) {
	for _, per := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("batches_per_txn=%d", per), func(b *testing.B) { benchWrite(b, per) })
	}
}

func benchWrite(b *testing.B, per int) { benchWriteWith(b, per, nil, (*Store).Write) }

// benchWriteWith runs BenchmarkWrite's workload through write, after setup (if not nil) has run
// on the opened store.
func benchWriteWith(b *testing.B, per int, setup func(*Store) error, write func(*Store, context.Context, string, uint64, []store.Batch) error) {
	ctx := context.Background()
	reg := schema.NewRegistry()
	t, _ := reg.Table("DeviceProcessEvents")
	st, err := Open(ctx, filepath.Join(b.TempDir(), "bench.duckdb"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if setup != nil {
		if err := setup(st); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.EnsureTables(ctx, []*schema.Table{t}); err != nil {
		b.Fatal(err)
	}
	const rows = 5000
	body := sample.ProcessEvents(0, rows, time.Now())
	dec, err := ingest.Decode(t, body)
	if err != nil || len(dec.Rows) != rows {
		b.Fatalf("decode: %v %d", err, len(dec.Rows))
	}
	var cols []int
	for i, c := range t.Columns {
		if !c.Hidden && dec.Rows[0][i] != nil {
			cols = append(cols, i)
		}
	}
	batchRows := make([][]schema.Value, rows)
	for r, row := range dec.Rows {
		vals := make([]schema.Value, len(cols))
		for k, ci := range cols {
			vals[k] = row[ci]
		}
		batchRows[r] = vals
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	seq := uint64(0)
	for i := 0; i < b.N; i += per {
		var bs []store.Batch
		for j := 0; j < per && i+j < b.N; j++ {
			seq++
			bs = append(bs, store.Batch{Seq: seq, Tenant: "default", Table: t, IngestTime: time.Now(), Columns: cols, Rows: batchRows})
		}
		if err := write(st, ctx, "bench", seq, bs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
	b.StopTimer()
	if n, err := st.RowCounts(ctx); err != nil || n[t.Name] != int64(b.N*rows) {
		b.Fatalf("stored %d rows (%v), want %d", n[t.Name], err, b.N*rows)
	}
}

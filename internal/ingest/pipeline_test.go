package ingest_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// pipeline is a real embedded bus, a real DuckDB store and a running writer.
type pipeline struct {
	svc    *ingest.Service
	st     *duckdb.Store
	writer *ingest.Writer
	stop   func()
}

func newPipeline(t *testing.T, dir string) *pipeline {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b, err := bus.Open(ctx, bus.Config{StoreDir: filepath.Join(dir, "bus")}, log)
	if err != nil {
		t.Fatal(err)
	}
	st, err := duckdb.Open(ctx, filepath.Join(dir, "events.duckdb"), duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	off, err := st.Offset(ctx, ingest.WriterConsumer)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := b.ResumeConsumer(ctx, ingest.WriterConsumer, bus.IngestSubjectPrefix+">", off)
	if err != nil {
		t.Fatal(err)
	}
	reg := schema.NewRegistry()
	if err := st.EnsureTables(ctx, reg.Tables()); err != nil {
		t.Fatal(err)
	}
	m := ingest.NewMetrics(nil)
	w := ingest.NewWriter(cons, st, reg, ingest.WriterOptions{MaxWait: 20 * time.Millisecond}, log, m)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	p := &pipeline{svc: ingest.NewService(reg, b, ingest.Options{}, m), st: st, writer: w}
	p.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("writer: %v", err)
		}
		_ = st.Close()
		b.Close()
	}
	return p
}

func (p *pipeline) count(t *testing.T, q string) int64 {
	t.Helper()
	res, err := p.st.Query(context.Background(), q, 10)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res.Rows[0][0].(int64)
}

func TestPipelineDeadLetter(t *testing.T) {
	p := newPipeline(t, t.TempDir())
	ctx := context.Background()
	body := strings.Join([]string{
		`{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","ProcessId":42,"FileName":"cmd.exe"}`,
		`{"Timestamp":"2024-05-01T10:00:01Z","DeviceName":"ws1","ProcessId":"not a number"}`,
		`{"DeviceName":"ws2"}`,
		`{"Timestamp":"2024-05-01T10:00:02Z","DeviceName":"ws3","Extra":{"a":1}}`,
		`{"Timestamp":"2024-05-01T10:00:03Z", broken`,
	}, "\n")
	res, err := p.svc.Ingest(ctx, ingest.Request{Tenant: "default", Table: "DeviceProcessEvents", Source: "test", Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || res.Rejected != 3 {
		t.Fatalf("result = %+v", res)
	}
	wantReasons := []string{
		`column ProcessId (long): want long, got "not a number"`,
		`missing required time: Timestamp or TimeGenerated`,
		`invalid JSON at column`,
	}
	for i, w := range wantReasons {
		if !strings.Contains(res.Errors[i].Reason, w) {
			t.Errorf("error %d = %q, want %q", i, res.Errors[i].Reason, w)
		}
	}
	if res.Errors[0].Line != 2 || res.Errors[1].Line != 3 || res.Errors[2].Line != 5 {
		t.Errorf("lines = %d %d %d", res.Errors[0].Line, res.Errors[1].Line, res.Errors[2].Line)
	}
	p.stop()
	p2 := newPipeline(t, filepath.Dir(p.stPath(t)))
	defer p2.stop()
	if n := p2.count(t, `SELECT count(*) FROM DeviceProcessEvents`); n != 2 {
		t.Errorf("stored rows = %d", n)
	}
	if n := p2.count(t, `SELECT count(*) FROM IngestionErrors WHERE "Table" = 'DeviceProcessEvents' AND RawData LIKE '%not a number%' AND Line = 2`); n != 1 {
		t.Errorf("dead letter rows for bad long = %d", n)
	}
	if n := p2.count(t, `SELECT count(*) FROM DeviceProcessEvents WHERE AdditionalFields::JSON->>'$.Extra.a' = '1' AND TimeGenerated = Timestamp AND TenantId = 'default' AND "Type" = 'DeviceProcessEvents'`); n != 1 {
		t.Errorf("extra field not kept in AdditionalFields")
	}
}

func (p *pipeline) stPath(t *testing.T) string { return p.st.Path() }

func TestPipelineManyBatches(t *testing.T) {
	dir := t.TempDir()
	p := newPipeline(t, dir)
	ctx := context.Background()
	for b := 0; b < 20; b++ {
		var sb strings.Builder
		for i := 0; i < 500; i++ {
			fmt.Fprintf(&sb, `{"Timestamp":"2024-05-01T10:00:00.123456Z","DeviceName":"ws%d","ReportId":%d}`+"\n", i%7, b*500+i)
		}
		if _, err := p.svc.Ingest(ctx, ingest.Request{Tenant: "default", Table: "DeviceProcessEvents", Body: []byte(sb.String())}); err != nil {
			t.Fatal(err)
		}
	}
	p.stop()
	p = newPipeline(t, dir)
	defer p.stop()
	if n := p.count(t, `SELECT count(DISTINCT ReportId) FROM DeviceProcessEvents`); n != 10000 {
		t.Errorf("distinct rows = %d", n)
	}
	if n := p.count(t, `SELECT count(DISTINCT _IngestId) FROM DeviceProcessEvents`); n != 10000 {
		t.Errorf("distinct ingest ids = %d", n)
	}
}

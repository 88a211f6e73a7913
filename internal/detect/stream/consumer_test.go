package stream_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// fileNameDetector raises an alert for each row whose FileName is one of bad.
type fileNameDetector struct {
	bad  []string
	fail int // fail this many calls first
}

func (d *fileNameDetector) Name() string { return "filename" }

func (d *fileNameDetector) Detect(b *stream.Batch, emit func(alert.Alert)) error {
	if d.fail > 0 {
		d.fail--
		return errors.New("index not loaded yet")
	}
	i := b.Index("filename") // any letter case
	if i < 0 {
		return nil
	}
	for r, row := range b.Rows {
		if s, ok := row[i].(string); ok && slices.Contains(d.bad, s) {
			emit(alert.Alert{ID: fmt.Sprintf("%s-%d-%d", b.Tenant, b.Seq, r), Tenant: b.Tenant, Title: "bad file " + s})
		}
	}
	return nil
}

// memSink keeps alerts by id, failing the first fail calls.
type memSink struct {
	mu    sync.Mutex
	fail  int
	calls int
	byID  map[string]alert.Alert
}

func (s *memSink) Put(_ context.Context, alerts []alert.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail > 0 {
		s.fail--
		return errors.New("sink unavailable")
	}
	for _, a := range alerts {
		s.byID[a.ID] = a
	}
	return nil
}

func (s *memSink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.byID {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

type rig struct {
	bus  *bus.Bus
	svc  *ingest.Service
	meta *meta.Store
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	b, err := bus.Open(ctx, bus.Config{StoreDir: filepath.Join(dir, "bus")}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	m, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: filepath.Join(dir, "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	reg := schema.NewRegistry()
	return &rig{bus: b, meta: m, svc: ingest.NewService(reg, b, ingest.Options{}, ingest.NewMetrics(nil))}
}

// start resumes the consumer from the stored offset and runs it until the returned stop.
func (r *rig) start(t *testing.T, det stream.Detector, sink alert.Sink) (stop func() *stream.Consumer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	off, err := r.meta.StreamOffset(ctx, stream.ConsumerName)
	if err != nil {
		t.Fatal(err)
	}
	src, err := r.bus.ResumeConsumer(ctx, stream.ConsumerName, bus.IngestSubjectPrefix+">", off)
	if err != nil {
		t.Fatal(err)
	}
	c := stream.New(src, r.meta, off, sink, []stream.Detector{det}, stream.Options{
		MaxWait: 20 * time.Millisecond, Retry: 5 * time.Millisecond,
		Decode: decode, Skip: func(table string) bool { return table == "SecurityAlert" },
	})
	done := make(chan struct{})
	go func() { _ = c.Run(ctx); close(done) }()
	return func() *stream.Consumer { cancel(); <-done; return c }
}

func decode(data []byte) (*stream.Batch, error) {
	b, err := ingest.DecodeBatch(data)
	if err != nil {
		return nil, err
	}
	return &stream.Batch{Tenant: b.Tenant, Table: b.Table, IngestTime: b.IngestTime, Columns: b.Columns, Rows: b.Rows}, nil
}

func (r *rig) ingest(t *testing.T, table, body string) {
	t.Helper()
	res, err := r.svc.Ingest(context.Background(), ingest.Request{Tenant: "contoso", Table: table, Body: []byte(body)})
	if err != nil || res.Rejected > 0 {
		t.Fatalf("ingest: %v %+v", err, res)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const procRows = `[
 {"Timestamp":"2026-11-25T10:00:00Z","DeviceName":"ws1","FileName":"calc.exe"},
 {"Timestamp":"2026-11-25T10:00:01Z","DeviceName":"ws1","FileName":"mimikatz.exe"},
 {"Timestamp":"2026-11-25T10:00:02Z","DeviceName":"ws2","FileName":"rubeus.exe"}]`

func TestConsumerRaisesAlertsOncePerMatch(t *testing.T) {
	r := newRig(t)
	sink := &memSink{byID: map[string]alert.Alert{}}
	stop := r.start(t, &fileNameDetector{bad: []string{"mimikatz.exe", "rubeus.exe"}}, sink)
	r.ingest(t, "DeviceProcessEvents", procRows)
	// An alert table's rows are never tested, even when they match.
	r.ingest(t, "SecurityAlert", `{"TimeGenerated":"2026-11-25T10:00:00Z","AlertName":"x","CompromisedEntity":"mimikatz.exe"}`)
	waitFor(t, "two alerts", func() bool { return len(sink.ids()) == 2 })
	c := stop()
	if got := sink.ids(); !slices.Equal(got, []string{"contoso-1-1", "contoso-1-2"}) {
		t.Errorf("alerts = %v", got)
	}
	off, err := r.meta.StreamOffset(context.Background(), stream.ConsumerName)
	if err != nil || off != 2 || c.Offset() != 2 {
		t.Errorf("stored offset = %d, %v; consumer offset %d; want 2", off, err, c.Offset())
	}
}

func TestConsumerRetriesFailuresWithoutLoss(t *testing.T) {
	r := newRig(t)
	sink := &memSink{byID: map[string]alert.Alert{}, fail: 3}
	det := &fileNameDetector{bad: []string{"mimikatz.exe"}, fail: 2}
	stop := r.start(t, det, sink)
	r.ingest(t, "DeviceProcessEvents", procRows)
	waitFor(t, "the alert after retries", func() bool { return len(sink.ids()) == 1 })
	stop()
	if sink.calls != 4 {
		t.Errorf("sink calls = %d, want 4 (3 failures, then success)", sink.calls)
	}
}

func TestConsumerResumesAfterStoredOffset(t *testing.T) {
	r := newRig(t)
	det := &fileNameDetector{bad: []string{"mimikatz.exe", "rubeus.exe"}}
	first := &memSink{byID: map[string]alert.Alert{}}
	stop := r.start(t, det, first)
	r.ingest(t, "DeviceProcessEvents", procRows)
	waitFor(t, "first alerts", func() bool { return len(first.ids()) == 2 })
	stop()

	// Published while no consumer runs: the next generation must see it, and only it.
	r.ingest(t, "DeviceProcessEvents", `{"Timestamp":"2026-11-25T11:00:00Z","FileName":"rubeus.exe"}`)
	second := &memSink{byID: map[string]alert.Alert{}}
	stop = r.start(t, det, second)
	waitFor(t, "alert of the new batch", func() bool { return len(second.ids()) == 1 })
	stop()
	if got := second.ids(); !slices.Equal(got, []string{"contoso-2-0"}) {
		t.Errorf("after restart alerts = %v, want only the new batch's", got)
	}
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// fakeRows records the rows written, failing the first fail calls.
type fakeRows struct {
	mu   sync.Mutex
	fail int
	seqs map[int64]string // seq -> tenant
}

func (f *fakeRows) IngestRows(_ context.Context, tenant, _ string, tb *schema.Table, rows [][]schema.Value, _ []ingest.RowError) (*ingest.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return nil, errors.New("bus down")
	}
	i, _ := tb.Column("Seq")
	for _, r := range rows {
		f.seqs[r[i].(int64)] = tenant
	}
	return &ingest.Result{Accepted: len(rows)}, nil
}

func (f *fakeRows) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.seqs) }

// TestAuditTableCopiesEveryRecord overflows the queue and expects every
// record in the table all the same, read back from the state store; and
// a restart to resume from the saved cursor.
func TestAuditTableCopiesEveryRecord(t *testing.T) {
	ctx := context.Background()
	st, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: t.TempDir() + "/m.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rows := &fakeRows{seqs: map[int64]string{}}
	table, err := NewAuditTable(st, schema.NewRegistry(), rows, 2, log)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(st, Options{Hash: testHash, AuditSink: table}, log)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		tenant := "default"
		if i%2 == 1 {
			tenant = "" // no tenant: the default tenant's rows
		}
		if err := svc.Audit(ctx, Event{Actor: "a", Tenant: tenant, Action: "test.x", Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Audit(ctx, Event{Action: meta.AuditPruneAction}); err == nil {
		t.Fatal("a forged prune checkpoint was accepted")
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- table.Run(runCtx) }()
	waitFor(t, func() bool { return rows.count() == 7 })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rows.seqs[2] != "default" || rows.seqs[7] != "default" {
		t.Errorf("tenants: %v", rows.seqs)
	}
	// A restart copies only what is new, past a failing write.
	rows.fail = 1
	rows.seqs = map[int64]string{}
	if err := svc.Audit(ctx, Event{Actor: "a", Tenant: "t2", Action: "test.y"}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop = context.WithCancel(ctx)
	defer stop()
	go func() { done <- table.Run(runCtx) }()
	waitFor(t, func() bool { return rows.count() == 1 })
	if rows.seqs[8] != "t2" {
		t.Errorf("after restart: %v", rows.seqs)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

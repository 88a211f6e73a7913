package auth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

type sinkFunc func(meta.AuditRecord)

func (f sinkFunc) Offer(r meta.AuditRecord) { f(r) }

func TestAuditRetentionAndPrune(t *testing.T) {
	ctx := context.Background()
	st, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: t.TempDir() + "/m.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var mu sync.Mutex
	var shift time.Duration
	var offered []meta.AuditRecord
	svc, err := New(st, Options{Hash: testHash, AuditRetention: 1000 * time.Hour,
		Now:       func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(shift) },
		AuditSink: sinkFunc(func(r meta.AuditRecord) { mu.Lock(); defer mu.Unlock(); offered = append(offered, r) }),
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetAuditRetention(ctx, meta.DefaultTenantID, time.Hour); !errors.Is(err, ErrRetention) {
		t.Fatalf("1h retention: %v", err)
	}
	if err := svc.SetAuditRetention(ctx, "no such!", 48*time.Hour); err == nil {
		t.Fatal("invalid tenant accepted")
	}
	if err := svc.SetAuditRetention(ctx, meta.DefaultTenantID, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	if d, own, err := svc.AuditRetention(ctx, meta.DefaultTenantID); err != nil || d != 48*time.Hour || !own {
		t.Fatalf("AuditRetention = %v %v %v", d, own, err)
	}
	for _, tenant := range []string{"default", "other", "default"} {
		if err := svc.Audit(ctx, Event{Actor: "a", Tenant: tenant, Action: "test.x"}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	shift = 72 * time.Hour
	mu.Unlock()
	p, err := svc.PruneAudit(ctx)
	if err != nil || p.Stubbed != 2 || p.Removed != 1 || p.Checkpoint.Seq != 4 {
		t.Fatalf("PruneAudit = %+v, %v", p, err)
	}
	if n, err := svc.VerifyAudit(ctx); err != nil || n != 3 {
		t.Fatalf("verify: %d %v", n, err)
	}
	mu.Lock()
	last := offered[len(offered)-1]
	mu.Unlock()
	if last.Action != meta.AuditPruneAction || last.Seq != 4 {
		t.Errorf("checkpoint not offered to the sink: %+v", last)
	}
	if err := svc.SetAuditRetention(ctx, meta.DefaultTenantID, 0); err != nil {
		t.Fatal(err)
	}
	if d, own, err := svc.AuditRetention(ctx, meta.DefaultTenantID); err != nil || d != 1000*time.Hour || own {
		t.Fatalf("AuditRetention after reset = %v %v %v", d, own, err)
	}
}

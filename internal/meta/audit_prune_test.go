package meta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// appendTenants appends one record per tenant in turn, n rounds, so the
// tenants' records interleave in the chain.
func appendTenants(t *testing.T, s *Store, n int, tenants ...string) {
	t.Helper()
	for i := range n {
		for _, tn := range tenants {
			if _, err := s.AppendAudit(context.Background(), AuditRecord{Actor: "a", Tenant: tn, Action: "x", Target: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestAuditPruneThenVerify prunes a short-retention tenant whose records
// interleave with a long-retention one, then the whole chain, and expects
// verify to pass after each.
func TestAuditPruneThenVerify(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		appendTenants(t, s, 3, "short", "long") // seq 1..6: short odd, long even
		later := time.Now().Add(2 * time.Hour)
		ret := AuditRetention{Default: 1000 * time.Hour, Tenants: map[string]time.Duration{"short": time.Hour}}
		p, err := s.PruneAudit(ctx, later, ret)
		// Seq 1 is a stub at the start of the chain: it goes whole.
		if err != nil || p.Stubbed != 3 || p.Removed != 1 || p.Checkpoint.Seq != 7 {
			t.Fatalf("PruneAudit = %+v, %v", p, err)
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != 6 {
			t.Fatalf("verify after stubbing: %d, %v", n, err)
		}
		recs, err := s.AuditRecords(ctx, AuditFilter{})
		if err != nil || len(recs) != 6 || recs[0].Seq != 2 || recs[0].Stub() || recs[0].Actor != "a" || !recs[1].Stub() || recs[1].Actor != "" {
			t.Fatalf("records after stubbing: %+v, %v", recs, err)
		}
		// Nothing more to prune: nothing written.
		if p, err := s.PruneAudit(ctx, later, ret); err != nil || p.Checkpoint.Seq != 0 {
			t.Fatalf("second PruneAudit = %+v, %v", p, err)
		}
		// Everything expires: the prefix (stubs, expired records, the first
		// checkpoint) is deleted and the chain starts after it.
		appendTenants(t, s, 1, "long") // seq 8
		p, err = s.PruneAudit(ctx, later.Add(2000*time.Hour), ret)
		if err != nil || p.Removed != 7 || p.Checkpoint.Seq != 9 {
			t.Fatalf("PruneAudit all = %+v, %v", p, err)
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != 1 {
			t.Fatalf("verify after removal: %d, %v", n, err)
		}
		appendTenants(t, s, 1, "short")
		if n, err := s.VerifyAudit(ctx); err != nil || n != 2 {
			t.Fatalf("verify after a later append: %d, %v", n, err)
		}
	})
}

// TestAuditPruneKeepsTamperingVisible tampers with retained records, stubs
// and the base after a prune and expects verify to name the record.
func TestAuditPruneKeepsTamperingVisible(t *testing.T) {
	tamper := []struct {
		name    string
		sql     string
		wantSeq int64
	}{
		{"edited retained", `UPDATE audit_log SET actor = 'mallory' WHERE seq = 4`, 4},
		{"deleted retained", `DELETE FROM audit_log WHERE seq = 4`, 4},
		{"retained made a stub", `UPDATE audit_log SET actor = '', detail = '', pruned_by = 7 WHERE seq = 4`, 4},
		{"retained made a stub of the future", `UPDATE audit_log SET actor = '', detail = '', pruned_by = 99 WHERE seq = 6`, 6},
		{"stub moved to another tenant", `UPDATE audit_log SET tenant = 'long' WHERE seq = 3`, 3},
		{"checkpoint edited", `UPDATE audit_log SET detail = replace(detail, '"stubbed":3', '"stubbed":4') WHERE seq = 7`, 7},
		{"deleted retained after the base", `DELETE FROM audit_log WHERE seq = 8`, 8},
		{"prefix deleted, base moved", `DELETE FROM audit_log WHERE seq <= 6; UPDATE audit_head SET base_seq = 6, base_hash = (SELECT prev_hash FROM audit_log WHERE seq = 7)`, 2},
		{"prefix and checkpoint deleted, base moved", `DELETE FROM audit_log WHERE seq <= 8; UPDATE audit_head SET base_seq = 8, base_hash = (SELECT prev_hash FROM audit_log WHERE seq = 9)`, 1},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, cfg Config) {
				s := openStore(t, cfg)
				ctx := context.Background()
				appendTenants(t, s, 3, "short", "long")
				ret := AuditRetention{Default: 1000 * time.Hour, Tenants: map[string]time.Duration{"short": time.Hour}}
				if _, err := s.PruneAudit(ctx, time.Now().Add(2*time.Hour), ret); err != nil {
					t.Fatal(err)
				}
				appendTenants(t, s, 2, "long") // seq 8, 9
				if _, err := s.VerifyAudit(ctx); err != nil {
					t.Fatal(err)
				}
				for q := range splitSQL(tc.sql) {
					if _, err := s.exec(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				_, err := s.VerifyAudit(ctx)
				var b *AuditBreak
				if !errors.As(err, &b) || b.Seq != tc.wantSeq {
					t.Fatalf("VerifyAudit = %v, want a break at seq %d", err, tc.wantSeq)
				}
				// Pruning refuses to delete a broken prefix.
				if _, err := s.PruneAudit(ctx, time.Now().Add(5000*time.Hour), ret); !errors.As(err, &b) {
					t.Fatalf("PruneAudit over a broken chain = %v, want an *AuditBreak", err)
				}
			})
		})
	}
}

func splitSQL(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, q := range strings.Split(s, ";") {
			if strings.TrimSpace(q) != "" && !yield(q) {
				return
			}
		}
	}
}

// TestAuditPruneCheckpoints prunes three times so that checkpoints follow
// one another and the first goes with the prefix, then clears a kept
// checkpoint into a stub that a later cutoff would allow.
func TestAuditPruneCheckpoints(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		base := time.Now()
		ret := AuditRetention{Default: 1000 * time.Hour, Tenants: map[string]time.Duration{"short": time.Hour}}
		appendTenants(t, s, 2, "long", "short") // 1..4
		mustPrune(t, s, base.Add(2*time.Hour), ret, 5)
		appendTenants(t, s, 1, "short") // 6
		mustPrune(t, s, base.Add(2*time.Hour), ret, 7)
		appendTenants(t, s, 1, "short") // 8
		// Long's records and the checkpoints (tenant "", default retention)
		// stay; short's go.
		mustPrune(t, s, base.Add(2*time.Hour), ret, 9)
		// Now everything before the second checkpoint expires, it does not.
		ret2 := AuditRetention{Default: 1000 * time.Hour, Tenants: map[string]time.Duration{"short": time.Hour, "long": time.Hour}}
		appendTenants(t, s, 1, "short") // 10
		mustPrune(t, s, base.Add(2*time.Hour), ret2, 11)
		if n, err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("verify: %d, %v", n, err)
		}
	})
}

// TestAuditPruneCheckpointCleared clears a kept checkpoint into a stub that
// a later checkpoint's cutoff would allow; the checkpoints' link shows it.
func TestAuditPruneCheckpointCleared(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		later := time.Now().Add(2 * time.Hour)
		appendTenants(t, s, 1, "short", "keep") // 1, 2; 1 goes whole, so checkpoint 3 names no stub
		mustPrune(t, s, later, AuditRetention{Default: 1000 * time.Hour, Tenants: map[string]time.Duration{"short": time.Hour}}, 3)
		appendTenants(t, s, 1, "short") // 4
		// Records without a tenant (checkpoint 3) now expire too, but stay
		// behind record 2.
		mustPrune(t, s, later, AuditRetention{Default: 1000 * time.Hour, Tenants: map[string]time.Duration{"short": time.Hour, "": time.Hour}}, 5)
		if _, err := s.exec(ctx, `UPDATE audit_log SET actor = '', actor_type = '', action = '', target = '', result = '', detail = '', pruned_by = 5 WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		_, err := s.VerifyAudit(ctx)
		var b *AuditBreak
		if !errors.As(err, &b) || b.Seq != 3 {
			t.Fatalf("VerifyAudit = %v, want a break at seq 3", err)
		}
	})
}

func mustPrune(t *testing.T, s *Store, now time.Time, ret AuditRetention, wantSeq int64) {
	t.Helper()
	p, err := s.PruneAudit(context.Background(), now, ret)
	if err != nil || p.Checkpoint.Seq != wantSeq {
		t.Fatalf("PruneAudit = %+v, %v; want checkpoint seq %d", p, err, wantSeq)
	}
	if _, err := s.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("verify after the prune of checkpoint %d: %v", wantSeq, err)
	}
}

package meta

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestAuditChain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		if n, err := s.VerifyAudit(ctx); err != nil || n != 0 {
			t.Fatalf("empty chain: %d, %v", n, err)
		}
		for i := range 5 {
			r, err := s.AppendAudit(ctx, AuditRecord{Actor: "alice", ActorType: "user", Tenant: "default", Action: "test.append",
				Target: fmt.Sprint(i), Result: "success", Detail: `{"i":` + fmt.Sprint(i) + `}`})
			if err != nil || r.Seq != int64(i+1) {
				t.Fatalf("append %d: %+v %v", i, r, err)
			}
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != 5 {
			t.Fatalf("verify: %d, %v", n, err)
		}
		recs, err := s.AuditRecords(ctx, AuditFilter{Tenants: []string{"default"}, Action: "test.*", AfterSeq: 2, Limit: 2})
		if err != nil || len(recs) != 2 || recs[0].Seq != 3 || recs[1].Detail != `{"i":3}` {
			t.Fatalf("AuditRecords = %+v, %v", recs, err)
		}
		if _, err := s.AppendAudit(ctx, AuditRecord{Action: "x", Detail: "{"}); err == nil {
			t.Fatal("bad detail accepted")
		}
	})
}

// TestAuditVerifyDetectsTampering edits, removes and truncates rows directly
// in the database and expects verify to name the first broken record.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	tamper := []struct {
		name    string
		sql     string
		wantSeq int64
	}{
		{"edited", `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`, 3},
		{"removed", `DELETE FROM audit_log WHERE seq = 2`, 2},
		{"rehashed", `UPDATE audit_log SET target = 'x', hash = 'ab' WHERE seq = 4`, 4},
		{"truncated", `DELETE FROM audit_log WHERE seq = 5`, 5},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, cfg Config) {
				s := openStore(t, cfg)
				ctx := context.Background()
				for i := range 5 {
					if _, err := s.AppendAudit(ctx, AuditRecord{Actor: "a", Action: "x", Target: fmt.Sprint(i)}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := s.exec(ctx, tc.sql); err != nil {
					t.Fatal(err)
				}
				_, err := s.VerifyAudit(ctx)
				var b *AuditBreak
				if !errors.As(err, &b) || b.Seq != tc.wantSeq {
					t.Fatalf("VerifyAudit = %v, want a break at seq %d", err, tc.wantSeq)
				}
			})
		})
	}
}

func TestAuditConcurrentAppends(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					if _, err := s.AppendAudit(ctx, AuditRecord{Actor: fmt.Sprint(w), Action: "x", Target: fmt.Sprint(i)}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != writers*each {
			t.Fatalf("verify after concurrent appends: %d, %v", n, err)
		}
	})
}

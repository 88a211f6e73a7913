package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// TestAuditTable expects audit records in the VigilAudit table, huntable in
// KQL through the compiler, with the sequence number and hash of the chain.
func TestAuditTable(t *testing.T) {
	s := startTest(t, nil)
	key := createKey(t, s, "hunter", auth.RoleReader, "default")
	q := `{"Query":"SigninLogs | take 1"}`
	mustStatus(t, s.do(t, "POST", "/api/v1/security/runHuntingQuery", []byte(q), map[string]string{"Authorization": "Bearer " + key}), 200)
	var res struct {
		Value []struct {
			Seq        int64
			Action     string
			Hash, Time string
		}
	}
	r := s.do(t, "GET", "/api/v1/audit?action=hunting.query", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &res); err != nil || len(res.Value) != 1 {
		t.Fatalf("audit: %v %s", err, r.body)
	}
	want := res.Value[0]
	const hunt = `VigilAudit | where Action == "hunting.query" | project Seq, Actor, ActorType, Target, Result, Query = tostring(Detail.query), Hash, TenantId, Type`
	var rows [][]any
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if rows = s.kql(t, hunt); len(rows) > 0 {
			break
		}
	}
	got := fmt.Sprint(rows)
	if wantRow := fmt.Sprint([][]any{{want.Seq, "key:hunter", "apiKey", "runHuntingQuery", "success", "SigninLogs | take 1", want.Hash, "default", "VigilAudit"}}); got != wantRow {
		t.Fatalf("VigilAudit rows:\n got %s\nwant %s", got, wantRow)
	}
	// Every record reaches the table, key creation and sign-in failures included.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		n := s.kql(t, `VigilAudit | summarize dcount(Seq), max(Seq)`)
		var all struct{ Value []struct{ Seq int64 } }
		r := s.do(t, "GET", "/api/v1/audit?top=1000", nil, nil)
		if err := json.Unmarshal([]byte(r.body), &all); err != nil {
			t.Fatal(err)
		}
		// The listing is itself not audited (GET), so the chain is stable here.
		if len(n) == 1 && fmt.Sprint(n[0]) == fmt.Sprint([]any{int64(len(all.Value)), all.Value[len(all.Value)-1].Seq}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("VigilAudit holds %v, the chain %d records", n, len(all.Value))
		}
	}
}

// TestAuditRetentionAPI sets a tenant's retention through the API, prunes
// and expects verify to pass.
func TestAuditRetentionAPI(t *testing.T) {
	s := startTest(t, nil)
	r := s.do(t, "GET", "/api/v1/audit/retention", nil, nil)
	if r.status != 200 || !strings.Contains(r.body, `"days":365`) || !strings.Contains(r.body, `"inherited":true`) {
		t.Fatalf("GET retention: %d %s", r.status, r.body)
	}
	r = s.do(t, "PUT", "/api/v1/audit/retention", []byte(`{"retention":"30d"}`), nil)
	if r.status != 200 || !strings.Contains(r.body, `"days":30`) || !strings.Contains(r.body, `"inherited":false`) {
		t.Fatalf("PUT retention: %d %s", r.status, r.body)
	}
	mustStatus(t, s.do(t, "PUT", "/api/v1/audit/retention", []byte(`{"retention":"1h"}`), nil), 400)
	mustStatus(t, s.do(t, "PUT", "/api/v1/audit/retention", []byte(`{"retention":"soon"}`), nil), 400)
	// A security reader lacks audit:read.
	reader := createKey(t, s, "reader", auth.RoleReader, "default")
	mustStatus(t, s.do(t, "GET", "/api/v1/audit/retention", nil, map[string]string{"Authorization": "Bearer " + reader}), 403)
	// A record of another tenant, kept 365 days, between records of default.
	mustStatus(t, s.do(t, "POST", "/api/v1/tenants", []byte(`{"id":"other"}`), nil), 201)
	otherKey := createKey(t, s, "other", auth.RoleReader, "other")
	mustStatus(t, s.do(t, "PUT", "/api/v1/audit/retention", []byte(`{}`), map[string]string{"Authorization": "Bearer " + otherKey}), 403)
	mustStatus(t, s.do(t, "PUT", "/api/v1/audit/retention", []byte(`{"retention":"30d"}`), nil), 200)

	// Forty days on, the default tenant's records are past its retention.
	ctx := context.Background()
	p, err := s.a.meta.PruneAudit(ctx, time.Now().Add(40*24*time.Hour), meta.AuditRetention{Default: 365 * 24 * time.Hour,
		Tenants: map[string]time.Duration{"default": 30 * 24 * time.Hour}})
	if err != nil || p.Checkpoint.Seq == 0 || p.Removed == 0 {
		t.Fatalf("PruneAudit = %+v, %v", p, err)
	}
	v := s.do(t, "GET", "/api/v1/audit/verify", nil, nil)
	if v.status != 200 || !strings.Contains(v.body, `"ok":true`) {
		t.Fatalf("verify after prune: %d %s", v.status, v.body)
	}
	r = s.do(t, "GET", "/api/v1/audit", nil, nil)
	if r.status != 200 || !json.Valid([]byte(r.body)) || !strings.Contains(r.body, `"prunedBy":`) || !strings.Contains(r.body, `"actor":"key:other"`) {
		t.Fatalf("audit after prune: %d %s", r.status, r.body)
	}
	r = s.do(t, "GET", "/api/v1/audit?action=audit.prune", nil, nil)
	if !strings.Contains(r.body, `"actor":"vigil"`) || !strings.Contains(r.body, `"baseSeq":`) {
		t.Fatalf("checkpoint record: %s", r.body)
	}
}

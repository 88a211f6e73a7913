package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/deception"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/detect/ti"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

const appTIBundle = `{"type":"bundle","id":"bundle--app","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--c2","name":"C2","pattern":"[ipv4-addr:value = '203.0.113.9' OR url:value = 'http://evil.example/gate.php']",
  "valid_from":"2025-01-01T00:00:00Z","valid_until":"2099-01-01T00:00:00Z","confidence":85,"indicator_types":["malicious-activity"]},
 {"type":"indicator","spec_version":"2.1","id":"indicator--old","pattern":"[domain-name:value = 'old.example']",
  "valid_from":"2020-01-01T00:00:00Z","valid_until":"2021-01-01T00:00:00Z"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--bad","pattern":"[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '5.6.7.8']","valid_from":"2025-01-01T00:00:00Z"}
]}`

// TestThreatIntelligenceImport imports a bundle through the real server, finds the indicators
// stored in both tables and huntable in KQL, loads them back from the event store into a
// matcher, and matches a connection.
func TestThreatIntelligenceImport(t *testing.T) {
	s := startTest(t, nil)
	r := s.do(t, "POST", "/api/v1/threatIntelligence/indicators:import", []byte(appTIBundle), nil)
	want := `{"accepted":2,"rejected":1,"observables":3,"skipped":0,"errors":[{"index":2,"id":"indicator--bad","reason":"pattern at byte 29: AND is not supported: only comparisons joined by OR can be matched"}]}`
	if r.status != 200 || strings.TrimSpace(r.body) != want {
		t.Fatalf("import = %d %s", r.status, r.body)
	}
	rows := s.sql(t, `SELECT IndicatorId, coalesce(NetworkIP, Url, DomainName), ConfidenceScore, Active FROM ThreatIntelligenceIndicator ORDER BY _IngestId`)
	if got := fmt.Sprint(rows); got != "[[indicator--c2 203.0.113.9 85 true] [indicator--c2 http://evil.example/gate.php 85 true] [indicator--old old.example <nil> true]]" {
		t.Errorf("ThreatIntelligenceIndicator = %s", got)
	}
	if got := fmt.Sprint(s.sql(t, `SELECT count(*) FROM ThreatIntelIndicators WHERE Id = 'indicator--c2'`)); got != "[[2]]" {
		t.Errorf("ThreatIntelIndicators rows = %s", got)
	}
	if got := s.sql(t, `SELECT Reason FROM IngestionErrors WHERE "Table" = 'ThreatIntelligenceIndicator'`); len(got) != 1 || !strings.Contains(fmt.Sprint(got[0][0]), "object 2 (indicator--bad)") {
		t.Errorf("IngestionErrors = %v", got)
	}
	body, _ := json.Marshal(map[string]string{"Query": `ThreatIntelligenceIndicator | where isnotempty(Url) | project IndicatorId, Url`})
	if r := s.do(t, "POST", "/api/v1/security/runHuntingQuery", body, nil); r.status != 200 || !strings.Contains(r.body, `"Url":"http://evil.example/gate.php"`) {
		t.Errorf("hunting = %d %s", r.status, r.body)
	}

	m, err := ti.NewMatcher(ti.Options{Registry: s.a.reg, Source: &ti.StoreSource{Store: s.a.store}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Load(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n := m.Index().Len(meta.DefaultTenantID); n != 3 {
		t.Fatalf("index holds %d observables, want 3", n)
	}
	b := rowBatch(t, s.a.reg, "DeviceNetworkEvents", map[string]any{"Timestamp": time.Now().UTC(), "DeviceName": "ws1", "RemoteIP": "203.0.113.9", "RemoteUrl": "evil.example/gate.php"})
	var titles []string
	if err := m.Detect(b, func(a alert.Alert) { titles = append(titles, a.Title+" "+string(a.Severity)) }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(titles, "; "); got != "Threat intelligence match: connection to 203.0.113.9 High" {
		t.Errorf("alerts: %s", got)
	}
}

// TestDeceptionWithStateStore trips a decoy kept in the server's real state store.
func TestDeceptionWithStateStore(t *testing.T) {
	s := startTest(t, nil)
	ctx := context.Background()
	d, err := deception.New(deception.Options{Registry: s.a.reg, Source: deception.MetaSource{Store: s.a.meta}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.a.meta.CreateDecoy(ctx, meta.Decoy{Tenant: meta.DefaultTenantID, Kind: meta.DecoyAccount, Value: "svc-backup-admin", CreatedBy: "test", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if changed, err := d.Reload(ctx); !changed || err != nil {
		t.Fatalf("reload: %v %v", changed, err)
	}
	b := rowBatch(t, s.a.reg, "SigninLogs", map[string]any{"TimeGenerated": time.Now().UTC(), "UserPrincipalName": "svc-backup-admin@contoso.com", "IPAddress": "10.1.2.3"})
	var titles []string
	if err := d.Detect(b, func(a alert.Alert) { titles = append(titles, a.Title) }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(titles, "; "); got != "Decoy account 'svc-backup-admin' used in a sign-in from 10.1.2.3" {
		t.Errorf("alerts: %s", got)
	}
}

// rowBatch is a one-row stream batch of table in the default tenant.
func rowBatch(t *testing.T, reg *schema.Registry, table string, row map[string]any) *stream.Batch {
	t.Helper()
	tab, ok := reg.Table(table)
	if !ok {
		t.Fatalf("no table %s", table)
	}
	b := &stream.Batch{Tenant: meta.DefaultTenantID, Table: tab.Name, Seq: 1, IngestTime: time.Now().UTC()}
	var vals []schema.Value
	for name, v := range row {
		i, ok := tab.Column(name)
		if !ok {
			t.Fatalf("no column %s.%s", table, name)
		}
		b.Columns = append(b.Columns, tab.Columns[i])
		vals = append(vals, v)
	}
	b.Rows = [][]schema.Value{vals}
	return b
}

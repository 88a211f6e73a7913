package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/meta"
)

// seedAlerts correlates alerts straight into the server's state store.
func seedAlerts(t *testing.T, s *testServer, alerts ...alert.Alert) {
	t.Helper()
	c := incident.New(incident.MetaState{Store: s.a.meta}, incident.Options{})
	if err := c.Put(context.Background(), alerts); err != nil {
		t.Fatal(err)
	}
}

func hostAlert(id, tenant, host string, sev rule.Severity, at time.Time) alert.Alert {
	return alert.Alert{ID: id, Tenant: tenant, RuleID: "r-" + id, Title: "Alert " + id, Severity: sev, CreatedTime: at,
		Tactics: []string{"Execution"}, Entities: []alert.Entity{{Type: "Host", Identifiers: map[string]string{"HostName": host}}}}
}

func decode(t *testing.T, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

type incidentList struct {
	Value []struct {
		ID, DisplayName, Severity, Status, TenantID string
		Alerts                                      []struct{ ID, IncidentID string }
	}
	NextLink string `json:"@odata.nextLink"`
}

func TestIncidentAPI(t *testing.T) {
	s := startTest(t, nil)
	at := time.Now().UTC().Add(-time.Hour)
	seedAlerts(t, s,
		hostAlert("a1", "default", "ws1", rule.SeverityLow, at),
		hostAlert("a2", "default", "ws1", rule.SeverityHigh, at.Add(time.Minute)),
		hostAlert("a3", "default", "ws2", rule.SeverityMedium, at.Add(2*time.Minute)),
		hostAlert("x1", "other", "ws1", rule.SeverityHigh, at),
	)
	var list incidentList
	r := s.do(t, "GET", "/api/v1/security/incidents?$expand=alerts", nil, nil)
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	decode(t, r, &list)
	if len(list.Value) != 2 || list.Value[0].DisplayName != "Alert a3" || list.Value[1].Severity != "high" ||
		list.Value[1].DisplayName != "Multi-stage incident involving Execution" || len(list.Value[1].Alerts) != 2 {
		t.Fatalf("list = %s", r.body)
	}
	newest, older := list.Value[0].ID, list.Value[1].ID

	// Paging with $top follows @odata.nextLink.
	r = s.do(t, "GET", "/api/v1/security/incidents?$top=1", nil, nil)
	list = incidentList{}
	decode(t, r, &list)
	if len(list.Value) != 1 || list.Value[0].ID != newest || list.NextLink == "" {
		t.Fatalf("page 1 = %s", r.body)
	}
	r = s.do(t, "GET", list.NextLink, nil, nil)
	list = incidentList{}
	decode(t, r, &list)
	if len(list.Value) != 1 || list.Value[0].ID != older || list.NextLink != "" {
		t.Fatalf("page 2 = %s", r.body)
	}

	cases := []struct {
		name, method, path, body string
		status                   int
		contains                 string
	}{
		{"get", "GET", "/api/v1/security/incidents/" + older, "", 200, `"displayName":"Multi-stage incident involving Execution"`},
		{"filter", "GET", "/api/v1/security/incidents?$filter=severity%20eq%20'medium'", "", 200, `"id":"` + newest + `"`},
		{"bad filter", "GET", "/api/v1/security/incidents?$filter=owner%20eq%20'x'", "", 400, `cannot filter on \"owner\"`},
		{"bad top", "GET", "/api/v1/security/incidents?$top=0", "", 400, "$top must be"},
		{"unknown id", "GET", "/api/v1/security/incidents/999", "", 404, "notFound"},
		{"patch", "PATCH", "/api/v1/security/incidents/" + older, `{"status":"inProgress","assignedTo":"alice@corp","classification":"truePositive","determination":"malware","customTags":["apt"]}`, 200, `"status":"inProgress"`},
		{"patch bad status", "PATCH", "/api/v1/security/incidents/" + older, `{"status":"closed"}`, 400, `status: \"closed\" is not one of`},
		{"patch bad determination", "PATCH", "/api/v1/security/incidents/" + older, `{"determination":"evil"}`, 400, "determination"},
		{"patch unknown field", "PATCH", "/api/v1/security/incidents/" + older, `{"owner":"x"}`, 400, `unknown field \"owner\"`},
		{"patch unknown id", "PATCH", "/api/v1/security/incidents/999", `{"status":"resolved"}`, 404, "notFound"},
		{"comment", "POST", "/api/v1/security/incidents/" + older + "/comments", `{"comment":"isolating ws1"}`, 200, `"comment":"isolating ws1"`},
		{"empty comment", "POST", "/api/v1/security/incidents/" + older + "/comments", `{"comment":" "}`, 400, "badRequest"},
		{"get with comment", "GET", "/api/v1/security/incidents/" + older, "", 200, `"createdByDisplayName":"admin"`},
		{"alerts", "GET", "/api/v1/security/alerts_v2?$top=2", "", 200, `"id":"a3"`},
		{"alert", "GET", "/api/v1/security/alerts_v2/a1", "", 200, `"incidentId":"` + older + `"`},
	}
	for _, c := range cases {
		r := s.do(t, c.method, c.path, []byte(c.body), nil)
		if r.status != c.status || !strings.Contains(r.body, c.contains) {
			t.Errorf("%s: %d %s, want %d containing %s", c.name, r.status, r.body, c.status, c.contains)
		}
	}
}

func TestIncidentAPITenantIsolation(t *testing.T) {
	s := startTest(t, nil)
	at := time.Now().UTC()
	seedAlerts(t, s, hostAlert("x1", "other", "ws1", rule.SeverityHigh, at))
	var list incidentList
	r := s.do(t, "GET", "/api/v1/security/incidents", nil, nil)
	decode(t, r, &list)
	if r.status != 200 || len(list.Value) != 0 {
		t.Fatalf("default tenant sees: %d %s", r.status, r.body)
	}
	ins, err := s.a.meta.Incidents(context.Background(), "other", metaFilter())
	if err != nil || len(ins) != 1 {
		t.Fatalf("other tenant's incidents: %v %v", ins, err)
	}
	id := ins[0].ID
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/security/incidents/" + itoa(id), ""},
		{"PATCH", "/api/v1/security/incidents/" + itoa(id), `{"status":"resolved"}`},
		{"POST", "/api/v1/security/incidents/" + itoa(id) + "/comments", `{"comment":"x"}`},
		{"GET", "/api/v1/security/alerts_v2/x1", ""},
	} {
		if r := s.do(t, c.method, c.path, []byte(c.body), nil); r.status != 404 {
			t.Errorf("%s %s: %d %s, want 404", c.method, c.path, r.status, r.body)
		}
	}
	if in, _ := s.a.meta.Incident(context.Background(), "other", id); in.Status != "active" {
		t.Errorf("other tenant's incident changed: %+v", in)
	}
}

// TestScheduledAlertsBecomeIncidents runs a rule through the scheduler and finds its alert
// in an incident: the scheduler's sink feeds the correlator.
func TestScheduledAlertsBecomeIncidents(t *testing.T) {
	const ruleID = "6f1c2a4e-0b7d-4c1e-9a51-3d2f8e7b1a01"
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	slot0 := schedule.NextSlot(t0, time.Hour, schedule.Offset(ruleID, time.Hour))
	clock := schedule.NewManualClock(t0)
	s := startDetectTest(t, clock, func(c *Config) {
		c.Detection.Rules = []string{"../../content/rules/encoded_powershell.yaml"}
	})
	ev := `{"Timestamp":"` + slot0.Add(-10*time.Minute).Format(time.RFC3339) + `","DeviceName":"ws1.corp.local","AccountName":"alice","AccountDomain":"CORP","AccountSid":"S-1-5-21-1-2-3-1001","FileName":"powershell.exe","ProcessCommandLine":"powershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA","ProcessId":1,"InitiatingProcessFileName":"cmd.exe","ReportId":1}`
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(ev), nil); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	s.settle(t)
	if !clock.WaitFor(1, 10*time.Second) {
		t.Fatal("scheduler is not waiting for its slot")
	}
	clock.Set(slot0)
	if !clock.WaitFor(1, 30*time.Second) {
		t.Fatal("rule run did not finish")
	}
	var list incidentList
	r := s.do(t, "GET", "/api/v1/security/incidents?$expand=alerts", nil, nil)
	decode(t, r, &list)
	if len(list.Value) != 1 || list.Value[0].DisplayName != "Encoded PowerShell on ws1.corp.local" ||
		list.Value[0].Severity != "medium" || len(list.Value[0].Alerts) != 1 {
		t.Fatalf("incidents = %s", r.body)
	}
}

func metaFilter() meta.IncidentFilter { return meta.IncidentFilter{} }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

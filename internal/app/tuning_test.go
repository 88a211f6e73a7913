package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAlertTuning runs the encoded PowerShell rule over three matching events: one on a host a
// suppress rule covers, one on a host a resolve rule covers, one on neither. Only the last
// opens an incident; the resolved one is huntable, resolved; the suppressed one is counted on
// its tuning rule and stored nowhere.
func TestAlertTuning(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Detection.Rules = []string{"../../content/rules/encoded_powershell.yaml"} })
	const path = "/api/v1/security/alertTuningRules"
	for _, body := range []string{
		`{"id":"backup","name":"Backup scripts","reason":"the backup job encodes its commands","action":"suppress","isEnabled":true,
		  "conditions":[{"field":"entity:Host.HostName","operator":"equals","values":["backup01"]}]}`,
		`{"id":"lab","name":"Lab","reason":"pentest lab","action":"resolve","isEnabled":true,
		  "conditions":[{"field":"entity:Host.HostName","operator":"startsWith","values":["lab-"]}]}`,
	} {
		if r := s.do(t, "POST", path, []byte(body), nil); r.status != 201 {
			t.Fatalf("create tuning rule: %d %s", r.status, r.body)
		}
	}
	for _, c := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"name":"x","reason":"y","action":"hide","isEnabled":true,"conditions":[{"field":"title","operator":"equals","values":["a"]}]}`, 400, `action: \"hide\"`},
		{`{"name":"x","reason":"y","action":"suppress","colour":"red"}`, 400, "unknown field"},
		{`{"id":"lab","name":"x","reason":"y","action":"suppress","isEnabled":true,"conditions":[{"field":"title","operator":"equals","values":["a"]}]}`, 409, "exists"},
	} {
		if r := s.do(t, "POST", path, []byte(c.body), nil); r.status != c.status || !strings.Contains(r.body, c.want) {
			t.Errorf("POST %s: %d %s, want %d with %q", c.body, r.status, r.body, c.status, c.want)
		}
	}
	now := time.Now().UTC()
	var evs []string
	for i, host := range []string{"backup01", "lab-07", "ws1"} {
		evs = append(evs, fmt.Sprintf(`{"Timestamp":%q,"DeviceName":%q,"AccountName":"pat","FileName":"powershell.exe","ProcessCommandLine":"powershell.exe -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA","ReportId":%d}`,
			now.Add(-10*time.Minute).Format(time.RFC3339), host, i+1))
	}
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(strings.Join(evs, "\n")), nil); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	s.settle(t)
	for _, ri := range s.a.sched.RunNow(context.Background(), now) {
		if ri.Err != nil || ri.Alerts != 3 {
			t.Fatalf("run: %+v", ri)
		}
	}
	got := s.kql(t, `SecurityAlert | extend H = tostring(parse_json(Entities)[0].HostName) | project H, Status | order by H asc`)
	if fmt.Sprint(got) != "[[lab-07 Resolved] [ws1 New]]" {
		t.Errorf("SecurityAlert = %v, want lab-07 resolved and ws1 new (backup01 suppressed)", got)
	}
	inc := s.do(t, "GET", "/api/v1/security/incidents", nil, nil)
	if inc.status != 200 || strings.Count(inc.body, `"id":`) != 1 || !strings.Contains(inc.body, "ws1") {
		t.Errorf("incidents: %d %s, want one, about ws1", inc.status, inc.body)
	}
	backup := s.do(t, "GET", path+"/backup", nil, nil)
	if backup.status != 200 || !strings.Contains(backup.body, `"hits":1`) || !strings.Contains(backup.body, `"createdBy":"admin"`) {
		t.Errorf("backup rule: %d %s", backup.status, backup.body)
	}
	// The preview of a rule for ws1 finds the one alert that reached the queue.
	prev := s.do(t, "POST", path+"/preview", []byte(`{"name":"n","reason":"r","action":"suppress","conditions":[{"field":"entity:Host.HostName","operator":"equals","values":["WS1"]}]}`), nil)
	if prev.status != 200 || strings.Count(prev.body, `"ruleId"`) != 1 {
		t.Errorf("preview: %d %s", prev.status, prev.body)
	}
	if r := s.do(t, "DELETE", path+"/backup", nil, nil); r.status != 204 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if r := s.do(t, "GET", path+"/backup", nil, nil); r.status != 404 {
		t.Errorf("deleted rule: %d %s", r.status, r.body)
	}
}

package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/schedule"
)

const rubeusRule = `id: 7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77
name: Rubeus on a device
description: A Kerberos abuse tool ran.
severity: Medium
queryFrequency: 5m
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics: [CredentialAccess]
relevantTechniques: [T1558.003]
query: |
  DeviceProcessEvents
  | where FileName =~ "rubeus.exe"
  | project Timestamp, DeviceName, AccountName
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: DeviceName
kind: Scheduled
`

// TestRulesAPI drives the detection rules API: create from Sentinel YAML, list with a
// content rule, dry-run over stored events, switch off, replace with a version guard, the
// errors, and delete; each change reaches the running scheduler.
func TestRulesAPI(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Detection.Rules = []string{"../../content/rules/encoded_powershell.yaml"} })
	const base = "/api/v1/security/rules/detectionRules"
	const contentID = "6f1c2a4e-0b7d-4c1e-9a51-3d2f8e7b1a01"
	yamlHdr := map[string]string{"Content-Type": "application/yaml"}
	r := s.do(t, "POST", base, []byte(rubeusRule), yamlHdr)
	if r.status != 201 || r.header.Get("ETag") != `W/"1"` {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var created struct {
		ID              string `json:"id"`
		Origin          string `json:"origin"`
		IsEnabled       bool   `json:"isEnabled"`
		Schedule        struct{ Period string }
		DetectionAction struct {
			AlertTemplate struct{ Severity string } `json:"alertTemplate"`
		} `json:"detectionAction"`
	}
	if err := json.Unmarshal([]byte(r.body), &created); err != nil || created.Origin != "api" || !created.IsEnabled ||
		created.Schedule.Period != "5M" || created.DetectionAction.AlertTemplate.Severity != "medium" {
		t.Errorf("created = %+v (%v) from %s", created, err, r.body)
	}
	if n := len(s.a.sched.Rules()); n != 2 {
		t.Errorf("scheduler runs %d rules after create, want 2", n)
	}

	list := s.do(t, "GET", base, nil, nil)
	if list.status != 200 || !strings.Contains(list.body, contentID) || !strings.Contains(list.body, `"origin":"content"`) {
		t.Errorf("list: %d %s", list.status, list.body)
	}

	// A dry run sees stored events and stores no alert.
	now := time.Now().UTC()
	ev := fmt.Sprintf(`{"Timestamp":%q,"DeviceName":"ws9","AccountName":"pat","FileName":"Rubeus.exe"}`, now.Add(-10*time.Minute).Format(time.RFC3339))
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(ev), nil); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	s.settle(t)
	dry := s.do(t, "POST", base+"/7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77/test", []byte(`{}`), nil)
	if dry.status != 200 || !strings.Contains(dry.body, `"resultRows":1`) || !strings.Contains(dry.body, `"HostName":"ws9"`) {
		t.Errorf("dry run: %d %s", dry.status, dry.body)
	}
	if n := s.kql(t, `AlertInfo | count`); fmt.Sprint(n) != "[[0]]" {
		t.Errorf("a dry run stored alerts: %v", n)
	}

	off := s.do(t, "PATCH", base+"/"+contentID, []byte(`{"isEnabled":false}`), nil)
	if off.status != 200 || !strings.Contains(off.body, `"isEnabled":false`) || !strings.Contains(off.body, `"notRunReason":"disabled"`) {
		t.Errorf("switch off: %d %s", off.status, off.body)
	}
	if rs := s.a.sched.Rules(); len(rs) != 1 || rs[0].ID != "7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77" {
		t.Errorf("scheduler after switching the content rule off: %v", rs)
	}

	changed := strings.Replace(rubeusRule, "severity: Medium", "severity: High", 1)
	for _, c := range []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		want                     string
	}{
		{"stale version", "PUT", base + "/7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77", changed, map[string]string{"Content-Type": "application/yaml", "If-Match": `W/"7"`}, 412, "version 1, not 7"},
		{"replace", "PUT", base + "/7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77", changed, map[string]string{"Content-Type": "application/yaml", "If-Match": `W/"1"`}, 200, `"severity":"high"`},
		{"id mismatch", "PUT", base + "/other", changed, yamlHdr, 400, "differs from the URL"},
		{"bad query", "POST", base, strings.Replace(rubeusRule, "DeviceName, AccountName", "DeviceNam", 1), yamlHdr, 400, "DeviceNam"},
		{"create an existing rule", "POST", base, changed, yamlHdr, 409, "replace it with PUT"},
		{"content rule id", "POST", base, strings.Replace(rubeusRule, "7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77", contentID, 1), yamlHdr, 409, "content file"},
		{"delete content rule", "DELETE", base + "/" + contentID, "", nil, 409, "content file"},
		{"unknown rule", "GET", base + "/nope", "", nil, 404, "not found"},
		{"bad patch", "PATCH", base + "/" + contentID, `{"displayName":"x"}`, nil, 400, "isEnabled"},
		{"bad media type", "POST", base, rubeusRule, map[string]string{"Content-Type": "text/plain"}, 415, "application/yaml"},
		{"delete", "DELETE", base + "/7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77", "", nil, 204, ""},
		{"deleted", "GET", base + "/7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77", "", nil, 404, "not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, c.method, c.path, []byte(c.body), c.hdr)
			if r.status != c.status || !strings.Contains(r.body, c.want) {
				t.Errorf("%s %s: %d %s, want %d with %q", c.method, c.path, r.status, r.body, c.status, c.want)
			}
		})
	}
	if n := len(s.a.sched.Rules()); n != 0 {
		t.Errorf("scheduler runs %d rules after delete and switch-off, want 0", n)
	}
}

// TestRuleRunsRecorded checks that a scheduled run is recorded as the rule's last run and as
// a SentinelHealth row.
func TestRuleRunsRecorded(t *testing.T) {
	const ruleID = "6f1c2a4e-0b7d-4c1e-9a51-3d2f8e7b1a01"
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	slot0 := schedule.NextSlot(t0, time.Hour, schedule.Offset(ruleID, time.Hour))
	clock := schedule.NewManualClock(t0)
	s := startDetectTest(t, clock, func(c *Config) { c.Detection.Rules = []string{"../../content/rules/encoded_powershell.yaml"} })
	if !clock.WaitFor(1, 10*time.Second) {
		t.Fatal("scheduler is not waiting for its slot")
	}
	clock.Set(slot0)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := s.kql(t, `SentinelHealth | project SentinelResourceId, Status, SentinelResourceKind, OperationName, Results = toint(ExtendedProperties.QueryResultAmount)`)
		if len(got) == 1 {
			if want := fmt.Sprint([]any{ruleID, "Success", "Scheduled", "Scheduled analytics rule run", 0}); fmt.Sprint(got[0]) != want {
				t.Errorf("SentinelHealth = %v, want %v", got[0], want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SentinelHealth row: %v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := s.do(t, "GET", "/api/v1/security/rules/detectionRules/"+ruleID, nil, nil)
	if r.status != 200 || !strings.Contains(r.body, `"lastRunDetails":{"lastRunDateTime":"`+slot0.UTC().Format("2006-01-02T15:04:05")) || !strings.Contains(r.body, `"status":"completed"`) {
		t.Errorf("rule after a run: %d %s", r.status, r.body)
	}
}

// TestNRTRule creates a near-real-time rule through the API and checks that each minute's run
// alerts on the events stored since the previous one, however old their timestamps, and
// never on the same event twice.
func TestNRTRule(t *testing.T) {
	const id = "4b1f0c7e-8d2a-4e55-9c3b-6a7d1e2f9a10"
	nrtRule := strings.NewReplacer("kind: Scheduled", "kind: NRT", "queryFrequency: 5m\n", "", "queryPeriod: 1h\n", "",
		"7d3c9a10-5b2e-4f61-8c0d-2a9e4b6f1c77", id).Replace(rubeusRule)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	clock := schedule.NewManualClock(t0)
	s := startDetectTest(t, clock, nil)
	if r := s.do(t, "POST", "/api/v1/security/rules/detectionRules", []byte(nrtRule), map[string]string{"Content-Type": "application/yaml"}); r.status != 201 || !strings.Contains(r.body, `"period":"0"`) {
		t.Fatalf("create NRT rule: %d %s", r.status, r.body)
	}
	minute := func(n int) time.Time {
		return schedule.NextSlot(t0, time.Minute, schedule.Offset(id, time.Minute)).Add(time.Duration(n) * time.Minute)
	}
	run := func(n int) {
		t.Helper()
		if !clock.WaitFor(1, 10*time.Second) {
			t.Fatal("NRT rule is not waiting for its minute")
		}
		clock.Set(minute(n))
		if !clock.WaitFor(1, 30*time.Second) {
			t.Fatal("NRT run did not finish")
		}
	}
	ingest := func(host string, at time.Time) {
		t.Helper()
		ev := fmt.Sprintf(`{"Timestamp":%q,"DeviceName":%q,"AccountName":"pat","FileName":"rubeus.exe"}`, at.Format(time.RFC3339), host)
		if r := s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(ev), nil); r.status != 200 {
			t.Fatalf("ingest: %d %s", r.status, r.body)
		}
		s.settle(t)
	}
	run(0)                                        // the first run marks where the rule starts reading
	ingest("late-host", t0.Add(-30*24*time.Hour)) // a month late: NRT reads by ingest order
	run(1)
	run(2) // nothing new: no second alert
	ingest("ws2", t0)
	run(3)
	got := s.kql(t, `AlertEvidence | where EntityType == "Machine" | project DeviceName | order by DeviceName asc`)
	if fmt.Sprint(got) != "[[late-host] [ws2]]" {
		t.Errorf("alerted devices = %v, want late-host once and ws2 once", got)
	}
}

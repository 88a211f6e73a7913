package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/kql"
)

// startDetectTest is startTest with the scheduler on a manual clock.
func startDetectTest(t *testing.T, clock *schedule.ManualClock, mutate func(*Config)) *testServer {
	t.Helper()
	return startTestWith(t, mutate, func(a *App) { a.clock = clock })
}

// kql runs a KQL query for the default tenant through the compiler and the store.
func (s *testServer) kql(t *testing.T, q string) [][]any {
	t.Helper()
	s.settle(t)
	cq, diags := kql.Compile(q, s.a.reg, kql.Options{Tenant: "default"})
	if cq == nil {
		t.Fatalf("compile %s: %v", q, diags)
	}
	res, err := s.a.store.Query(context.Background(), cq.SQL, 1000)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	return res.Rows
}

// slot0 has sub-second digits (the rule's offset); DuckDB keeps microseconds.
// TestScheduledRuleAlerts runs the built-in encoded PowerShell rule for two slots over
// ingested events: the first window holds a match and benign processes, the second only
// benign ones. The alert must be huntable in AlertInfo, AlertEvidence and SecurityAlert.
func TestScheduledRuleAlerts(t *testing.T) {
	const ruleID = "6f1c2a4e-0b7d-4c1e-9a51-3d2f8e7b1a01"
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	slot0 := schedule.NextSlot(t0, time.Hour, schedule.Offset(ruleID, time.Hour))
	slot1 := slot0.Add(time.Hour)
	clock := schedule.NewManualClock(t0)
	s := startDetectTest(t, clock, func(c *Config) {
		c.Detection.Rules = []string{"../../content/rules/encoded_powershell.yaml"}
	})
	if s.a.sched == nil || len(s.a.sched.Rules()) != 1 {
		t.Fatal("scheduler not started with the rule")
	}
	ev := func(at time.Time, id int, file, cmd string) string {
		return fmt.Sprintf(`{"Timestamp":%q,"DeviceName":"ws1.corp.local","AccountName":"alice","AccountDomain":"CORP","AccountSid":"S-1-5-21-1-2-3-1001","FileName":%q,"ProcessCommandLine":%q,"ProcessId":%d,"InitiatingProcessFileName":"cmd.exe","ReportId":%d}`,
			at.Format(time.RFC3339), file, cmd, id, id)
	}
	body := strings.Join([]string{
		ev(slot0.Add(-10*time.Minute), 4242, "powershell.exe", "powershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"),
		ev(slot0.Add(-9*time.Minute), 4243, "powershell.exe", "powershell.exe -File C:\\scripts\\backup.ps1"),
		ev(slot0.Add(-8*time.Minute), 4244, "cmd.exe", "cmd.exe /c dir"),
		ev(slot0.Add(-2*time.Hour), 4245, "powershell.exe", "powershell.exe -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"), // outside the window
		ev(slot1.Add(-10*time.Minute), 4246, "pwsh.exe", "pwsh -Command Get-Process"),
		ev(slot1.Add(-5*time.Minute), 4247, "powershell.exe", "powershell.exe -ExecutionPolicy Bypass -File update.ps1"),
	}, "\n")
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(body), nil); r.status != 200 || !strings.Contains(r.body, `"accepted":6`) {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	s.settle(t)

	runSlot := func(at time.Time) {
		t.Helper()
		if !clock.WaitFor(1, 10*time.Second) {
			t.Fatal("scheduler is not waiting for its slot")
		}
		clock.Set(at)
		if !clock.WaitFor(1, 30*time.Second) { // parked again: the run and its Put are done
			t.Fatal("rule run did not finish")
		}
	}
	runSlot(slot0)

	info := s.kql(t, `AlertInfo | project AlertId, Title, Severity, ServiceSource, DetectionSource, Category, AttackTechniques`)
	if len(info) != 1 {
		t.Fatalf("AlertInfo rows = %v, want 1", info)
	}
	id := info[0][0].(string)
	want := []any{id, "Encoded PowerShell on ws1.corp.local", "Medium", "Vigil", "Custom detection", "Execution", `["T1059.001","T1027"]`}
	if fmt.Sprint(info[0]) != fmt.Sprint(want) {
		t.Errorf("AlertInfo = %v, want %v", info[0], want)
	}
	evid := s.kql(t, fmt.Sprintf(`AlertEvidence | where AlertId == %q | project EntityType, EvidenceRole, DeviceName, AccountName, AccountDomain, AccountSid, ProcessCommandLine | order by EntityType asc`, id))
	wantEv := [][]any{
		{"Machine", "Impacted", "ws1.corp.local", "", "", "", ""},
		{"Process", "Related", "", "", "", "", "powershell.exe -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"},
		{"User", "Impacted", "", "alice", "CORP", "S-1-5-21-1-2-3-1001", ""},
	}
	if fmt.Sprint(evid) != fmt.Sprint(wantEv) {
		t.Errorf("AlertEvidence =\n%v\nwant\n%v", evid, wantEv)
	}
	sec := s.kql(t, fmt.Sprintf(`SecurityAlert | where SystemAlertId == %q | extend E = parse_json(Entities) | project AlertName, AlertSeverity, ProviderName, Status, Tactics, Techniques, SubTechniques, AlertType, HostName = tostring(E[0].HostName), Type0 = tostring(E[0].Type), Account = tostring(E[1].Name), Rule = tostring(parse_json(ExtendedProperties)["Analytic Rule Name"]), StartTime, EndTime, TimeGenerated`, id))
	if len(sec) != 1 {
		t.Fatalf("SecurityAlert rows = %v, want 1", sec)
	}
	wantSec := []any{"Encoded PowerShell on ws1.corp.local", "Medium", "Vigil", "New", "Execution, DefenseEvasion", `["T1059","T1027"]`, `["T1059.001"]`, ruleID, "ws1", "host", "alice", "PowerShell started with an encoded command", iso(slot0.Add(-10 * time.Minute)), iso(slot0.Add(-10 * time.Minute)), slot0.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.9999999Z")}
	if fmt.Sprint(sec[0]) != fmt.Sprint(wantSec) {
		t.Errorf("SecurityAlert =\n%v\nwant\n%v", sec[0], wantSec)
	}

	// The second window holds only benign PowerShell: no new alert.
	runSlot(slot1)
	if n := s.kql(t, `AlertInfo | count`); fmt.Sprint(n) != "[[1]]" {
		t.Errorf("AlertInfo count after a benign window = %v, want 1", n)
	}
	if n := s.kql(t, `SecurityAlert | count`); fmt.Sprint(n) != "[[1]]" {
		t.Errorf("SecurityAlert count = %v, want 1", n)
	}
}

func iso(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

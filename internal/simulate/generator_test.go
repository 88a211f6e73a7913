package simulate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const scenarioPath = "../../content/scenarios/phish-to-exfil.yaml"

func demoGenerator(t testing.TB, seed int64) *Generator {
	t.Helper()
	sc, err := LoadScenarioFile(scenarioPath)
	if err != nil {
		t.Fatal(err)
	}
	g := New(seed, Options{})
	if err := g.Scenario(sc); err != nil {
		t.Fatal(err)
	}
	return g
}

var demoStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func TestAttackNormalizes(t *testing.T) {
	g := demoGenerator(t, 1)
	recs, err := g.Attack(demoStart)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].Time.Before(recs[i-1].Time) {
			t.Fatalf("record %d is before the one preceding it", i)
		}
	}
	n := newNormalizers(t)
	rows, counts := n.normalizeAll(t, recs)
	for _, table := range []string{"EmailEvents", "EmailAttachmentInfo", "EmailUrlInfo", "UrlClickEvents", "DeviceProcessEvents",
		"DeviceNetworkEvents", "DeviceFileEvents", "DeviceRegistryEvents", "DeviceEvents", "SecurityEvent", "DeviceLogonEvents",
		"IdentityLogonEvents", "WindowsEvent", "SigninLogs", "AADSignInEventsBeta", "OfficeActivity", "CloudAppEvents", "CommonSecurityLog"} {
		if counts[table] == 0 {
			t.Errorf("no %s rows (got %v)", table, counts)
		}
	}
	victim := g.Org().Users[0]
	for _, u := range g.Org().Users {
		if u.Department == "Finance" && !u.Traveler {
			victim = u
			break
		}
	}
	// The victim's identities appear consistently across domains.
	want := []struct {
		table, col string
		val        any
	}{
		{"EmailEvents", "RecipientEmailAddress", victim.UPN},
		{"UrlClickEvents", "AccountUpn", victim.UPN},
		{"DeviceProcessEvents", "AccountName", victim.SAM},
		{"DeviceProcessEvents", "DeviceName", victim.Host.FQDN},
		{"SigninLogs", "UserPrincipalName", victim.UPN},
		{"SigninLogs", "ResultType", "500121"},
		{"AADSignInEventsBeta", "AccountObjectId", victim.ObjectID},
		{"OfficeActivity", "UserId", victim.UPN},
		{"SecurityEvent", "ServiceName", "svc-sql"},
		{"SecurityEvent", "ServiceFileName", `C:\Windows\Temp\svcupd.exe`},
		{"CommonSecurityLog", "DestinationIP", "203.0.113.66"},
		{"DeviceLogonEvents", "AccountName", "svc-backup-adm"},
	}
	for _, w := range want {
		if !hasCell(rows, w.table, w.col, w.val) {
			t.Errorf("no %s row with %s = %v", w.table, w.col, w.val)
		}
	}
	rc4 := 0
	for _, r := range rows {
		if ed, _ := r.cells["EventData"].(string); r.table == "SecurityEvent" && strings.Contains(ed, `<Data Name="TicketEncryptionType">0x17<`) {
			rc4++
		}
	}
	if rc4 < 3 {
		t.Errorf("%d RC4 service tickets, want >= 3", rc4)
	}
	if c := countCells(rows, "OfficeActivity", "Operation", "FileDownloaded"); c < 200 {
		t.Errorf("mass download: %d FileDownloaded rows, want >= 200", c)
	}
}

func hasCell(rows []row, table, col string, val any) bool {
	return countCells(rows, table, col, val) > 0
}

func countCells(rows []row, table, col string, val any) int {
	n := 0
	for _, r := range rows {
		if r.table == table && r.cells[col] == val {
			n++
		}
	}
	return n
}

func TestNoiseDayNormalizes(t *testing.T) {
	g := New(7, Options{Users: 20})
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) // a Tuesday
	recs := g.Noise(from, from.Add(24*time.Hour))
	if len(recs) < 2000 || len(recs) > 50000 {
		t.Fatalf("a day of noise has %d records", len(recs))
	}
	n := newNormalizers(t)
	rows, counts := n.normalizeAll(t, recs)
	for _, table := range []string{"DeviceProcessEvents", "DeviceNetworkEvents", "DeviceEvents", "DeviceFileEvents", "DeviceRegistryEvents",
		"SecurityEvent", "DeviceLogonEvents", "IdentityLogonEvents", "SigninLogs", "OfficeActivity", "EmailEvents", "UrlClickEvents",
		"CommonSecurityLog", "Syslog"} {
		if counts[table] == 0 {
			t.Errorf("no %s rows in a day of noise (got %v)", table, counts)
		}
	}
	t.Logf("%d records, rows per table: %v", len(recs), counts)
	if counts["DeviceProcessEvents"] < counts["SigninLogs"] || counts["CommonSecurityLog"] < counts["EmailEvents"] {
		t.Errorf("unexpected mix of volumes: %v", counts)
	}
	// Invariants the content rules rely on for noise to stay quiet.
	countries := map[string]map[any]bool{}
	for _, r := range rows {
		switch r.table {
		case "SigninLogs":
			if r.cells["ResultType"] == "0" {
				upn, _ := r.cells["UserPrincipalName"].(string)
				if countries[upn] == nil {
					countries[upn] = map[any]bool{}
				}
				countries[upn][r.cells["Location"]] = true
			}
		case "DeviceProcessEvents":
			if r.cells["SHA256"] != nil {
				t.Fatalf("noise process with SHA256: %v", r.cells)
			}
			if cmd, _ := r.cells["ProcessCommandLine"].(string); strings.Contains(cmd, " -enc") {
				t.Fatalf("noise with encoded PowerShell: %s", cmd)
			}
		case "DeviceEvents":
			if r.cells["ActionType"] == "OpenProcessApiCall" {
				t.Fatal("noise with process access")
			}
		case "SecurityEvent":
			if ed, _ := r.cells["EventData"].(string); strings.Contains(ed, ">0x17<") {
				t.Fatal("noise with an RC4 service ticket")
			}
		}
		for _, v := range r.cells {
			if s, ok := v.(string); ok && (strings.Contains(s, "203.0.113.") || strings.Contains(s, "svc-backup-adm")) {
				t.Fatalf("noise names the attacker or the decoy: %s %v", r.table, r.cells)
			}
		}
	}
	for upn, cs := range countries {
		if len(cs) > 1 {
			t.Errorf("%s signs in from %d countries", upn, len(cs))
		}
	}
}

func TestIdentitiesNormalize(t *testing.T) {
	g := New(1, Options{Users: 20})
	rows, counts := newNormalizers(t).normalizeAll(t, g.Identities(demoStart))
	if counts["IdentityInfo"] != len(g.Org().Users)+len(g.Org().Admins)+len(g.Org().Services) {
		t.Fatalf("IdentityInfo rows: %v", counts)
	}
	u := g.Org().Users[0]
	for col, val := range map[string]any{"AccountUpn": u.UPN, "AccountObjectId": u.ObjectID, "AccountSID": u.SID, "AccountName": u.SAM} {
		if !hasCell(rows, "IdentityInfo", col, val) {
			t.Errorf("no IdentityInfo row with %s = %v", col, val)
		}
	}
}

// collect is a Sink that keeps what it is sent.
type collect struct {
	sends map[string]int
	buf   bytes.Buffer
}

func (c *collect) Send(_ context.Context, format string, payload []byte) error {
	if c.sends == nil {
		c.sends = map[string]int{}
	}
	c.sends[format]++
	c.buf.WriteString(format + "\n")
	c.buf.Write(payload)
	c.buf.WriteByte('\n')
	return nil
}

func TestReplayDeterministic(t *testing.T) {
	var a, b collect
	if err := demoGenerator(t, 42).Replay(context.Background(), demoStart, &a); err != nil {
		t.Fatal(err)
	}
	if err := demoGenerator(t, 42).Replay(context.Background(), demoStart, &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.buf.Bytes(), b.buf.Bytes()) {
		t.Fatal("the same seed gave different bytes")
	}
	var c collect
	if err := demoGenerator(t, 43).Replay(context.Background(), demoStart, &c); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.buf.Bytes(), c.buf.Bytes()) {
		t.Fatal("different seeds gave the same bytes")
	}
	for _, f := range []string{FormatWinEventXML, FormatEntraSignin, FormatO365Audit, FormatEmailTrace, FormatURLClick, FormatIdentityInfo, FormatCEF, FormatSyslog} {
		if a.sends[f] == 0 {
			t.Errorf("nothing sent as %s (%v)", f, a.sends)
		}
	}
}

func TestIndicatorsGolden(t *testing.T) {
	g := demoGenerator(t, 1)
	got := g.Indicators()
	golden := strings.TrimSuffix(scenarioPath, ".yaml") + ".stix.json"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(filepath.Clean(golden))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run with UPDATE_GOLDEN=1\n%s", golden, got)
	}
	if !bytes.Contains(got, []byte(`[ipv4-addr:value = '203.0.113.66']`)) {
		t.Fatalf("bundle lacks the attacker's indicator:\n%s", got)
	}
	if d := g.Decoys(); len(d) != 1 || d[0].Kind != "account" || d[0].Value != "svc-backup-adm" {
		t.Fatalf("decoys: %+v", d)
	}
}

package api

import (
	"fmt"
	"strings"
	"testing"
)

// TestIngestFormatLinuxAndSaaS posts auditd text, Okta and GitHub audit events to the format
// route and checks the rows each table gets and where rejects are reported.
func TestIngestFormatLinuxAndSaaS(t *testing.T) {
	bearerAuth := map[string]string{"Authorization": "Bearer " + testKey}
	audit := "type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=59 success=yes exit=0 ppid=2140 pid=2201 auid=1000 uid=0 ses=3 comm=\"id\" exe=\"/usr/bin/id\"\n" +
		"type=USER_LOGIN msg=audit(1700000001.000:457): pid=900 uid=0 auid=1000 ses=4 msg='op=login acct=\"alice\" exe=\"/usr/sbin/sshd\" hostname=? addr=203.0.113.7 terminal=ssh res=failed'\n" +
		"type=EXECVE msg=audit(1700000000.123:456): argc=2 a0=\"id\" a1=\"-u\"\n" +
		"garbage\n"
	okta := `[{"published":"2024-03-10T09:15:02.417Z","eventType":"user.session.start","actor":{"alternateId":"alice@example.com"},` +
		`"client":{"ipAddress":"198.51.100.23"},"outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"}},{"eventType":"x"}]`
	gh := `{"@timestamp":1710061200123,"action":"repo.destroy","actor":"octocat","org":"octo-org","repo":"octo-org/x"}` + "\n" + `{"actor":"x"}`
	tests := []struct {
		name, path, body, result, tables string
		cols                             map[string]string // "Table.Column" -> values
	}{
		{"auditd with host", "/api/v1/ingest/format/auditd?host=web01", audit,
			`{"accepted":5,"rejected":1,"errors":[{"row":2,"line":4,"offset":` + fmt.Sprint(len(audit)-len("garbage\n")) + `,"reason":"auditd: missing type= at the start of the record"}]}`,
			"DeviceLogonEvents:1 DeviceProcessEvents:1 IngestionErrors:1 Syslog:3",
			map[string]string{
				"DeviceProcessEvents.ProcessCommandLine": "[id -u]", "DeviceProcessEvents.DeviceName": "[web01]",
				"DeviceProcessEvents.AccountName": "[root]", "DeviceLogonEvents.ActionType": "[LogonFailed]",
				"DeviceLogonEvents.RemoteIP": "[203.0.113.7]", "Syslog.ProcessName": "[audispd audispd audispd]",
				"IngestionErrors.RawData": "[garbage]",
			}},
		{"okta", "/api/v1/ingest/format/okta", okta,
			`{"accepted":1,"rejected":1,"errors":[{"row":1,"line":1,"offset":` + fmt.Sprint(strings.Index(okta, `{"eventType"`)) + `,"reason":"okta: missing time (published)"}]}`,
			"IngestionErrors:1 OktaSSO:1",
			map[string]string{"OktaSSO.actor_alternateId_s": "[alice@example.com]", "OktaSSO.outcome_reason_s": "[INVALID_CREDENTIALS]"}},
		{"github audit", "/api/v1/ingest/format/github-audit", gh,
			`{"accepted":1,"rejected":1,"errors":[{"row":1,"line":2,"offset":` + fmt.Sprint(strings.Index(gh, "\n")+1) + `,"reason":"github-audit: missing action"}]}`,
			"GitHubAuditData:1 IngestionErrors:1",
			map[string]string{"GitHubAuditData.Action": "[repo.destroy]", "GitHubAuditData.Repository": "[octo-org/x]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pub := newFormatTestServer(t)
			rec := s.call(call{"POST", tt.path, tt.body, bearerAuth})
			if body := strings.TrimSpace(rec.Body.String()); rec.Code != 200 || body != tt.result {
				t.Errorf("got %d %s, want 200 %s", rec.Code, body, tt.result)
			}
			if got := pub.tables(); got != tt.tables {
				t.Errorf("published %q, want %q", got, tt.tables)
			}
			for tc, want := range tt.cols {
				table, col, _ := strings.Cut(tc, ".")
				if got := fmt.Sprint(pub.col(table, col)); got != want {
					t.Errorf("%s = %s, want %s", tc, got, want)
				}
			}
		})
	}
}

// TestHECSyslogDerivesLinuxAuth checks an sshd line and a sudo line routed as syslog through
// HEC also fill DeviceLogonEvents and DeviceProcessEvents.
func TestHECSyslogDerivesLinuxAuth(t *testing.T) {
	s, pub := newTestServer(t)
	s.opts.HECRoutes = testHECRoutes
	rec := s.call(call{"POST", "/services/collector/raw?sourcetype=linux_secure&host=web01",
		"Mar 10 08:00:00 web01 sshd[4123]: Accepted publickey for alice from 198.51.100.20 port 50222 ssh2\n" +
			"Mar 10 08:00:05 web01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id -u\n", splunkAuth})
	if rec.Code != 200 {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	if got := pub.tables(); got != "DeviceLogonEvents:1 DeviceProcessEvents:1 Syslog:2" {
		t.Errorf("published %q", got)
	}
	for tc, want := range map[string]string{
		"DeviceLogonEvents.AccountName": "[alice]", "DeviceLogonEvents.DeviceName": "[web01]", "DeviceLogonEvents.RemotePort": "[50222]",
		"DeviceProcessEvents.AccountName": "[root]", "DeviceProcessEvents.InitiatingProcessAccountName": "[alice]",
		"DeviceProcessEvents.ProcessCommandLine": "[/usr/bin/id -u]",
	} {
		table, col, _ := strings.Cut(tc, ".")
		if got := fmt.Sprint(pub.col(table, col)); got != want {
			t.Errorf("%s = %s, want %s", tc, got, want)
		}
	}
}

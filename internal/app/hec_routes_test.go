package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// TestHECSourcetypeRoutes configures receivers.hec.routes and sends events as a Splunk
// forwarder does: Windows XML events, CloudTrail records and linux_secure lines land in their
// tables, other sourcetypes in Syslog as before.
func TestHECSourcetypeRoutes(t *testing.T) {
	s := startTest(t, func(c *Config) {
		c.Receivers.HEC.Routes = []HECRoute{
			{Sourcetype: "XmlWinEventLog", Format: "winevent-xml"},
			{Sourcetype: "aws:cloudtrail", Format: "cloudtrail"},
			{Sourcetype: "linux_secure", Format: "syslog"},
			{Sourcetype: "vigil:signin", Index: "identity", Table: "SigninLogs"},
		}
	})
	xml, _ := json.Marshal(`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>` +
		`<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/><EventID>4625</EventID>` +
		`<Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8010000000000000</Keywords>` +
		`<TimeCreated SystemTime='2024-03-10T10:20:00.000Z'/><EventRecordID>9001</EventRecordID><Channel>Security</Channel>` +
		`<Computer>dc01.corp.contoso.com</Computer><Security/></System><EventData>` +
		`<Data Name='TargetUserName'>alice</Data><Data Name='TargetDomainName'>CORP</Data><Data Name='LogonType'>3</Data>` +
		`<Data Name='IpAddress'>203.0.113.7</Data><Data Name='Status'>0xc000006d</Data><Data Name='SubStatus'>0xc000006a</Data></EventData></Event>`)
	body := `{"sourcetype":"XmlWinEventLog","index":"wineventlog","host":"dc01","event":` + string(xml) + `}` +
		`{"sourcetype":"aws:cloudtrail","event":{"eventVersion":"1.08","eventTime":"2024-03-10T09:00:00Z","eventSource":"iam.amazonaws.com",` +
		`"eventName":"CreateUser","userIdentity":{"type":"IAMUser","userName":"alice"},"sourceIPAddress":"203.0.113.7","awsRegion":"us-east-1"}}` +
		`{"sourcetype":"linux_secure","host":"web01","event":"Mar 10 08:00:00 web01 sshd[4123]: Failed password for root from 203.0.113.7 port 52814 ssh2"}` +
		`{"sourcetype":"access_combined","event":"GET / 200"}`
	r := s.do(t, "POST", "/services/collector/event", []byte(body), map[string]string{"Authorization": "Splunk " + s.key})
	if r.status != 200 {
		t.Fatalf("hec: %d %s", r.status, r.body)
	}
	s.settle(t)
	for q, want := range map[string]string{
		`SELECT EventID, Account, IpAddress, TenantId FROM SecurityEvent`:                `[4625 CORP\alice 203.0.113.7 default]`,
		`SELECT EventName, EventSource, SourceIpAddress FROM AWSCloudTrail`:              "[CreateUser iam.amazonaws.com 203.0.113.7]",
		`SELECT HostName, ProcessName, ProcessID FROM Syslog WHERE ProcessName = 'sshd'`: "[web01 sshd 4123]",
		`SELECT Facility, SyslogMessage FROM Syslog WHERE SourceSystem = 'Splunk HEC'`:   "[access_combined GET / 200]",
		`SELECT count(*) FROM IngestionErrors`:                                           "[0]",
	} {
		if got := query(t, s, q); strings.Join(got, "|") != want {
			t.Errorf("%s: %v, want %s", q, got, want)
		}
	}
}

// TestReceiverSectionsConfig checks the validation of receivers.hec and the syslog TLS and
// listener settings.
func TestReceiverSectionsConfig(t *testing.T) {
	for _, tt := range []struct{ yaml, err string }{
		{"receivers: {hec: {routes: [{sourcetype: XmlWinEventLog, format: winevent-xml}, {sourcetype: app, index: main, table: Syslog}]}}", ""},
		{"receivers: {hec: {routes: [{format: syslog}]}}", "config: receivers.hec.routes[0]: sourcetype is required"},
		{"receivers: {hec: {routes: [{sourcetype: a, table: Syslog, format: syslog}]}}", "config: receivers.hec.routes[0]: set one of table and format"},
		{"receivers: {hec: {routes: [{sourcetype: a, format: syslog}, {sourcetype: A, format: cloudtrail}]}}", `config: receivers.hec.routes[1]: sourcetype "A" and index "" are routed twice`},
		{"receivers: {hec: {routes: [{sourcetype: a, tenant: x}]}}", `config: line 1: unknown key "tenant" in section receivers.hec.routes`},
		{"receivers: {syslog: {tls: {listen: \":6514\"}}}", "config: receivers.syslog.tls: listen needs certFile and keyFile"},
		{"receivers: {syslog: {tls: {listen: \"6514\", certFile: c, keyFile: k}}}", `config: receivers.syslog.tls.listen: "6514" is not host:port`},
		{"receivers: {syslog: {listeners: [{tenant: acme, udp: \":5141\", tcp: \":5141\"}]}}", ""},
		{"receivers: {syslog: {listeners: [{tenant: acme}]}}", "config: receivers.syslog.listeners[0]: set udp, tcp or tls"},
		{"receivers: {syslog: {listeners: [{tenant: \"a b\", tcp: x}]}}", "config: receivers.syslog.listeners[0].tenant: \"a b\" is not a tenant id (1 to 64 letters, digits, '_' or '-')\n" +
			`receivers.syslog.listeners[0].tcp: "x" is not host:port`},
		{"receivers: {syslog: {listeners: [{tenant: a, tls: \":6515\"}]}}", "config: receivers.syslog.listeners[0].tls: needs receivers.syslog.tls.certFile and keyFile"},
	} {
		_, err := ParseConfig([]byte(tt.yaml))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("%s:\n got %q\nwant %q", tt.yaml, got, tt.err)
		}
	}
	// Unknown tables and formats are refused when the server starts.
	c := Default()
	c.Data, c.Server.Listen = t.TempDir(), "127.0.0.1:0"
	c.Receivers.HEC.Routes = []HECRoute{{Sourcetype: "a", Format: "nope"}, {Sourcetype: "b", Table: "Nope_CL"}}
	a, err := New(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background(), func(string) { t.Error("the server started") })
	if err == nil || !strings.Contains(err.Error(), `receivers.hec.routes[0]: unknown format "nope"`) ||
		!strings.Contains(err.Error(), `receivers.hec.routes[1]: unknown table "Nope_CL"`) {
		t.Errorf("run: %v, want the unknown format and table", err)
	}
}

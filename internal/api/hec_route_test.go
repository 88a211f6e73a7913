package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest/receiver/hec"
)

var testHECRoutes = []hec.Rule{
	{Sourcetype: "XmlWinEventLog", Format: "winevent-xml"},
	{Sourcetype: "aws:cloudtrail", Format: "cloudtrail"},
	{Sourcetype: "linux_secure", Format: "syslog"},
	{Sourcetype: "app", Index: "metrics", Table: "MyType_CL"},
	{Sourcetype: "bad", Format: "nope"}, // left out: unknown format
}

// TestHECSourcetypeRoutes sends events as Splunk forwarders do (sourcetype and index per event)
// and checks each lands where its route sends it, unrouted events as before.
func TestHECSourcetypeRoutes(t *testing.T) {
	trail := `{"eventVersion":"1.08","eventTime":"2024-03-10T09:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser",` +
		`"userIdentity":{"type":"IAMUser","userName":"alice"},"sourceIPAddress":"203.0.113.7","awsRegion":"us-east-1"}`
	xml, _ := json.Marshal(winXMLSysmon1)
	tests := []struct {
		name, body, tables string
	}{
		{"windows xml", `{"sourcetype":"XmlWinEventLog","index":"wineventlog","host":"ws-fin-07","event":` + string(xml) + `}`, "DeviceProcessEvents:1"},
		{"cloudtrail record", `{"sourcetype":"aws:cloudtrail","event":` + trail + `}`, "AWSCloudTrail:1"},
		{"linux_secure line", `{"sourcetype":"linux_secure","event":"Mar 10 08:00:00 web01 sshd[4123]: Failed password for root from 203.0.113.7 port 52814 ssh2"}`, "DeviceLogonEvents:1 Syslog:1"},
		{"sourcetype case-insensitive", `{"sourcetype":"LINUX_SECURE","event":"<86>Mar 10 08:00:00 web01 sudo: alice : COMMAND=/bin/true"}`, "Syslog:1"},
		{"table route by index", `{"sourcetype":"app","index":"metrics","event":{"Message":"m","Count":2}}{"sourcetype":"app","index":"main","event":{"Message":"m"}}`, "MyType_CL:1 Syslog:1"},
		{"fields.vigil_table wins", `{"sourcetype":"linux_secure","event":{"Message":"x"},"fields":{"vigil_table":"MyType_CL"}}`, "MyType_CL:1"},
		{"unrouted and left-out routes keep the Syslog route", `{"sourcetype":"access","event":"GET /"}{"sourcetype":"bad","event":"x"}`, "Syslog:2"},
		{"a record the format cannot map is dead-lettered", `{"event":"ok"}{"sourcetype":"XmlWinEventLog","event":"<Event><System>"}`, "IngestionErrors:1 Syslog:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pub := newTestServer(t)
			s.opts.HECRoutes = testHECRoutes
			rec := s.call(call{"POST", "/services/collector/event", tt.body, splunkAuth})
			if rec.Code != 200 {
				t.Fatalf("got %d %s", rec.Code, rec.Body)
			}
			if got := pub.tables(); got != tt.tables {
				t.Errorf("published %q, want %q", got, tt.tables)
			}
		})
	}
}

func TestHECSourcetypeRouteColumns(t *testing.T) {
	s, pub := newTestServer(t)
	s.opts.HECRoutes = testHECRoutes
	rec := s.call(call{"POST", "/services/collector/raw?sourcetype=linux_secure&host=web01",
		"Mar 10 08:00:00 web01 sshd[4123]: Failed password for root\nMar 10 08:00:01 web01 CRON[77]: (root) CMD (true)\n", splunkAuth})
	if rec.Code != 200 {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	for col, want := range map[string]string{
		"ProcessName":   "[sshd CRON]",
		"ProcessID":     "[4123 77]",
		"HostName":      "[web01 web01]",
		"SyslogMessage": "[Failed password for root (root) CMD (true)]",
	} {
		if got := fmt.Sprint(pub.col("Syslog", col)); got != want {
			t.Errorf("Syslog.%s = %s, want %s", col, got, want)
		}
	}
	s, pub = newTestServer(t)
	s.opts.HECRoutes = testHECRoutes
	s.call(call{"POST", "/services/collector/event", `{"event":"ok"}{"sourcetype":"XmlWinEventLog","event":"<Event><System>"}`, splunkAuth})
	if got := fmt.Sprint(pub.col("IngestionErrors", "Reason")); !strings.Contains(got, "winevent-xml: ") || !strings.Contains(got, "(sourcetype XmlWinEventLog)") {
		t.Errorf("IngestionErrors.Reason = %s", got)
	}
	if got := fmt.Sprint(pub.col("IngestionErrors", "RawData")); got != `[{"sourcetype":"XmlWinEventLog","event":"<Event><System>"}]` {
		t.Errorf("IngestionErrors.RawData = %s", got)
	}
}

package api

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
)

// Winlogbeat 8.11 documents as output.elasticsearch sends them (event_id and record_id as
// strings; the data stream index winlogbeat-8.11.0 with the create action).
const (
	wlb8Sysmon1 = `{"@timestamp":"2024-03-10T11:00:00.151Z","agent":{"ephemeral_id":"3b5d0c1e","id":"9d0e6c2a","name":"WS-0142","type":"winlogbeat","version":"8.11.0"},` +
		`"ecs":{"version":"8.0.0"},"event":{"action":"Process Create (rule: ProcessCreate)","code":"1","created":"2024-03-10T11:00:01.002Z",` +
		`"kind":"event","provider":"Microsoft-Windows-Sysmon"},"host":{"name":"ws-0142.corp.contoso.com","hostname":"WS-0142","os":{"family":"windows"}},` +
		`"log":{"level":"information"},"message":"Process Create:\nRuleName: -\nUtcTime: 2024-03-10 11:00:00.148",` +
		`"winlog":{"api":"wineventlog","channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"WS-0142.corp.contoso.com",` +
		`"event_data":{"RuleName":"-","UtcTime":"2024-03-10 11:00:00.148","ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}",` +
		`"ProcessId":"7412","Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell.exe -nop -enc SQBFAFgA",` +
		`"CurrentDirectory":"C:\\Users\\alice\\","User":"CONTOSO\\alice","LogonId":"0x2f3ac4","IntegrityLevel":"Medium",` +
		`"Hashes":"SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C","ParentProcessId":"5120",` +
		`"ParentImage":"C:\\Windows\\explorer.exe","ParentCommandLine":"C:\\Windows\\Explorer.EXE"},"event_id":"1","opcode":"Info",` +
		`"process":{"pid":3216,"thread":{"id":4412}},"provider_guid":"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}","provider_name":"Microsoft-Windows-Sysmon",` +
		`"record_id":"120034","task":"Process Create (rule: ProcessCreate)","user":{"domain":"NT AUTHORITY","identifier":"S-1-5-18","name":"SYSTEM","type":"User"},"version":5}}`
	wlb8Logon = `{"@timestamp":"2024-03-10T11:00:02.000Z","agent":{"type":"winlogbeat","version":"8.11.0"},` +
		`"event":{"action":"Logon","code":"4624","kind":"event","outcome":"success","provider":"Microsoft-Windows-Security-Auditing"},` +
		`"host":{"name":"ws-0142.corp.contoso.com"},"log":{"level":"information"},"message":"An account was successfully logged on.",` +
		`"winlog":{"api":"wineventlog","channel":"Security","computer_name":"WS-0142.corp.contoso.com","event_id":"4624",` +
		`"event_data":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"WS-0142$","SubjectDomainName":"CONTOSO","SubjectLogonId":"0x3e7",` +
		`"TargetUserSid":"S-1-5-21-1-2-3-1104","TargetUserName":"alice","TargetDomainName":"CONTOSO","TargetLogonId":"0x8dcdc",` +
		`"LogonType":"10","LogonProcessName":"User32","AuthenticationPackageName":"Negotiate","WorkstationName":"WS-0142",` +
		`"ProcessName":"C:\\Windows\\System32\\svchost.exe","IpAddress":"203.0.113.77","IpPort":"0"},"keywords":["Audit Success"],` +
		`"opcode":"Info","process":{"pid":684,"thread":{"id":9380}},"provider_guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}",` +
		`"provider_name":"Microsoft-Windows-Security-Auditing","record_id":"581204","task":"Logon","version":2}}`
	wlb8NoID = `{"@timestamp":"2024-03-10T11:00:03.000Z","event":{"kind":"event"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"four"}}`
)

// TestESBulkWinlogbeat replays what Winlogbeat 8.11 with output.elasticsearch sends (the
// handshake, then a gzip _bulk with create actions to its data stream): the Sysmon 1 event
// lands in DeviceProcessEvents and the 4624 (a domain account's remote logon) in SecurityEvent,
// DeviceLogonEvents and IdentityLogonEvents, with the
// same rows POST /api/v1/ingest/format/winlogbeat gives, and an event Vigil cannot read is
// answered 400 for its item and kept in IngestionErrors.
func TestESBulkWinlogbeat(t *testing.T) {
	s, pub := newTestServer(t)
	for _, c := range []call{
		{"GET", "/", "", basicAuth},
		{"GET", "/_license?human=false", "", basicAuth},
		{"GET", "/_index_template/winlogbeat-8.11.0", "", basicAuth},
		{"GET", "/_ilm/policy/winlogbeat", "", basicAuth},
	} {
		if rec := s.call(c); rec.Code != 200 || rec.Header().Get("X-Elastic-Product") != "Elasticsearch" {
			t.Fatalf("%s %s: %d %s", c.method, c.path, rec.Code, rec.Body)
		}
	}
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	for _, doc := range []string{wlb8Sysmon1, wlb8Logon, wlb8NoID} {
		fmt.Fprintf(zw, "{\"create\":{\"_index\":\"winlogbeat-8.11.0\"}}\n%s\n", doc)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Content-Encoding": "gzip", "Content-Type": "application/json", "Authorization": basicAuth["Authorization"]}
	rec := s.call(call{"POST", "/_bulk?filter_path=errors,items.*.error,items.*.status", body.String(), hdr})
	got := idRE.ReplaceAllString(rec.Body.String(), "")
	want := `{,"errors":true,"items":[` +
		`{"create":{"_index":"winlogbeat-8.11.0",,"_version":1,"result":"created","status":201}},` +
		`{"create":{"_index":"winlogbeat-8.11.0",,"_version":1,"result":"created","status":201}},` +
		`{"create":{"_index":"winlogbeat-8.11.0",,"status":400,"error":{"type":"document_parsing_exception","reason":"winlogbeat: winlogbeat: EventID \"four\" is not a number"}}}]}`
	if rec.Code != 200 || strings.TrimSpace(got) != want {
		t.Fatalf("got %d %s\nwant %s", rec.Code, got, want)
	}
	if got, want := pub.tables(), "DeviceLogonEvents:1 DeviceProcessEvents:1 IdentityLogonEvents:1 IngestionErrors:1 SecurityEvent:1"; got != want {
		t.Errorf("published %q, want %q", got, want)
	}
	for _, c := range []struct{ table, col, want string }{
		{"DeviceProcessEvents", "FileName", "[powershell.exe]"}, {"DeviceProcessEvents", "ProcessCommandLine", "[powershell.exe -nop -enc SQBFAFgA]"},
		{"DeviceProcessEvents", "InitiatingProcessFileName", "[explorer.exe]"}, {"DeviceProcessEvents", "DeviceName", "[WS-0142.corp.contoso.com]"},
		{"DeviceProcessEvents", "ActionType", "[ProcessCreated]"}, {"DeviceProcessEvents", "ReportId", "[120034]"},
		{"DeviceLogonEvents", "ActionType", "[LogonSuccess]"}, {"DeviceLogonEvents", "LogonType", "[RemoteInteractive]"},
		{"DeviceLogonEvents", "AccountName", "[alice]"}, {"DeviceLogonEvents", "RemoteIP", "[203.0.113.77]"},
		{"SecurityEvent", "EventID", "[4624]"}, {"SecurityEvent", "TargetUserName", "[alice]"}, {"SecurityEvent", "Computer", "[WS-0142.corp.contoso.com]"},
	} {
		if got := fmt.Sprint(pub.col(c.table, c.col)); got != c.want {
			t.Errorf("%s.%s = %s, want %s", c.table, c.col, got, c.want)
		}
	}
	if got := fmt.Sprint(pub.col("IngestionErrors", "Source")); !strings.Contains(got, "_bulk") {
		t.Errorf("IngestionErrors.Source = %s", got)
	}

	// The same documents through the Winlogbeat format route give the same rows.
	s2, pub2 := newTestServer(t)
	rec = s2.call(call{"POST", "/api/v1/ingest/format/winlogbeat", wlb8Sysmon1 + "\n" + wlb8Logon + "\n", map[string]string{"Authorization": "Bearer " + testKey}})
	if rec.Code != 200 {
		t.Fatal(rec.Code, rec.Body)
	}
	for _, table := range []string{"DeviceProcessEvents", "DeviceLogonEvents", "SecurityEvent", "IdentityLogonEvents"} {
		if a, b := fmt.Sprint(pub.rows[table]), fmt.Sprint(pub2.rows[table]); a != b {
			t.Errorf("%s from _bulk:\n%s\nfrom the format route:\n%s", table, a, b)
		}
	}
}

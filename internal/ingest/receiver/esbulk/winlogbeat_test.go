package esbulk

import (
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

// Winlogbeat documents as Beats send them with output.elasticsearch: 8.x keeps event_id and
// record_id as strings, 7.x as numbers.
const (
	wlbSysmon1 = `{"@timestamp":"2024-03-10T11:00:00.151Z","agent":{"name":"WS-0142","type":"winlogbeat","version":"8.11.0"},` +
		`"ecs":{"version":"8.0.0"},"event":{"action":"Process Create (rule: ProcessCreate)","code":"1","created":"2024-03-10T11:00:01.002Z",` +
		`"kind":"event","provider":"Microsoft-Windows-Sysmon"},"host":{"name":"ws-0142.corp.contoso.com","hostname":"WS-0142"},` +
		`"log":{"level":"information"},"message":"Process Create:\nRuleName: -",` +
		`"winlog":{"api":"wineventlog","channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"WS-0142.corp.contoso.com",` +
		`"event_data":{"RuleName":"-","UtcTime":"2024-03-10 11:00:00.148","ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}",` +
		`"ProcessId":"7412","Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell.exe -nop -enc SQBFAFgA",` +
		`"User":"CONTOSO\\alice","LogonId":"0x2f3ac4","IntegrityLevel":"Medium","ParentProcessId":"5120","ParentImage":"C:\\Windows\\explorer.exe",` +
		`"ParentCommandLine":"C:\\Windows\\Explorer.EXE"},"event_id":"1","opcode":"Info","process":{"pid":3216,"thread":{"id":4412}},` +
		`"provider_guid":"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}","provider_name":"Microsoft-Windows-Sysmon","record_id":"120034",` +
		`"task":"Process Create (rule: ProcessCreate)","user":{"domain":"NT AUTHORITY","identifier":"S-1-5-18","name":"SYSTEM","type":"User"},"version":5}}`
	wlbLogon7 = `{"@timestamp":"2024-03-10T11:00:02.000Z","agent":{"type":"winlogbeat","version":"7.17.18"},` +
		`"event":{"action":"logged-in","code":4624,"kind":"event","outcome":"success","provider":"Microsoft-Windows-Security-Auditing"},` +
		`"host":{"name":"DC01"},"winlog":{"channel":"Security","computer_name":"DC01.corp.contoso.com","event_id":4624,` +
		`"event_data":{"SubjectUserSid":"S-1-5-18","TargetUserSid":"S-1-5-21-1-2-3-1104","TargetUserName":"alice","TargetDomainName":"CONTOSO",` +
		`"TargetLogonId":"0x8dcdc","LogonType":"3","AuthenticationPackageName":"Kerberos","WorkstationName":"-","IpAddress":"10.20.30.42","IpPort":"51544"},` +
		`"keywords":["Audit Success"],"opcode":"Info","process":{"pid":684,"thread":{"id":9380}},"provider_name":"Microsoft-Windows-Security-Auditing",` +
		`"record_id":581204,"task":"Logon","version":2}}`
	wlbNoTime = `{"winlog":{"channel":"Security","event_id":"4624","event_data":{}}}`
)

func TestRouteWinlogbeat(t *testing.T) {
	reg := schema.NewRegistry()
	body := `{"create":{"_index":"winlogbeat-8.11.0"}}` + "\n" + wlbSysmon1 + "\n" +
		`{"index":{"_index":"winlogbeat-7.17.18-2024.03.10"}}` + "\n" + wlbLogon7 + "\n" +
		`{"create":{"_index":"winlogbeat-8.11.0"}}` + "\n" + wlbNoTime + "\n" +
		`{"create":{"_index":"winlogbeat-8.11.0"}}` + "\n" + `{"@timestamp":"2024-03-10T11:00:03Z","message":"winlog text only"}` + "\n" +
		`{"create":{"_index":"WindowsEvent"}}` + "\n" + `{"@timestamp":"2024-03-10T11:00:04Z","Channel":"App","EventID":1}` + "\n"
	items, err := Decode([]byte(body), "")
	if err != nil {
		t.Fatal(err)
	}
	bs, outs, err := Route(reg, items)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bs {
		got = append(got, b.Table.Name+":"+strconv.Itoa(len(b.Rows))+"/"+strconv.Itoa(len(b.Rejects)))
	}
	// The 8.x Sysmon 1 document fills DeviceProcessEvents; the 7.x 4624 from a domain
	// controller SecurityEvent, DeviceLogonEvents and IdentityLogonEvents; the one without a
	// time is a reject; a document that only mentions winlog is Syslog, and the WindowsEvent
	// index takes its document as a row (rule 1).
	want := "DeviceProcessEvents:1/0 SecurityEvent:1/0 DeviceLogonEvents:1/0 IdentityLogonEvents:1/0 WindowsEvent:1/1 Syslog:1/0"
	if strings.Join(got, " ") != want {
		t.Errorf("batches %v, want %s", got, want)
	}
	wantStatus := []int{201, 201, 400, 201, 201}
	for i, o := range outs {
		if o.Status != wantStatus[i] {
			t.Errorf("item %d: %+v", i, o)
		}
	}
	if outs[2].ErrType != "document_parsing_exception" || outs[2].ErrReason != "winlogbeat: winlogbeat: missing event time" {
		t.Errorf("reject %+v", outs[2])
	}
	for _, b := range bs {
		if b.Table.Name == "WindowsEvent" && (b.Rejects[0].Row != 2 || b.Rejects[0].Line != 6 || string(b.Rejects[0].Raw) != wlbNoTime) {
			t.Errorf("reject %+v", b.Rejects[0])
		}
		if b.Table.Name != "DeviceProcessEvents" {
			continue
		}
		for col, want := range map[string]any{"DeviceName": "WS-0142.corp.contoso.com", "FileName": "powershell.exe",
			"ProcessCommandLine": "powershell.exe -nop -enc SQBFAFgA", "InitiatingProcessFileName": "explorer.exe",
			"AccountName": "alice", "ActionType": "ProcessCreated", "ReportId": int64(120034)} {
			i, _ := b.Table.Column(col)
			if b.Rows[0][i] != want {
				t.Errorf("%s = %v, want %v", col, b.Rows[0][i], want)
			}
		}
	}
}

func TestIsWinlogbeat(t *testing.T) {
	for _, tt := range []struct {
		doc  string
		want bool
	}{
		{wlbSysmon1, true}, {wlbLogon7, true},
		{`{"winlog":{"provider_name":"p"},"event":{"code":"7"}}`, true},
		{`{"winlog":{"channel":"System"}}`, false},
		{`{"winlog":"text","event":{"code":"1"}}`, false},
		{`{"message":"\"winlog\""}`, false},
		{`{"winlog":{`, false},
	} {
		if got := isWinlogbeat([]byte(tt.doc)); got != tt.want {
			t.Errorf("isWinlogbeat(%.60s) = %v", tt.doc, got)
		}
	}
}

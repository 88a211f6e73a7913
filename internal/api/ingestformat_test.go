package api

import (
	"fmt"
	"strings"
	"testing"
)

// winXMLSysmon1 is a Sysmon process creation as wevtutil prints it.
const winXMLSysmon1 = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>` +
	`<Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID>` +
	`<Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>` +
	`<TimeCreated SystemTime='2024-03-10T10:15:00.1234567Z'/><EventRecordID>4711</EventRecordID>` +
	`<Execution ProcessID='3048' ThreadID='4012'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel>` +
	`<Computer>ws-fin-07.corp.contoso.com</Computer><Security UserID='S-1-5-18'/></System><EventData>` +
	`<Data Name='UtcTime'>2024-03-10 10:15:00.123</Data><Data Name='ProcessGuid'>{5c1f3a2b-0000-0000-0000-000000000001}</Data>` +
	`<Data Name='ProcessId'>6120</Data><Data Name='Image'>C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe</Data>` +
	`<Data Name='CommandLine'>powershell.exe -nop -w hidden -enc SQBFAFgA</Data><Data Name='User'>CORP\alice</Data>` +
	`<Data Name='ParentImage'>C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE</Data>` +
	`<Data Name='Hashes'>SHA256=0000000000000000000000000000000000000000000000000000000000000001</Data></EventData></Event>`

func TestIngestFormatHandler(t *testing.T) {
	bearerAuth := map[string]string{"Authorization": "Bearer " + testKey}
	trail := `{"Records":[{"eventTime":"2024-03-10T09:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser",` +
		`"userIdentity":{"type":"IAMUser","userName":"alice"},"sourceIPAddress":"203.0.113.7"},{"eventName":"x"}]}`
	tests := []struct {
		name   string
		c      call
		status int
		body   string
		tables string
	}{
		{"cloudtrail file", call{"POST", "/api/v1/ingest/format/cloudtrail", trail, bearerAuth}, 200,
			`{"accepted":1,"rejected":1,"errors":[{"row":1,"line":1,"offset":193,"reason":"cloudtrail: missing time (eventTime)"}]}`,
			"AWSCloudTrail:1 IngestionErrors:1"},
		{"url clicks as ndjson", call{"POST", "/api/v1/ingest/format/url-click",
			`{"TimeOfClick":"2024-03-10T10:11:59","UserId":"a@contoso.com","URL":"https://x.example","UrlClickAction":2}` + "\n" + `{"oops"` + "\n", bearerAuth}, 200,
			`{"accepted":1,"rejected":1,"errors":[{"row":1,"line":2,"offset":108,"reason":"url-click: json: unexpected end of input"}]}`,
			"IngestionErrors:1 UrlClickEvents:1"},
		{"unknown format", call{"POST", "/api/v1/ingest/format/nope", "{}", bearerAuth}, 404,
			`{"error":{"code":"unknownFormat","message":"unknown format nope; known formats: auditd, cloudtrail, email-trace, entra-audit, entra-signin, github-audit, o365-audit, okta, suricata-eve, url-click, zeek, evtx-json, nxlog, winevent-json, winevent-xml, winlogbeat"}}`, ""},
		{"windows event xml", call{"POST", "/api/v1/ingest/format/winevent-xml", winXMLSysmon1 + "\n<Event><System>", bearerAuth}, 200,
			`{"accepted":1,"rejected":1,"errors":[{"row":1,"line":2,"offset":` + fmt.Sprint(len(winXMLSysmon1)+1) + `,"reason":"winevent-xml: `,
			"DeviceProcessEvents:1 IngestionErrors:1"},
		{"no key", call{"POST", "/api/v1/ingest/format/cloudtrail", trail, nil}, 401,
			`prefix:{"error":{"code":"unauthorized"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pub := newFormatTestServer(t)
			rec := s.call(tt.c)
			body := strings.TrimSpace(rec.Body.String())
			if p, ok := strings.CutPrefix(tt.body, "prefix:"); ok && strings.HasPrefix(body, p) {
				body = tt.body // the auth layer owns the message
			}
			if strings.HasSuffix(tt.body, `: `) && strings.HasPrefix(body, tt.body) {
				body = tt.body // the parser owns the reason
			}
			if rec.Code != tt.status || body != tt.body {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.body)
			}
			if got := pub.tables(); got != tt.tables {
				t.Errorf("published %q, want %q", got, tt.tables)
			}
		})
	}
	s, pub := newFormatTestServer(t)
	s.call(call{"POST", "/api/v1/ingest/format/cloudtrail", trail, bearerAuth})
	if got := strings.Join(pub.col("IngestionErrors", "Reason"), "|"); got != "cloudtrail: missing time (eventTime)" {
		t.Errorf("IngestionErrors.Reason = %q", got)
	}
	if got := strings.Join(pub.col("IngestionErrors", "RawData"), "|"); got != `{"eventName":"x"}` {
		t.Errorf("IngestionErrors.RawData = %q", got)
	}
	if got := strings.Join(pub.col("AWSCloudTrail", "UserIdentityUserName"), "|"); got != "alice" {
		t.Errorf("AWSCloudTrail.UserIdentityUserName = %q", got)
	}
}

// newFormatTestServer is newTestServer with the route permissions in force.
func newFormatTestServer(t *testing.T) (*Server, *memPub) {
	s, pub := newTestServer(t)
	s.perms = routePermissions()
	return s, pub
}

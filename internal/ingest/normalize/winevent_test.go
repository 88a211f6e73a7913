package normalize

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func newTestWinMapper(t testing.TB) *WinMapper {
	t.Helper()
	m, err := NewWinMapper(schema.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// winXML writes an event the way `wevtutil qe /f:xml` renders it.
func winXML(provider, guid, channel string, id, version, level, task int, kw, sysTime string, rec, pid, tid int, computer, user string, data ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='%s' Guid='%s'/>`+
		`<EventID>%d</EventID><Version>%d</Version><Level>%d</Level><Task>%d</Task><Opcode>0</Opcode><Keywords>%s</Keywords>`+
		`<TimeCreated SystemTime='%s'/><EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID='%d' ThreadID='%d'/>`+
		`<Channel>%s</Channel><Computer>%s</Computer><Security UserID='%s'/></System><EventData>`,
		provider, guid, id, version, level, task, kw, sysTime, rec, pid, tid, channel, computer, user)
	for i := 0; i+1 < len(data); i += 2 {
		fmt.Fprintf(&b, `<Data Name='%s'>%s</Data>`, data[i], data[i+1])
	}
	b.WriteString(`</EventData></Event>`)
	return b.String()
}

func sysmonXML(id, task int, sysTime string, rec int, data ...string) string {
	return winXML("Microsoft-Windows-Sysmon", "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}", SysmonChannel, id, 5, 4, task,
		"0x8000000000000000", sysTime, rec, 3216, 4412, "WS-0142.corp.contoso.com", "S-1-5-18", data...)
}

func securityXML(id, version, task int, kw, sysTime string, rec int, data ...string) string {
	return winXML("Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-a5ba-3e3b0328c30d}", "Security", id, version, 0, task,
		kw, sysTime, rec, 684, 9380, "DC01.corp.contoso.com", "", data...)
}

// mapOne parses XML and maps it, failing on errors.
func mapOne(t *testing.T, m *WinMapper, x string) []Record {
	t.Helper()
	ev, err := ParseWinEventXML([]byte(x))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	recs := m.Map(&ev)
	for _, r := range recs {
		checkRecord(t, r)
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Table.Name, r.Err)
		}
	}
	return recs
}

// checkCells compares a row with want exactly (every non-null column).
func checkCells(t *testing.T, rec Record, want map[string]any) {
	t.Helper()
	got := cells(rec.Table, rec.Row)
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s.%s = %#v, want %#v", rec.Table.Name, k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s = %#v", rec.Table.Name, k, v)
		}
	}
}

// checkSome compares only the columns in want.
func checkSome(t *testing.T, rec Record, want map[string]any) {
	t.Helper()
	got := cells(rec.Table, rec.Row)
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s.%s = %#v, want %#v", rec.Table.Name, k, got[k], v)
		}
	}
}

// logon4624 is a 4624 (version 2) for a network logon with NTLM, as a member server logs it.
var logon4624 = securityXML(4624, 2, 12544, "0x8020000000000000", "2024-03-10T11:00:00.1234567Z", 581204,
	"SubjectUserSid", "S-1-0-0", "SubjectUserName", "-", "SubjectDomainName", "-", "SubjectLogonId", "0x0",
	"TargetUserSid", "S-1-5-21-3623811015-3361044348-30300820-1104", "TargetUserName", "alice",
	"TargetDomainName", "CONTOSO", "TargetLogonId", "0x8f2a1c4", "LogonType", "3", "LogonProcessName", "NtLmSsp ",
	"AuthenticationPackageName", "NTLM", "WorkstationName", "WS-0142", "LogonGuid", "{00000000-0000-0000-0000-000000000000}",
	"TransmittedServices", "-", "LmPackageName", "NTLM V2", "KeyLength", "128", "ProcessId", "0x0", "ProcessName", "-",
	"IpAddress", "10.20.30.42", "IpPort", "50811", "ImpersonationLevel", "%%1833", "RestrictedAdminMode", "-",
	"TargetOutboundUserName", "-", "TargetOutboundDomainName", "-", "VirtualAccount", "%%1843",
	"TargetLinkedLogonId", "0x0", "ElevatedToken", "%%1842")

func TestWinEventForms(t *testing.T) {
	want := WinEvent{
		Channel: "Security", Provider: "Microsoft-Windows-Security-Auditing", EventID: 4624, Version: 2, Task: 12544,
		Keywords: "0x8020000000000000", Time: at(2024, 3, 10, 11, 0, 0, 123456700), Computer: "DC01.corp.contoso.com",
		RecordID: 581204, ProcessID: 684, ThreadID: 9380,
		Data: []WinData{{"SubjectUserSid", "S-1-5-18"}, {"TargetUserName", "alice"}, {"LogonType", "3"}, {"IpAddress", "10.20.30.42"}},
	}
	tests := []struct {
		name, in string
		form     WinJSONForm
		adjust   func(*WinEvent)
	}{{
		name: "winlogbeat 8",
		in: `{"@timestamp":"2024-03-10T11:00:00.1234567Z","event":{"code":"4624","kind":"event"},"host":{"name":"dc01"},` +
			`"winlog":{"channel":"Security","computer_name":"DC01.corp.contoso.com","event_data":{"SubjectUserSid":"S-1-5-18",` +
			`"TargetUserName":"alice","LogonType":"3","IpAddress":"10.20.30.42"},"event_id":"4624","keywords":["Audit Success"],` +
			`"opcode":"Info","process":{"pid":684,"thread":{"id":9380}},"provider_guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}",` +
			`"provider_name":"Microsoft-Windows-Security-Auditing","record_id":581204,"task":"Logon","version":2},"log":{"level":"information"}}`,
		form: WinJSONWinlogbeat,
		adjust: func(e *WinEvent) {
			e.Task, e.Keywords, e.KeywordName, e.LevelName = 0, "", "Audit Success", "information"
		},
	}, {
		name: "nxlog im_msvistalog to_json",
		in: `{"EventTime":"2024-03-10 11:00:00.1234567","Hostname":"DC01.corp.contoso.com","Keywords":-9214364837600034816,` +
			`"EventType":"AUDIT_SUCCESS","SeverityValue":2,"Severity":"INFO","EventID":4624,"SourceName":"Microsoft-Windows-Security-Auditing",` +
			`"ProviderGuid":"{54849625-5478-4994-A5BA-3E3B0328C30D}","Version":2,"Task":12544,"OpcodeValue":0,"RecordNumber":581204,` +
			`"ExecutionProcessID":684,"ExecutionThreadID":9380,"Channel":"Security","Message":"An account was successfully logged on.",` +
			`"Category":"Logon","Opcode":"Info","SubjectUserSid":"S-1-5-18","TargetUserName":"alice","LogonType":"3",` +
			`"IpAddress":"10.20.30.42","EventReceivedTime":"2024-03-10 11:00:01","SourceModuleName":"eventlog","SourceModuleType":"im_msvistalog"}`,
		form:   WinJSONNXLog,
		adjust: func(e *WinEvent) { e.KeywordName, e.LevelName = "AUDIT_SUCCESS", "INFO" },
	}, {
		name: "evtx_dump JSON (#attributes)",
		in: `{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":` +
			`{"Name":"Microsoft-Windows-Security-Auditing","Guid":"54849625-5478-4994-A5BA-3E3B0328C30D"}},"EventID":4624,"Version":2,` +
			`"Level":0,"Task":12544,"Opcode":0,"Keywords":"0x8020000000000000","TimeCreated":{"#attributes":{"SystemTime":"2024-03-10T11:00:00.123456700Z"}},` +
			`"EventRecordID":581204,"Correlation":null,"Execution":{"#attributes":{"ProcessID":684,"ThreadID":9380}},"Channel":"Security",` +
			`"Computer":"DC01.corp.contoso.com","Security":null},"EventData":{"SubjectUserSid":"S-1-5-18","TargetUserName":"alice","LogonType":3,"IpAddress":"10.20.30.42"}}}`,
		form: WinJSONEvtx,
	}, {
		name: "xmltodict JSON (@attributes, Data list)",
		in: `{"Event":{"@xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"Provider":{"@Name":"Microsoft-Windows-Security-Auditing"},` +
			`"EventID":"4624","Version":"2","Level":"0","Task":"12544","Opcode":"0","Keywords":"0x8020000000000000",` +
			`"TimeCreated":{"@SystemTime":"2024-03-10T11:00:00.1234567Z"},"EventRecordID":"581204","Execution":{"@ProcessID":"684","@ThreadID":"9380"},` +
			`"Channel":"Security","Computer":"DC01.corp.contoso.com"},"EventData":{"Data":[{"@Name":"SubjectUserSid","#text":"S-1-5-18"},` +
			`{"@Name":"TargetUserName","#text":"alice"},{"@Name":"LogonType","#text":"3"},{"@Name":"IpAddress","#text":"10.20.30.42"}]}}}`,
		form: WinJSONAuto,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWinEventJSON([]byte(tt.in), tt.form)
			if err != nil {
				t.Fatal(err)
			}
			w := want
			if tt.adjust != nil {
				tt.adjust(&w)
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("\n got %+v\nwant %+v", got, w)
			}
		})
	}
	t.Run("xml", func(t *testing.T) {
		x := securityXML(4624, 2, 12544, "0x8020000000000000", "2024-03-10T11:00:00.1234567Z", 581204,
			"SubjectUserSid", "S-1-5-18", "TargetUserName", "alice", "LogonType", "3", "IpAddress", "10.20.30.42")
		got, err := ParseWinEventXML([]byte(x))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestWinEventErrors(t *testing.T) {
	xmlTests := []struct{ in, want string }{
		{`<Event><System><EventID>x</EventID></System></Event>`, `EventID "x" is not a number`},
		{`<Event><System><EventID>1</EventID></System></Event>`, `missing event time`},
		{`<Event><System><EventID>1</EventID><TimeCreated SystemTime='yesterday'/></System></Event>`, `event time "yesterday" is not a timestamp`},
		{`<Event><System><EventID>1</EventID>`, `xml: XML syntax error on line 1: unexpected EOF`},
		{`<Events/>`, `root element is <Events>, want <Event>`},
		{`<Event><System><EventID></EventID></System></Event>`, `missing EventID`},
	}
	for _, tt := range xmlTests {
		if _, err := ParseWinEventXML([]byte(tt.in)); err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %s", tt.in, err, tt.want)
		}
	}
	jsonTests := []struct {
		in   string
		form WinJSONForm
		want string
	}{
		{`{"winlog":{"event_id":4624}}`, WinJSONAuto, `winlogbeat: missing event time`},
		{`{"EventID":"abc","EventTime":"2024-03-10 11:00:00"}`, WinJSONNXLog, `nxlog: EventID "abc" is not a number`},
		{`{"Event":{}}`, WinJSONEvtx, `evtx-json: no Event.System object`},
		{`{"foo":1}`, WinJSONAuto, `not a Windows event: no winlog, Event or EventID member`},
		{`{"EventID":1}`, WinJSONWinlogbeat, `winlogbeat: no winlog object`},
		{`{"EventID":1`, WinJSONAuto, `json: unexpected EOF`},
		{`[1]`, WinJSONAuto, `json: not an object`},
		{`{"a":1} {}`, WinJSONAuto, `json: text after the object`},
	}
	for _, tt := range jsonTests {
		if _, err := ParseWinEventJSON([]byte(tt.in), tt.form); err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %s", tt.in, err, tt.want)
		}
	}
}

func TestSplitWinEventXML(t *testing.T) {
	a := `<Event xmlns="x"><System/></Event>`
	in := "<?xml version=\"1.0\"?>\n<Events>\n" + a + "\n<Event><System><EventID>2</EventID>\n" + a + "</Events>\n<EventData/>"
	got := SplitWinEventXML([]byte(in))
	var offs []int
	var texts []string
	for _, c := range got {
		offs = append(offs, c.Offset)
		texts = append(texts, string(c.Data))
	}
	want := []string{a, "<Event><System><EventID>2</EventID>\n", a}
	if !reflect.DeepEqual(texts, want) || !reflect.DeepEqual(offs, []int{31, 66, 102}) {
		t.Errorf("got %q at %v", texts, offs)
	}
}

func TestUnmappedToWindowsEvent(t *testing.T) {
	m := newTestWinMapper(t)
	x := winXML("Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}", "System", 7045, 0, 4, 0, "0x8080000000000000",
		"2024-03-10T11:05:00.5Z", 90211, 712, 2230, "WS-0142.corp.contoso.com", "S-1-5-21-1-2-3-500",
		"ServiceName", "PSEXESVC", "ImagePath", `%SystemRoot%\PSEXESVC.exe`, "ServiceType", "user mode service",
		"StartType", "demand start", "AccountName", "LocalSystem")
	recs := mapOne(t, m, x)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	checkCells(t, recs[0], map[string]any{
		"TimeGenerated": at(2024, 3, 10, 11, 5, 0, 500000000), "Channel": "System", "Computer": "WS-0142.corp.contoso.com",
		"Provider": "Service Control Manager", "EventID": int32(7045), "EventLevel": int32(4), "EventLevelName": "Information",
		"Version": int32(0), "Task": int32(0), "Opcode": "0", "Keywords": "0x8080000000000000", "EventRecordId": "90211",
		"SystemProcessId": int32(712), "SystemThreadId": int32(2230), "SystemUserId": "S-1-5-21-1-2-3-500",
		"EventData": schema.Dynamic(`{"ServiceName":"PSEXESVC","ImagePath":"%SystemRoot%\\PSEXESVC.exe","ServiceType":"user mode service","StartType":"demand start","AccountName":"LocalSystem"}`),
	})
	// A Sysmon event id without a Defender table keeps its channel in WindowsEvent.
	// Sysmon event ids without a Defender equivalent keep their channel in WindowsEvent.
	for _, tt := range []struct {
		id   int
		data []string
	}{
		{4, []string{"UtcTime", "2024-03-10 11:05:59.998", "State", "Started", "Version", "15.15", "SchemaVersion", "4.90"}},
		{9, []string{"RuleName", "-", "UtcTime", "2024-03-10 11:05:59.998", "ProcessGuid", "{x}", "ProcessId", "4242", "Image", `C:\x.exe`, "Device", `\Device\HarddiskVolume2`, "User", `CONTOSO\alice`}},
		{16, []string{"UtcTime", "2024-03-10 11:05:59.998", "Configuration", `C:\sysmon.xml`, "ConfigurationFileHash", "SHA256=AB"}},
		{24, []string{"RuleName", "-", "UtcTime", "2024-03-10 11:05:59.998", "ProcessId", "4242", "Image", `C:\x.exe`, "Session", "1", "ClientInfo", "user: alice", "Hashes", "SHA1=AB", "Archived", "false"}},
		{27, []string{"RuleName", "-", "UtcTime", "2024-03-10 11:05:59.998", "ProcessId", "4242", "User", `CONTOSO\alice`, "Image", `C:\x.exe`, "TargetFilename", `C:\Users\alice\a.exe`, "Hashes", "SHA1=AB"}},
		{28, []string{"UtcTime", "2024-03-10 11:05:59.998", "ProcessId", "4242", "Image", `C:\x.exe`, "TargetFilename", `C:\a.exe`, "IsExecutable", "true"}},
		{29, []string{"UtcTime", "2024-03-10 11:05:59.998", "ProcessId", "4242", "Image", `C:\x.exe`, "TargetFilename", `C:\a.exe`, "Hashes", "SHA1=AB"}},
		{255, []string{"UtcTime", "2024-03-10 11:05:59.998", "ID", "DriverCommunication", "Description", "Failed to open service configuration with error 5"}},
	} {
		recs = mapOne(t, m, sysmonXML(tt.id, tt.id, "2024-03-10T11:06:00Z", 7, tt.data...))
		if len(recs) != 1 || recs[0].Table.Name != "WindowsEvent" {
			t.Fatalf("sysmon %d -> %v", tt.id, recs)
		}
		want := map[string]any{"EventID": int32(tt.id), "Channel": SysmonChannel, "EventData": schema.Dynamic(jsonObject(winDataOf(tt.data...)))}
		for col, w := range want {
			i, _ := recs[0].Table.Column(col)
			if got := recs[0].Row[i]; got != w {
				t.Errorf("sysmon %d: %s = %v, want %v", tt.id, col, got, w)
			}
		}
	}
}

func winDataOf(kv ...string) []WinData {
	var out []WinData
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, WinData{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestWinMapperTables(t *testing.T) {
	m := newTestWinMapper(t)
	if n := len(m.sysmon); n < 14 {
		t.Errorf("%d Sysmon event ids mapped", n)
	}
	if n := len(m.sec); n < 150 {
		t.Errorf("%d SecurityEvent columns fillable from event data, want 150+", n)
	}
	for _, name := range []string{"TargetUserName", "IpAddress", "LogonType", "CommandLine", "NewProcessName", "SubStatus"} {
		if _, ok := m.sec[name]; !ok {
			t.Errorf("SecurityEvent data field %s is not mapped", name)
		}
	}
}

func fmtSscan(s string, id *int) (int, error) { return fmt.Sscan(s, id) }

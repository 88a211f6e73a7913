package sigma

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// matchCase is one rule and events with the rows it must match. The same table drives the
// stream matcher test and the KQL agreement test.
type matchCase struct {
	name  string
	ls    string // logsource YAML; process_creation when empty
	det   string // the detection block, indented by four spaces
	table string // DeviceProcessEvents when empty
	rows  []map[string]schema.Value
	want  []int
	vars  map[string][]string
}

type row = map[string]schema.Value

func proc(cmd string, extra ...any) row {
	r := row{"FolderPath": `C:\Windows\System32\cmd.exe`, "ProcessCommandLine": cmd}
	for i := 0; i+1 < len(extra); i += 2 {
		r[extra[i].(string)] = extra[i+1]
	}
	return r
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func wideB64(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return base64.StdEncoding.EncodeToString(b)
}

var matchCases = []matchCase{
	{name: "eq case-insensitive", det: "    sel:\n      CommandLine: 'WHOAMI /ALL'\n    condition: sel",
		rows: []row{proc("whoami /all"), proc("whoami /all x"), proc("")}, want: []int{0}},
	{name: "eq list is or", det: "    sel:\n      CommandLine: ['a', 'b']\n    condition: sel",
		rows: []row{proc("a"), proc("b"), proc("c")}, want: []int{0, 1}},
	{name: "contains", det: "    sel:\n      CommandLine|contains: 'MimiKatz'\n    condition: sel",
		rows: []row{proc("x mimikatz.exe y"), proc("mimi katz")}, want: []int{0}},
	{name: "contains all", det: "    sel:\n      CommandLine|contains|all: ['sekurlsa', 'logonpasswords']\n    condition: sel",
		rows: []row{proc("sekurlsa::logonpasswords"), proc("sekurlsa::tickets")}, want: []int{0}},
	{name: "startswith", det: "    sel:\n      CommandLine|startswith: 'net '\n    condition: sel",
		rows: []row{proc("NET user"), proc("xnet user")}, want: []int{0}},
	{name: "endswith", det: "    sel:\n      Image|endswith: '\\cmd.exe'\n    condition: sel",
		rows: []row{proc("x"), {"FolderPath": `C:\x\notcmd.exe`}}, want: []int{0}},
	{name: "wildcard star", det: "    sel:\n      CommandLine: 'copy * \\\\*'\n    condition: sel",
		rows: []row{proc(`copy a.txt \\srv\c$`), proc(`copy a.txt c:\x`)}, want: []int{0}},
	{name: "wildcard question", det: "    sel:\n      CommandLine: 'ab?d'\n    condition: sel",
		rows: []row{proc("abcd"), proc("abd"), proc("abccd")}, want: []int{0}},
	{name: "escaped wildcard", det: "    sel:\n      CommandLine|contains: 'a\\*b'\n    condition: sel",
		rows: []row{proc("xa*by"), proc("xazzby")}, want: []int{0}},
	{name: "contains wildcard", det: "    sel:\n      CommandLine|contains: 'invoke-*mimikatz'\n    condition: sel",
		rows: []row{proc("IEX; Invoke-Mimikatz"), proc("invoke-x mimikatz"), proc("mimikatz invoke-")}, want: []int{0, 1}},
	{name: "re", det: "    sel:\n      CommandLine|re: '^cmd\\.exe /c [a-z]+$'\n    condition: sel",
		rows: []row{proc("cmd.exe /c whoami"), proc("CMD.EXE /c whoami"), proc("cmd.exe /c who ami")}, want: []int{0}},
	{name: "re i flag", det: "    sel:\n      CommandLine|re|i: '^cmd\\.exe'\n    condition: sel",
		rows: []row{proc("CMD.EXE /c"), proc("x cmd.exe")}, want: []int{0}},
	{name: "re s m flags", det: "    sel:\n      CommandLine|re|s|m: '^b.c$'\n    condition: sel",
		rows: []row{proc("a\nb\nc"), proc("b\nc x")}, want: []int{0}},
	{name: "base64", det: "    sel:\n      CommandLine|base64|contains: 'whoami'\n    condition: sel",
		rows: []row{proc("powershell -e " + b64("whoami")), proc("whoami")}, want: []int{0}},
	{name: "base64offset", det: "    sel:\n      CommandLine|base64offset|contains: 'http://'\n    condition: sel",
		rows: []row{proc("x " + b64("http://evil")), proc("x " + b64("a http://evil")), proc("x " + b64("ab http://evil")), proc("http://")}, want: []int{0, 1, 2}},
	{name: "wide base64offset", det: "    sel:\n      CommandLine|wide|base64offset|contains: 'IEX'\n    condition: sel",
		rows: []row{proc("powershell -enc " + wideB64("IEX (New-Object)")), proc("powershell -enc " + wideB64("x IEX")), proc("IEX")}, want: []int{0, 1}},
	{name: "utf16le base64", det: "    sel:\n      CommandLine|utf16le|base64|contains: 'ab'\n    condition: sel",
		rows: []row{proc(wideB64("ab")), proc(b64("ab"))}, want: []int{0}},
	{name: "windash", det: "    sel:\n      CommandLine|windash|contains: ' -exec bypass'\n    condition: sel",
		rows: []row{proc("ps -exec bypass"), proc("ps /exec bypass"), proc("ps \u2013exec bypass"), proc("ps exec bypass")}, want: []int{0, 1, 2}},
	{name: "cidr", ls: "{product: windows, category: network_connection}", table: "DeviceNetworkEvents",
		det:  "    sel:\n      DestinationIp|cidr: ['10.0.0.0/8', '192.168.0.0/16']\n    condition: sel",
		rows: []row{{"RemoteIP": "10.1.2.3"}, {"RemoteIP": "192.168.9.9"}, {"RemoteIP": "8.8.8.8"}, {"RemoteIP": "x"}}, want: []int{0, 1}},
	{name: "lt gt", ls: "{product: windows, category: network_connection}", table: "DeviceNetworkEvents",
		det:  "    low:\n      DestinationPort|lt: 1024\n    high:\n      DestinationPort|gte: 8080\n    condition: low or high",
		rows: []row{{"RemotePort": int32(443)}, {"RemotePort": int32(8080)}, {"RemotePort": int32(3000)}, {"RemoteIP": "1.1.1.1"}}, want: []int{0, 1}},
	{name: "lte gt", ls: "{product: windows, category: network_connection}", table: "DeviceNetworkEvents",
		det:  "    sel:\n      DestinationPort|lte: 22\n      SourcePort|gt: 50000\n    condition: sel",
		rows: []row{{"RemotePort": int32(22), "LocalPort": int32(50001)}, {"RemotePort": int32(23), "LocalPort": int32(60000)}, {"RemotePort": int32(22), "LocalPort": int32(50000)}}, want: []int{0}},
	{name: "exists", det: "    sel:\n      CurrentDirectory|exists: true\n    condition: sel",
		rows: []row{proc("a", "AdditionalFields", `{"CurrentDirectory":"C:\\"}`), proc("b", "AdditionalFields", `{"X":1}`), proc("c")}, want: []int{0}},
	{name: "exists false", det: "    sel:\n      OriginalFileName|exists: false\n    condition: sel",
		rows: []row{proc("a", "ProcessVersionInfoOriginalFileName", "cmd.exe"), proc("b")}, want: []int{1}},
	{name: "null", det: "    sel:\n      OriginalFileName: null\n    condition: sel",
		rows: []row{proc("a", "ProcessVersionInfoOriginalFileName", "cmd.exe"), proc("b"), proc("c", "ProcessVersionInfoOriginalFileName", "")}, want: []int{1, 2}},
	{name: "empty string", det: "    sel:\n      OriginalFileName: ''\n    condition: sel",
		rows: []row{proc("a", "ProcessVersionInfoOriginalFileName", "x"), proc("b")}, want: []int{1}},
	{name: "cased", det: "    sel:\n      CommandLine|cased|contains: 'Invoke'\n    condition: sel",
		rows: []row{proc("Invoke-X"), proc("invoke-x")}, want: []int{0}},
	{name: "cased eq", det: "    sel:\n      CommandLine|cased: 'ABC'\n    condition: sel",
		rows: []row{proc("ABC"), proc("abc")}, want: []int{0}},
	{name: "expand", det: "    sel:\n      Image|expand: '%systemroot%\\cmd.exe'\n    condition: sel",
		vars: map[string][]string{"systemroot": {`C:\Windows\System32`, `C:\Windows\SysWOW64`}},
		rows: []row{proc("x"), {"FolderPath": `C:\Windows\SysWOW64\cmd.exe`}, {"FolderPath": `D:\cmd.exe`}}, want: []int{0, 1}},
	{name: "fieldref", det: "    sel:\n      Image|fieldref: ParentImage\n    condition: sel",
		rows: []row{proc("x", "InitiatingProcessFolderPath", `C:\WINDOWS\System32\cmd.exe`), proc("y", "InitiatingProcessFolderPath", `C:\x.exe`)}, want: []int{0}},
	{name: "numeric value", det: "    sel:\n      ProcessId: 4\n    condition: sel",
		rows: []row{proc("a", "ProcessId", int64(4)), proc("b", "ProcessId", int64(44))}, want: []int{0}},
	{name: "user domain", det: "    sel:\n      User|contains: ['AUTHORI', 'AUTORI']\n    condition: sel",
		rows: []row{proc("a", "AccountDomain", "NT AUTHORITY", "AccountName", "SYSTEM"), proc("b", "AccountName", "alice")}, want: []int{0}},
	{name: "user equals domain backslash name", det: "    sel:\n      User: 'CORP\\alice'\n    condition: sel",
		rows: []row{proc("a", "AccountDomain", "corp", "AccountName", "Alice"), proc("b", "AccountName", "alice")}, want: []int{0}},
	{name: "hashes", det: "    sel:\n      Hashes|contains: ['SHA256=AABB', 'IMPHASH=1234']\n    condition: sel",
		rows: []row{proc("a", "SHA256", "aabbcc"), proc("b", "AdditionalFields", `{"Hashes":"SHA1=x,IMPHASH=12345"}`), proc("c", "SHA256", "ccdd")}, want: []int{0, 1}},
	{name: "additional field", det: "    sel:\n      CurrentDirectory|endswith: '\\temp\\'\n    condition: sel",
		rows: []row{proc("a", "AdditionalFields", `{"CurrentDirectory":"C:\\Temp\\"}`), proc("b", "AdditionalFields", `{"CurrentDirectory":"C:\\x\\"}`)}, want: []int{0}},
	{name: "list of maps is or", det: "    sel:\n      - CommandLine|contains: aaa\n      - Image|endswith: '\\x.exe'\n    condition: sel",
		rows: []row{proc("aaa"), {"FolderPath": `C:\x.exe`}, proc("b")}, want: []int{0, 1}},
	{name: "map is and", det: "    sel:\n      CommandLine|contains: aaa\n      Image|endswith: '\\x.exe'\n    condition: sel",
		rows: []row{proc("aaa"), {"FolderPath": `C:\x.exe`, "ProcessCommandLine": "aaa"}}, want: []int{1}},
	{name: "and or not parentheses", det: "    a:\n      CommandLine|contains: a1\n    b:\n      CommandLine|contains: b1\n    c:\n      CommandLine|contains: c1\n    condition: a and (b or c) and not (a and b and c)",
		rows: []row{proc("a1 b1"), proc("a1 c1"), proc("a1 b1 c1"), proc("b1 c1")}, want: []int{0, 1}},
	{name: "1 of pattern", det: "    sel_a:\n      CommandLine|contains: a1\n    sel_b:\n      CommandLine|contains: b1\n    other:\n      CommandLine|contains: zz\n    condition: 1 of sel_*",
		rows: []row{proc("a1"), proc("b1"), proc("zz")}, want: []int{0, 1}},
	{name: "all of pattern", det: "    sel_a:\n      CommandLine|contains: a1\n    sel_b:\n      CommandLine|contains: b1\n    condition: all of sel_*",
		rows: []row{proc("a1"), proc("a1 b1")}, want: []int{1}},
	{name: "any of them", det: "    x:\n      CommandLine|contains: a1\n    y:\n      CommandLine|contains: b1\n    condition: any of them",
		rows: []row{proc("a1"), proc("b1"), proc("c1")}, want: []int{0, 1}},
	{name: "all of them", det: "    x:\n      CommandLine|contains: a1\n    y:\n      CommandLine|contains: b1\n    condition: all of them",
		rows: []row{proc("a1"), proc("a1 b1")}, want: []int{1}},
	{name: "2 of pattern", det: "    s1:\n      CommandLine|contains: a1\n    s2:\n      CommandLine|contains: b1\n    s3:\n      CommandLine|contains: c1\n    condition: 2 of s*",
		rows: []row{proc("a1"), proc("a1 c1"), proc("b1 c1 a1")}, want: []int{1, 2}},
	{name: "not 1 of", det: "    sel:\n      Image|endswith: '\\cmd.exe'\n    filter_a:\n      CommandLine|contains: a1\n    filter_b:\n      CommandLine|contains: b1\n    condition: sel and not 1 of filter_*",
		rows: []row{proc("a1"), proc("x"), proc("b1")}, want: []int{1}},
	{name: "condition list", det: "    a:\n      CommandLine: a1\n    b:\n      CommandLine: b1\n    condition:\n      - a\n      - b",
		rows: []row{proc("a1"), proc("b1"), proc("c1")}, want: []int{0, 1}},
	{name: "keywords", ls: "{product: linux, service: sshd}", table: "Syslog",
		det:  "    keywords:\n      - 'Failed password'\n      - 'Invalid user'\n    condition: keywords",
		rows: []row{{"ProcessName": "sshd", "SyslogMessage": "failed password for root"}, {"ProcessName": "sshd", "SyslogMessage": "Accepted"}, {"ProcessName": "cron", "SyslogMessage": "Failed password"}}, want: []int{0}},
	{name: "auditd kv", ls: "{product: linux, service: auditd}", table: "Syslog",
		det:  "    sel:\n      type: EXECVE\n      a0: 'nc'\n    condition: sel",
		rows: []row{{"SyslogMessage": `type=EXECVE msg=audit(1): argc=3 a0="nc" a1="-l"`}, {"SyslogMessage": `type=EXECVE msg=audit(1): argc=3 a0="ncat"`}, {"SyslogMessage": `type=SYSCALL a0=nc`}}, want: []int{0}},
	{name: "security xml", ls: "{product: windows, service: security}", table: "SecurityEvent",
		det: "    sel:\n      EventID: 4769\n      TicketEncryptionType: '0x17'\n      TargetUserName|endswith: '$'\n    condition: sel",
		rows: []row{
			{"EventID": int32(4769), "TargetUserName": "svc", "EventData": `<EventData><Data Name="TicketEncryptionType">0x17</Data></EventData>`},
			{"EventID": int32(4769), "TargetUserName": "pc$", "EventData": `<EventData><Data Name="TicketEncryptionType">0x17</Data></EventData>`},
			{"EventID": int32(4769), "TargetUserName": "pc$", "EventData": `<EventData><Data Name="TicketEncryptionType">0x12</Data></EventData>`}},
		want: []int{1}},
	{name: "ps_script", ls: "{product: windows, category: ps_script}", table: "WindowsEvent",
		det:  "    sel:\n      ScriptBlockText|contains: 'Invoke-Expression'\n    condition: sel",
		rows: []row{{"EventID": int32(4104), "EventData": schema.Dynamic(`{"ScriptBlockText":"invoke-expression $x"}`)}, {"EventID": int32(4103), "EventData": schema.Dynamic(`{"ScriptBlockText":"invoke-expression $x"}`)}}, want: []int{0}},
	{name: "registry set", ls: "{product: windows, category: registry_set}", table: "DeviceRegistryEvents",
		det: "    sel:\n      TargetObject|startswith: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run'\n      Details: 'DWORD (0x00000001)'\n    condition: sel",
		rows: []row{
			{"ActionType": "RegistryValueSet", "RegistryKey": `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "RegistryValueName": "evil", "RegistryValueData": "1"},
			{"ActionType": "RegistryKeyCreated", "RegistryKey": `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "RegistryValueData": "1"},
			{"ActionType": "RegistryValueSet", "RegistryKey": `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "RegistryValueName": "evil", "RegistryValueData": "0"}},
		want: []int{0}},
	{name: "network initiated enum", ls: "{product: windows, category: network_connection}", table: "DeviceNetworkEvents",
		det:  "    sel:\n      Initiated: 'true'\n      DestinationPort: 4444\n    condition: sel",
		rows: []row{{"ActionType": "ConnectionSuccess", "RemotePort": int32(4444)}, {"ActionType": "InboundConnectionAccepted", "RemotePort": int32(4444)}}, want: []int{0}},
	{name: "signin", ls: "{product: azure, service: signinlogs}", table: "SigninLogs",
		det:  "    sel:\n      ResultType: 50126\n      Status.errorCode: 50126\n    condition: sel",
		rows: []row{{"ResultType": "50126", "Status": schema.Dynamic(`{"errorCode":50126}`)}, {"ResultType": "0", "Status": schema.Dynamic(`{"errorCode":0}`)}}, want: []int{0}},
	{name: "cloudtrail", ls: "{product: aws, service: cloudtrail}", table: "AWSCloudTrail",
		det:  "    sel:\n      eventSource: iam.amazonaws.com\n      eventName: CreateAccessKey\n      requestParameters.userName|startswith: 'adm'\n    condition: sel",
		rows: []row{{"EventSource": "iam.amazonaws.com", "EventName": "CreateAccessKey", "RequestParameters": `{"userName":"admin"}`}, {"EventSource": "iam.amazonaws.com", "EventName": "CreateAccessKey", "RequestParameters": `{"userName":"bob"}`}}, want: []int{0}},
	{name: "many contains grouped", det: "    sel:\n      CommandLine|contains:\n" + manyValues(12) + "    condition: sel",
		rows: []row{proc("xx value7 yy"), proc("valu"), proc("VALUE11")}, want: []int{0, 2}},
}

func manyValues(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "        - 'value%d'\n", i)
	}
	return b.String()
}

// ruleText wraps a case's detection in a full rule.
func (c matchCase) ruleText() string {
	ls := c.ls
	if ls == "" {
		ls = "{product: windows, category: process_creation}"
	}
	return "title: " + c.name + "\nid: case\nstatus: test\nlevel: medium\nlogsource: " + ls + "\ndetection:\n" + c.det + "\n"
}

func (c matchCase) tableName() string {
	if c.table == "" {
		return "DeviceProcessEvents"
	}
	return c.table
}

// classicCases read classic PowerShell events, whose fields are lines of one data value.
var classicCases = []matchCase{
	{name: "ps classic kvline", ls: "{product: windows, category: ps_classic_start}", table: "WindowsEvent",
		det: "    sel:\n      HostApplication|contains: '-nop'\n    condition: sel",
		rows: []row{
			{"Channel": "Windows PowerShell", "EventID": int32(400), "EventData": schema.Dynamic(`{"param3":"\tNewEngineState=Available\r\n\tHostApplication=powershell.exe -nop -w hidden\r\n\tEngineVersion=5.1"}`)},
			{"Channel": "Windows PowerShell", "EventID": int32(400), "EventData": schema.Dynamic(`{"param3":"\tHostApplication=powershell.exe\r\n\tEngineVersion=-nop"}`)}},
		want: []int{0}},
}

// keywordCases cover keyword lists with wildcards and with modifiers in a map.
var keywordCases = []matchCase{
	{name: "keyword wildcard", ls: "{product: linux, service: clamav}", table: "Syslog",
		det:  "    keywords:\n      - 'Trojan*FOUND'\n    condition: keywords",
		rows: []row{{"ProcessName": "clamd", "SyslogMessage": "/tmp/x: Trojan.Gen FOUND in file"}, {"ProcessName": "clamd", "SyslogMessage": "FOUND Trojan"}}, want: []int{0}},
	{name: "keyword all in map", ls: "{product: linux, service: auth}", table: "Syslog",
		det:  "    keywords:\n      '|all':\n        - 'pkexec'\n        - 'XAUTHORITY'\n    condition: keywords",
		rows: []row{{"Facility": "auth", "SyslogMessage": "pkexec: XAUTHORITY bad"}, {"Facility": "auth", "SyslogMessage": "pkexec ran"}}, want: []int{0}},
	{name: "sudo kv", ls: "{product: linux, service: sudo}", table: "Syslog",
		det:  "    sel:\n      USER: '#-*'\n    condition: sel",
		rows: []row{{"ProcessName": "sudo", "SyslogMessage": "bob : TTY=pts/0 ; PWD=/home ; USER=#-1 ; COMMAND=/bin/id"}, {"ProcessName": "sudo", "SyslogMessage": "bob : USER=root ; COMMAND=/bin/id"}}, want: []int{0}},
}

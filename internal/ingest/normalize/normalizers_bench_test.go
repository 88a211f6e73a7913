package normalize

import (
	"strings"
	"testing"
)

// Per-normalizer cost (BENCHMARKS.md, "Normalizers: ns/event and allocations"): each benchmark
// maps one body of a source format and reports ns/event, the time per source event, besides
// ns/op and allocations per body.

// benchEvents runs fn, which maps one body of n events, and reports ns/event.
func benchEvents(b *testing.B, size, n int, fn func() error) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}

// benchSyslog parses one syslog line per op.
func benchSyslog(b *testing.B, line string) {
	p := newTestParser(b)
	msg := []byte(line)
	benchEvents(b, len(msg), 1, func() error {
		if rec := p.Parse(msg, "192.0.2.10", testNow); rec.Err != nil {
			return rec.Err
		}
		return nil
	})
}

func BenchmarkNormalizeRFC3164(b *testing.B) {
	benchSyslog(b, "<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2")
}

func BenchmarkNormalizeRFC5424(b *testing.B) {
	benchSyslog(b, `<86>1 2024-03-10T11:59:58.250+00:00 bastion sshd 2231 ID47 [origin ip="192.0.2.10" software="openssh"] `+
		`Accepted publickey for deploy from 198.51.100.4 port 50022 ssh2: ED25519 SHA256:Zm9vYmFy`)
}

func BenchmarkNormalizeCEF(b *testing.B) {
	benchSyslog(b, "<134>Mar 10 11:00:00 fw01 CEF:0|Palo Alto Networks|PAN-OS|10.1.0|end|TRAFFIC|1|rt=Mar 10 2024 11:00:00 GMT "+
		"src=10.0.0.15 dst=203.0.113.80 cs1Label=Rule cs1=allow-web suser=corp\\\\alice spt=52311 dpt=443 proto=TCP act=allow in=5120 out=1840")
}

func BenchmarkNormalizeLEEF(b *testing.B) {
	benchSyslog(b, "<13>Mar 10 10:30:00 qradar LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^dstPort=22^srcBytes=9^usrName=alice^proto=tcp")
}

// sysmonBenchEvents are the Sysmon event classes, as wevtutil renders them.
var sysmonBenchEvents = map[string]string{
	"process": sysmonXML(1, 1, "2024-03-10T11:00:00.151Z", 120034, "RuleName", "-", "UtcTime", "2024-03-10 11:00:00.148",
		"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		"FileVersion", "10.0.19041.3996", "Description", "Windows PowerShell", "Product", "Microsoft Windows Operating System",
		"Company", "Microsoft Corporation", "OriginalFileName", "PowerShell.EXE", "CommandLine", `powershell.exe -nop -w hidden -enc SQBFAFgA`,
		"CurrentDirectory", `C:\Users\alice\`, "User", `CONTOSO\alice`, "LogonGuid", "{9a1c2f3e-8f11-65ed-c43a-2f0000000000}",
		"LogonId", "0x2F3AC4", "TerminalSessionId", "1", "IntegrityLevel", "Medium",
		"Hashes", "SHA1=6CBCE4A295C163791B60FC23D285E6D84F28EE4C,MD5=7353F60B1739074EB17C5F4DDDEFE239,SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C",
		"ParentProcessGuid", "{9a1c2f3e-8f14-65ed-7a00-000000001b00}", "ParentProcessId", "5120", "ParentImage", `C:\Windows\explorer.exe`,
		"ParentCommandLine", `C:\Windows\Explorer.EXE`, "ParentUser", `CONTOSO\alice`),
	"network": sysmonXML(3, 3, "2024-03-10T11:00:02.512Z", 120040, "RuleName", "-", "UtcTime", "2024-03-10 11:00:01.004",
		"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		"User", `CONTOSO\alice`, "Protocol", "tcp", "Initiated", "true", "SourceIsIpv6", "false", "SourceIp", "10.20.30.42",
		"SourceHostname", "WS-0142.corp.contoso.com", "SourcePort", "51544", "SourcePortName", "-", "DestinationIsIpv6", "false",
		"DestinationIp", "185.199.108.133", "DestinationHostname", "cdn-185-199-108-133.github.com", "DestinationPort", "443", "DestinationPortName", "https"),
	"registry": sysmonXML(13, 13, "2024-03-10T11:00:06Z", 120071, "RuleName", "T1060,RunKey", "EventType", "SetValue", "UtcTime", "2024-03-10 11:00:05.900",
		"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", `C:\Windows\System32\reg.exe`,
		"TargetObject", `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\Updater`, "Details", `C:\ProgramData\upd.exe -q`, "User", `CONTOSO\alice`),
	"dns": sysmonXML(22, 22, "2024-03-10T11:00:09Z", 120080, "RuleName", "-", "UtcTime", "2024-03-10 11:00:08.321",
		"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "QueryName", "raw.githubusercontent.com",
		"QueryStatus", "0", "QueryResults", "type:  5 github.map.fastly.net;::ffff:185.199.108.133;::ffff:185.199.109.133;",
		"Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "User", `CONTOSO\alice`),
}

// securityBenchEvents are Security 4624 and 4688 as wevtutil renders them.
var securityBenchEvents = map[string]string{
	"4624": securityXML(4624, 2, 12544, "0x8020000000000000", "2024-03-10T11:00:00.1234567Z", 581204,
		"SubjectUserSid", "S-1-5-18", "SubjectUserName", "DC01$", "SubjectDomainName", "CONTOSO", "SubjectLogonId", "0x3e7",
		"TargetUserSid", "S-1-5-21-3623811015-3361044348-30300820-1104", "TargetUserName", "alice", "TargetDomainName", "CONTOSO",
		"TargetLogonId", "0x8dcdc", "LogonType", "3", "LogonProcessName", "Kerberos", "AuthenticationPackageName", "Kerberos",
		"WorkstationName", "-", "LogonGuid", "{2a6d8c1e-0b7f-4d3a-9e21-6c5b4a392817}", "TransmittedServices", "-",
		"LmPackageName", "-", "KeyLength", "0", "ProcessId", "0x0", "ProcessName", "-", "IpAddress", "10.20.30.42", "IpPort", "51544",
		"ImpersonationLevel", "%%1833", "RestrictedAdminMode", "-", "TargetOutboundUserName", "-", "TargetOutboundDomainName", "-",
		"VirtualAccount", "%%1843", "TargetLinkedLogonId", "0x0", "ElevatedToken", "%%1842"),
	"4688": securityXML(4688, 2, 13312, "0x8020000000000000", "2024-03-10T11:00:01.5Z", 581210,
		"SubjectUserSid", "S-1-5-21-3623811015-3361044348-30300820-1104", "SubjectUserName", "alice", "SubjectDomainName", "CONTOSO",
		"SubjectLogonId", "0x8dcdc", "NewProcessId", "0x1cf4", "NewProcessName", `C:\Windows\System32\cmd.exe`, "TokenElevationType", "%%1938",
		"ProcessId", "0x1400", "CommandLine", `cmd.exe /c whoami /all`, "TargetUserSid", "S-1-0-0", "TargetUserName", "-",
		"TargetDomainName", "-", "TargetLogonId", "0x0", "ParentProcessName", `C:\Windows\explorer.exe`, "MandatoryLabel", "S-1-16-8192"),
}

// benchWin maps n copies of one event in a format per op.
func benchWin(b *testing.B, format, event, sep string, n int) {
	m := newTestWinMapper(b)
	body := []byte(strings.Repeat(event+sep, n))
	items, err := m.Normalize(format, body)
	if err != nil || len(items) != n {
		b.Fatalf("%d items, %v", len(items), err)
	}
	for _, it := range items {
		for _, r := range it.Records {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	benchEvents(b, len(body), n, func() error { _, err := m.Normalize(format, body); return err })
}

func BenchmarkNormalizeWinEventXML(b *testing.B) {
	benchWin(b, WinFormatXML, sysmonBenchEvents["process"], "\n", 100)
}

func BenchmarkNormalizeSysmon(b *testing.B) {
	for _, class := range []string{"process", "network", "registry", "dns"} {
		b.Run(class, func(b *testing.B) { benchWin(b, WinFormatXML, sysmonBenchEvents[class], "\n", 100) })
	}
}

func BenchmarkNormalizeSecurity(b *testing.B) {
	for _, id := range []string{"4624", "4688"} {
		b.Run(id, func(b *testing.B) { benchWin(b, WinFormatXML, securityBenchEvents[id], "\n", 100) })
	}
}

// Windows JSON forms of a Security 4624, as each shipper writes it.
const (
	benchWinlogbeat = `{"@timestamp":"2024-03-10T11:00:00.1234567Z","event":{"code":"4624","kind":"event"},"host":{"name":"dc01"},` +
		`"winlog":{"channel":"Security","computer_name":"DC01.corp.contoso.com","event_data":{"SubjectUserSid":"S-1-5-18",` +
		`"TargetUserName":"alice","TargetDomainName":"CONTOSO","LogonType":"3","IpAddress":"10.20.30.42","IpPort":"51544"},"event_id":"4624","keywords":["Audit Success"],` +
		`"opcode":"Info","process":{"pid":684,"thread":{"id":9380}},"provider_guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}",` +
		`"provider_name":"Microsoft-Windows-Security-Auditing","record_id":581204,"task":"Logon","version":2},"log":{"level":"information"}}`
	benchNXLog = `{"EventTime":"2024-03-10 11:00:00.1234567","Hostname":"DC01.corp.contoso.com","Keywords":-9214364837600034816,` +
		`"EventType":"AUDIT_SUCCESS","SeverityValue":2,"Severity":"INFO","EventID":4624,"SourceName":"Microsoft-Windows-Security-Auditing",` +
		`"ProviderGuid":"{54849625-5478-4994-A5BA-3E3B0328C30D}","Version":2,"Task":12544,"OpcodeValue":0,"RecordNumber":581204,` +
		`"ExecutionProcessID":684,"ExecutionThreadID":9380,"Channel":"Security","Message":"An account was successfully logged on.",` +
		`"Category":"Logon","Opcode":"Info","SubjectUserSid":"S-1-5-18","TargetUserName":"alice","TargetDomainName":"CONTOSO","LogonType":"3",` +
		`"IpAddress":"10.20.30.42","IpPort":"51544","EventReceivedTime":"2024-03-10 11:00:01","SourceModuleName":"eventlog","SourceModuleType":"im_msvistalog"}`
	benchEvtxJSON = `{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":` +
		`{"Name":"Microsoft-Windows-Security-Auditing","Guid":"54849625-5478-4994-A5BA-3E3B0328C30D"}},"EventID":4624,"Version":2,` +
		`"Level":0,"Task":12544,"Opcode":0,"Keywords":"0x8020000000000000","TimeCreated":{"#attributes":{"SystemTime":"2024-03-10T11:00:00.123456700Z"}},` +
		`"EventRecordID":581204,"Correlation":null,"Execution":{"#attributes":{"ProcessID":684,"ThreadID":9380}},"Channel":"Security",` +
		`"Computer":"DC01.corp.contoso.com","Security":null},"EventData":{"SubjectUserSid":"S-1-5-18","TargetUserName":"alice",` +
		`"TargetDomainName":"CONTOSO","LogonType":3,"IpAddress":"10.20.30.42","IpPort":"51544"}}}`
)

func BenchmarkNormalizeWinlogbeat(b *testing.B) {
	benchWin(b, "winlogbeat", benchWinlogbeat, "\n", 100)
}

func BenchmarkNormalizeNXLog(b *testing.B) { benchWin(b, "nxlog", benchNXLog, "\n", 100) }

func BenchmarkNormalizeEvtxJSON(b *testing.B) { benchWin(b, "evtx-json", benchEvtxJSON, "\n", 100) }

// BenchmarkNormalizeJSONFormats maps each JSON format's sample file (testdata/formats) per op.
func BenchmarkNormalizeJSONFormats(b *testing.B) {
	n := newTestNormalizer(b)
	for _, fm := range []string{"entra-signin", "entra-audit", "o365-audit", "cloudtrail", "email-trace", "url-click"} {
		b.Run(fm, func(b *testing.B) {
			data := readSample(b, fileOf(fm))
			items, err := n.Normalize(fm, data)
			if err != nil {
				b.Fatal(err)
			}
			benchEvents(b, len(data), len(items), func() error { _, err := n.Normalize(fm, data); return err })
		})
	}
}

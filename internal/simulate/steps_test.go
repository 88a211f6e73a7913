package simulate

import (
	"testing"
	"time"
)

// TestStepKinds runs every step kind's builder through the real normalizers and checks the
// table and key columns of its rows.
func TestStepKinds(t *testing.T) {
	g := New(5, Options{})
	org := g.Org()
	u, adm := org.Users[0], org.Admins[0]
	fs, _ := org.Host("FS01")
	type cell struct {
		table, col string
		val        any
	}
	tests := []struct {
		kind string
		with map[string]string
		want []cell
	}{
		{"email", map[string]string{"from": "a@x.example", "to": u.UPN, "attachment": "a.docm", "attachment_sha256": "AB", "url": "https://x.example/a", "threat": "Phish"},
			[]cell{{"EmailEvents", "RecipientEmailAddress", u.UPN}, {"EmailEvents", "ThreatTypes", "Phish"}, {"EmailAttachmentInfo", "FileName", "a.docm"}, {"EmailUrlInfo", "Url", "https://x.example/a"}}},
		{"url-click", map[string]string{"user": u.SAM, "url": "https://x.example/a", "threat": "Phish"},
			[]cell{{"UrlClickEvents", "AccountUpn", u.UPN}, {"UrlClickEvents", "ActionType", "ClickAllowed"}, {"UrlClickEvents", "Url", "https://x.example/a"}}},
		{"sysmon-process", map[string]string{"host": u.Host.Name, "user": u.SAM, "image": `C:\Windows\System32\cmd.exe`, "cmd": "cmd /c x", "sha256": "AB12", "integrity": "High"},
			[]cell{{"DeviceProcessEvents", "FileName", "cmd.exe"}, {"DeviceProcessEvents", "AccountName", u.SAM}, {"DeviceProcessEvents", "SHA256", "ab12"},
				{"DeviceProcessEvents", "ProcessIntegrityLevel", "High"}, {"DeviceProcessEvents", "InitiatingProcessFileName", "explorer.exe"}, {"DeviceProcessEvents", "DeviceName", u.Host.FQDN}}},
		{"sysmon-network", map[string]string{"host": u.Host.Name, "user": u.SAM, "remote_ip": "192.0.2.9", "remote_port": "8080"},
			[]cell{{"DeviceNetworkEvents", "RemoteIP", "192.0.2.9"}, {"DeviceNetworkEvents", "RemotePort", int32(8080)}, {"DeviceNetworkEvents", "LocalIP", u.Host.IP}, {"DeviceNetworkEvents", "ActionType", "ConnectionSuccess"}}},
		{"sysmon-file", map[string]string{"host": u.Host.Name, "user": u.SAM, "path": `C:\Temp\a.exe`},
			[]cell{{"DeviceFileEvents", "FileName", "a.exe"}, {"DeviceFileEvents", "ActionType", "FileCreated"}}},
		{"sysmon-registry", map[string]string{"host": u.Host.Name, "user": u.SAM, "key": `HKLM\Software\Microsoft\Windows\CurrentVersion\Run\x`, "value": "cmd.exe"},
			[]cell{{"DeviceRegistryEvents", "RegistryKey", `HKEY_LOCAL_MACHINE\Software\Microsoft\Windows\CurrentVersion\Run`}, {"DeviceRegistryEvents", "RegistryValueData", "cmd.exe"}}},
		{"sysmon-dns", map[string]string{"host": u.Host.Name, "query": "www.example.com"},
			[]cell{{"DeviceEvents", "ActionType", "DnsQueryResponse"}, {"DeviceEvents", "RemoteUrl", "www.example.com"}}},
		{"sysmon-lsass-access", map[string]string{"host": u.Host.Name, "user": u.SAM, "image": `C:\x\m.exe`},
			[]cell{{"DeviceEvents", "ActionType", "OpenProcessApiCall"}, {"DeviceEvents", "FileName", "lsass.exe"}, {"DeviceEvents", "InitiatingProcessFileName", "m.exe"}}},
		{"security-4624", map[string]string{"host": "FS01", "user": adm.SAM, "logon_type": "3", "src_ip": u.Host.IP, "src_host": u.Host.Name},
			[]cell{{"SecurityEvent", "EventID", int32(4624)}, {"DeviceLogonEvents", "LogonType", "Network"}, {"DeviceLogonEvents", "AccountSid", adm.SID},
				{"DeviceLogonEvents", "RemoteIP", u.Host.IP}, {"IdentityLogonEvents", "DestinationDeviceName", fs.FQDN}}},
		{"security-4625", map[string]string{"host": "DC01", "account": "svc-backup-adm", "src_ip": u.Host.IP},
			[]cell{{"SecurityEvent", "TargetUserName", "svc-backup-adm"}, {"DeviceLogonEvents", "ActionType", "LogonFailed"}}},
		{"security-4688", map[string]string{"host": "APP01", "user": adm.SAM, "image": `C:\Windows\System32\whoami.exe`},
			[]cell{{"SecurityEvent", "EventID", int32(4688)}, {"DeviceProcessEvents", "FileName", "whoami.exe"}}},
		{"security-4768", map[string]string{"user": u.SAM, "src_ip": u.Host.IP},
			[]cell{{"SecurityEvent", "EventID", int32(4768)}, {"IdentityLogonEvents", "Protocol", "Kerberos"}}},
		{"security-4769", map[string]string{"user": u.SAM, "services": "svc-sql, svc-web", "src_ip": u.Host.IP, "encryption": "0x17"},
			[]cell{{"SecurityEvent", "ServiceName", "svc-sql"}, {"SecurityEvent", "ServiceName", "svc-web"}, {"IdentityLogonEvents", "LogonType", "Resource access"}}},
		{"security-4776", map[string]string{"account": u.SAM, "workstation": u.Host.Name, "status": "0x0"},
			[]cell{{"SecurityEvent", "EventID", int32(4776)}, {"IdentityLogonEvents", "Protocol", "NTLM"}}},
		{"security-4697", map[string]string{"host": "FS01", "user": adm.SAM, "service": "s", "file": `C:\Windows\Temp\s.exe`},
			[]cell{{"SecurityEvent", "ServiceName", "s"}, {"SecurityEvent", "ServiceFileName", `C:\Windows\Temp\s.exe`}}},
		{"system-7045", map[string]string{"host": "FS01", "service": "s", "file": `C:\Windows\Temp\s.exe`},
			[]cell{{"WindowsEvent", "EventID", int32(7045)}, {"WindowsEvent", "Channel", "System"}}},
		{"security-4720", map[string]string{"user": adm.SAM, "account": "newuser"},
			[]cell{{"SecurityEvent", "EventID", int32(4720)}, {"SecurityEvent", "TargetUserName", "newuser"}}},
		{"security-4732", map[string]string{"host": "APP01", "user": adm.SAM, "member": u.SAM},
			[]cell{{"SecurityEvent", "EventID", int32(4732)}, {"SecurityEvent", "MemberSid", u.SID}}},
		{"entra-signin", map[string]string{"user": u.UPN, "ip": "203.0.113.5", "country": "BR", "result": "mfa-denied", "mfa": "true"},
			[]cell{{"SigninLogs", "ResultType", "500121"}, {"SigninLogs", "Location", "BR"}, {"SigninLogs", "UserPrincipalName", u.UPN}, {"AADSignInEventsBeta", "ErrorCode", int32(500121)}}},
		{"o365-inbox-rule", map[string]string{"user": u.UPN, "ip": "203.0.113.5", "forward_to": "x@y.example"},
			[]cell{{"OfficeActivity", "Operation", "New-InboxRule"}, {"CloudAppEvents", "ActionType", "New-InboxRule"}}},
		{"o365-file", map[string]string{"user": u.UPN, "ip": "203.0.113.5", "count": "3"},
			[]cell{{"OfficeActivity", "OfficeWorkload", "SharePoint"}, {"OfficeActivity", "Operation", "FileDownloaded"}, {"OfficeActivity", "SourceFileName", "Report 003.xlsx"}}},
		{"o365-mail-access", map[string]string{"user": u.UPN, "ip": "203.0.113.5"},
			[]cell{{"OfficeActivity", "Operation", "MailItemsAccessed"}, {"OfficeActivity", "MailboxOwnerUPN", u.UPN}}},
		{"o365-login", map[string]string{"user": u.UPN, "ip": "203.0.113.5"},
			[]cell{{"OfficeActivity", "Operation", "UserLoggedIn"}, {"OfficeActivity", "OfficeWorkload", "AzureActiveDirectory"}}},
		{"cef", map[string]string{"src": fs.IP, "dst": "203.0.113.5", "dst_port": "443", "sent": "3000000000", "action": "allow"},
			[]cell{{"CommonSecurityLog", "DestinationIP", "203.0.113.5"}, {"CommonSecurityLog", "SentBytes", int64(3000000000)}, {"CommonSecurityLog", "DeviceVendor", "Palo Alto Networks"}, {"CommonSecurityLog", "DeviceAction", "allow"}}},
		{"ssh-login", map[string]string{"host": "lnx-web01", "user": "root", "ip": "203.0.113.5", "result": "failed"},
			[]cell{{"Syslog", "ProcessName", "sshd"}, {"Syslog", "HostName", "lnx-web01"}}},
		{"sudo", map[string]string{"host": "lnx-web01", "user": "ops", "command": "/bin/true"},
			[]cell{{"Syslog", "ProcessName", "sudo"}, {"Syslog", "Facility", "authpriv"}}},
		{"cron", map[string]string{"host": "lnx-web01", "command": "/bin/true"},
			[]cell{{"Syslog", "ProcessName", "CRON"}, {"Syslog", "Facility", "cron"}}},
	}
	n := newNormalizers(t)
	kinds, seen := stepKinds(), map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			seen[tc.kind] = true
			run := &stepRun{e: newEmitter(org, newRand(1, 9)), t: demoStart, p: tc.with}
			recs := kinds[tc.kind].build(run)
			if run.err != nil {
				t.Fatal(run.err)
			}
			rows, _ := n.normalizeAll(t, recs)
			for _, w := range tc.want {
				if !hasCell(rows, w.table, w.col, w.val) {
					t.Errorf("no %s row with %s = %#v; rows:\n%v", w.table, w.col, w.val, rowsOfTable(rows, w.table))
				}
			}
			for _, r := range rows {
				if ts, ok := r.cells["TimeGenerated"].(time.Time); !ok || ts.Before(demoStart) || ts.After(demoStart.Add(10*time.Second)) {
					t.Errorf("%s TimeGenerated %v, want the step's time %v", r.table, r.cells["TimeGenerated"], demoStart)
				}
			}
		})
	}
	for k := range kinds {
		if !seen[k] {
			t.Errorf("step kind %s has no test case", k)
		}
	}
}

func rowsOfTable(rows []row, table string) []map[string]any {
	var out []map[string]any
	for _, r := range rows {
		if r.table == table {
			out = append(out, r.cells)
		}
	}
	return out
}

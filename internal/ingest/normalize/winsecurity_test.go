package normalize

import (
	"strings"
	"testing"
)

func TestSecurity4624(t *testing.T) {
	m := newTestWinMapper(t)
	recs := mapOne(t, m, logon4624)
	if len(recs) != 3 || recs[0].Table.Name != "SecurityEvent" || recs[1].Table.Name != "DeviceLogonEvents" || recs[2].Table.Name != "IdentityLogonEvents" {
		t.Fatalf("records %v", recs)
	}
	ts := at(2024, 3, 10, 11, 0, 0, 123456700)
	checkSome(t, recs[0], map[string]any{
		"TimeGenerated": ts, "Computer": "DC01.corp.contoso.com", "EventID": int32(4624),
		"Activity": "4624 - An account was successfully logged on.", "Channel": "Security",
		"EventSourceName": "Microsoft-Windows-Security-Auditing", "Account": `CONTOSO\alice`, "AccountType": "User",
		"TargetAccount": `CONTOSO\alice`, "TargetUserName": "alice", "TargetDomainName": "CONTOSO", "SubjectUserName": "-",
		"SubjectAccount": nil, "LogonType": int32(3), "LogonTypeName": "3 - Network", "IpAddress": "10.20.30.42", "IpPort": "50811",
		"WorkstationName": "WS-0142", "AuthenticationPackageName": "NTLM", "LogonProcessName": "NtLmSsp ", "KeyLength": int32(128),
		"ProcessName": "-", "Process": nil, "ElevatedToken": "%%1842", "EventRecordId": "581204", "Task": int32(12544),
		"Keywords": "0x8020000000000000", "SourceSystem": "OpsManager", "SystemProcessId": int32(684), "Level": "0",
	})
	ed := cells(recs[0].Table, recs[0].Row)["EventData"].(string)
	if !strings.HasPrefix(ed, `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data Name="SubjectUserSid">S-1-0-0</Data>`) ||
		!strings.HasSuffix(ed, `<Data Name="ElevatedToken">%%1842</Data></EventData>`) {
		t.Errorf("EventData = %s", ed)
	}
	checkCells(t, recs[1], map[string]any{
		"Timestamp": ts, "TimeGenerated": ts, "DeviceName": "DC01.corp.contoso.com", "ActionType": "LogonSuccess", "ReportId": int64(581204),
		"LogonType": "Network", "AccountDomain": "CONTOSO", "AccountName": "alice", "AccountSid": "S-1-5-21-3623811015-3361044348-30300820-1104",
		"LogonId": int64(0x8f2a1c4), "Protocol": "NTLM", "RemoteIP": "10.20.30.42", "RemoteIPType": "Private", "RemotePort": int32(50811),
		"RemoteDeviceName": "WS-0142",
	})
}

func TestSecurity4625(t *testing.T) {
	m := newTestWinMapper(t)
	x := securityXML(4625, 0, 12544, "0x8010000000000000", "2024-03-10T11:01:00Z", 581300,
		"SubjectUserSid", "S-1-5-18", "SubjectUserName", "WS-0142$", "SubjectDomainName", "CONTOSO", "SubjectLogonId", "0x3e7",
		"TargetUserSid", "S-1-0-0", "TargetUserName", "administrator", "TargetDomainName", "CONTOSO", "Status", "0xc000006d",
		"FailureReason", "%%2313", "SubStatus", "0xc000006a", "LogonType", "10", "LogonProcessName", "User32 ",
		"AuthenticationPackageName", "Negotiate", "WorkstationName", "WS-0142", "TransmittedServices", "-", "LmPackageName", "-",
		"KeyLength", "0", "ProcessId", "0x1a4", "ProcessName", `C:\Windows\System32\svchost.exe`, "IpAddress", "198.51.100.23", "IpPort", "0")
	recs := mapOne(t, m, x)
	if len(recs) != 3 {
		t.Fatalf("records %v", recs)
	}
	ts := at(2024, 3, 10, 11, 1, 0, 0)
	checkSome(t, recs[0], map[string]any{
		"Activity": "4625 - An account failed to log on.", "Account": `CONTOSO\administrator`, "AccountType": "User",
		"SubjectAccount": `CONTOSO\WS-0142$`, "Status": "0xc000006d", "SubStatus": "0xc000006a", "FailureReason": "%%2313",
		"LogonTypeName": "10 - RemoteInteractive", "Process": "svchost.exe", "ProcessId": "0x1a4",
	})
	checkCells(t, recs[1], map[string]any{
		"Timestamp": ts, "TimeGenerated": ts, "DeviceName": "DC01.corp.contoso.com", "ActionType": "LogonFailed", "ReportId": int64(581300),
		"FailureReason": "WrongPassword", "LogonType": "RemoteInteractive", "AccountDomain": "CONTOSO", "AccountName": "administrator",
		"Protocol": "Negotiate", "RemoteIP": "198.51.100.23", "RemoteIPType": "Public", "RemoteDeviceName": "WS-0142",
		"InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "WS-0142$", "InitiatingProcessAccountSid": "S-1-5-18",
		"InitiatingProcessFolderPath": `C:\Windows\System32\svchost.exe`, "InitiatingProcessFileName": "svchost.exe", "InitiatingProcessId": int64(0x1a4),
	})
}

func TestSecurity4688(t *testing.T) {
	m := newTestWinMapper(t)
	x := securityXML(4688, 2, 13312, "0x8020000000000000", "2024-03-10T11:02:00.5Z", 581400,
		"SubjectUserSid", "S-1-5-21-3623811015-3361044348-30300820-1104", "SubjectUserName", "alice", "SubjectDomainName", "CONTOSO",
		"SubjectLogonId", "0x2f3ac4", "NewProcessId", "0x1cf4", "NewProcessName", `C:\Windows\System32\whoami.exe`,
		"TokenElevationType", "%%1938", "ProcessId", "0x1ce4", "CommandLine", "whoami /priv", "TargetUserSid", "S-1-0-0",
		"TargetUserName", "-", "TargetDomainName", "-", "TargetLogonId", "0x0", "ParentProcessName", `C:\Windows\System32\cmd.exe`,
		"MandatoryLabel", "S-1-16-8192")
	recs := mapOne(t, m, x)
	if len(recs) != 2 || recs[1].Table.Name != "DeviceProcessEvents" {
		t.Fatalf("records %v", recs)
	}
	ts := at(2024, 3, 10, 11, 2, 0, 500000000)
	checkSome(t, recs[0], map[string]any{
		"Activity": "4688 - A new process has been created.", "Account": `CONTOSO\alice`, "AccountType": "User",
		"NewProcessName": `C:\Windows\System32\whoami.exe`, "NewProcessId": "0x1cf4", "CommandLine": "whoami /priv",
		"Process": "whoami.exe", "ParentProcessName": `C:\Windows\System32\cmd.exe`, "MandatoryLabel": "S-1-16-8192",
		"TokenElevationType": "%%1938", "TargetAccount": nil,
	})
	checkCells(t, recs[1], map[string]any{
		"Timestamp": ts, "TimeGenerated": ts, "DeviceName": "DC01.corp.contoso.com", "ActionType": "ProcessCreated", "ReportId": int64(581400),
		"FolderPath": `C:\Windows\System32\whoami.exe`, "FileName": "whoami.exe", "ProcessId": int64(0x1cf4), "ProcessCommandLine": "whoami /priv",
		"ProcessCreationTime": ts, "ProcessIntegrityLevel": "Medium", "ProcessTokenElevation": "TokenElevationTypeLimited",
		"AccountDomain": "CONTOSO", "AccountName": "alice", "AccountSid": "S-1-5-21-3623811015-3361044348-30300820-1104", "LogonId": int64(0x2f3ac4),
		"InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
		"InitiatingProcessAccountSid": "S-1-5-21-3623811015-3361044348-30300820-1104", "InitiatingProcessLogonId": int64(0x2f3ac4),
		"InitiatingProcessFolderPath": `C:\Windows\System32\cmd.exe`, "InitiatingProcessFileName": "cmd.exe", "InitiatingProcessId": int64(0x1ce4),
	})
}

func TestSecurityOtherIDs(t *testing.T) {
	m := newTestWinMapper(t)
	x := securityXML(4720, 0, 13824, "0x8020000000000000", "2024-03-10T11:03:00Z", 581500,
		"TargetUserName", "svc-backup2", "TargetDomainName", "CONTOSO", "TargetSid", "S-1-5-21-1-2-3-2210",
		"SubjectUserSid", "S-1-5-21-1-2-3-500", "SubjectUserName", "Administrator", "SubjectDomainName", "CONTOSO",
		"SubjectLogonId", "0x54f2a1", "SamAccountName", "svc-backup2", "UserAccountControl", "%%2080")
	recs := mapOne(t, m, x)
	if len(recs) != 1 {
		t.Fatalf("records %v", recs)
	}
	checkSome(t, recs[0], map[string]any{
		"EventID": int32(4720), "Activity": "4720 - A user account was created.", "Account": `CONTOSO\svc-backup2`,
		"SubjectAccount": `CONTOSO\Administrator`, "TargetSid": "S-1-5-21-1-2-3-2210", "SamAccountName": "svc-backup2",
		"UserAccountControl": "%%2080",
	})
	x = securityXML(5379, 0, 13824, "0x8020000000000000", "2024-03-10T11:03:00Z", 581501, "CountOfCredentialsReturned", "0")
	recs = mapOne(t, m, x)
	checkSome(t, recs[0], map[string]any{"Activity": "5379", "EventID": int32(5379)})
}

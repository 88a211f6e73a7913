package normalize

import "testing"

func TestSysmon(t *testing.T) {
	m := newTestWinMapper(t)
	host := "WS-0142.corp.contoso.com"
	tests := []struct {
		name, xml string
		want      map[string]any
	}{{
		name: "1 process create",
		xml: sysmonXML(1, 1, "2024-03-10T11:00:00.151Z", 120034, "RuleName", "-", "UtcTime", "2024-03-10 11:00:00.148",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"FileVersion", "10.0.19041.3996 (WinBuild.160101.0800)", "Description", "Windows PowerShell", "Product", "Microsoft® Windows® Operating System",
			"Company", "Microsoft Corporation", "OriginalFileName", "PowerShell.EXE", "CommandLine", `powershell.exe -nop -w hidden -enc SQBFAFgA`,
			"CurrentDirectory", `C:\Users\alice\`, "User", `CONTOSO\alice`, "LogonGuid", "{9a1c2f3e-8f11-65ed-c43a-2f0000000000}",
			"LogonId", "0x2F3AC4", "TerminalSessionId", "1", "IntegrityLevel", "Medium",
			"Hashes", "SHA1=6CBCE4A295C163791B60FC23D285E6D84F28EE4C,MD5=7353F60B1739074EB17C5F4DDDEFE239,SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C,IMPHASH=741776AACCFC5B71FF59832DCDCACE0F",
			"ParentProcessGuid", "{9a1c2f3e-8f14-65ed-7a00-000000001b00}", "ParentProcessId", "5120", "ParentImage", `C:\Windows\explorer.exe`,
			"ParentCommandLine", `C:\Windows\Explorer.EXE`, "ParentUser", `CONTOSO\alice`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 0, 148000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 0, 148000000), "DeviceName": host,
			"ActionType": "ProcessCreated", "ReportId": int64(120034), "ProcessId": int64(7412),
			"FolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "FileName": "powershell.exe",
			"ProcessVersionInfoProductVersion": "10.0.19041.3996 (WinBuild.160101.0800)", "ProcessVersionInfoFileDescription": "Windows PowerShell",
			"ProcessVersionInfoProductName": "Microsoft® Windows® Operating System", "ProcessVersionInfoCompanyName": "Microsoft Corporation",
			"ProcessVersionInfoOriginalFileName": "PowerShell.EXE", "ProcessCommandLine": `powershell.exe -nop -w hidden -enc SQBFAFgA`,
			"AccountDomain": "CONTOSO", "AccountName": "alice", "LogonId": int64(0x2f3ac4), "ProcessIntegrityLevel": "Medium",
			"ProcessCreationTime": at(2024, 3, 10, 11, 0, 0, 148000000),
			"SHA1":                "6cbce4a295c163791b60fc23d285e6d84f28ee4c", "MD5": "7353f60b1739074eb17c5f4dddefe239",
			"SHA256": "de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c", "InitiatingProcessId": int64(5120),
			"InitiatingProcessFolderPath": `C:\Windows\explorer.exe`, "InitiatingProcessFileName": "explorer.exe",
			"InitiatingProcessCommandLine": `C:\Windows\Explorer.EXE`, "InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
			"AdditionalFields": `{"ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}","CurrentDirectory":"C:\\Users\\alice\\",` +
				`"LogonGuid":"{9a1c2f3e-8f11-65ed-c43a-2f0000000000}","TerminalSessionId":"1",` +
				`"Hashes":"SHA1=6CBCE4A295C163791B60FC23D285E6D84F28EE4C,MD5=7353F60B1739074EB17C5F4DDDEFE239,SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C,IMPHASH=741776AACCFC5B71FF59832DCDCACE0F",` +
				`"ParentProcessGuid":"{9a1c2f3e-8f14-65ed-7a00-000000001b00}"}`,
		},
	}, {
		name: "3 outbound TCP connection",
		xml: sysmonXML(3, 3, "2024-03-10T11:00:02.512Z", 120040, "RuleName", "-", "UtcTime", "2024-03-10 11:00:01.004",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"User", `CONTOSO\alice`, "Protocol", "tcp", "Initiated", "true", "SourceIsIpv6", "false", "SourceIp", "10.20.30.42",
			"SourceHostname", host, "SourcePort", "51544", "SourcePortName", "-", "DestinationIsIpv6", "false", "DestinationIp", "185.199.108.133",
			"DestinationHostname", "cdn-185-199-108-133.github.com", "DestinationPort", "443", "DestinationPortName", "https"),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 1, 4000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 1, 4000000), "DeviceName": host,
			"ActionType": "ConnectionSuccess", "ReportId": int64(120040), "Protocol": "Tcp",
			"LocalIP": "10.20.30.42", "LocalPort": int32(51544), "LocalIPType": "Private",
			"RemoteIP": "185.199.108.133", "RemotePort": int32(443), "RemoteIPType": "Public", "RemoteUrl": "cdn-185-199-108-133.github.com",
			"InitiatingProcessFolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "InitiatingProcessFileName": "powershell.exe",
			"InitiatingProcessId": int64(7412), "InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
			"AdditionalFields": `{"ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}","SourceIsIpv6":"false","DestinationIsIpv6":"false","DestinationPortName":"https"}`,
		},
	}, {
		name: "3 inbound RDP connection",
		xml: sysmonXML(3, 3, "2024-03-10T11:00:02Z", 120041, "UtcTime", "2024-03-10 11:00:01.500", "ProcessId", "1260",
			"Image", `C:\Windows\System32\svchost.exe`, "User", `NT AUTHORITY\NETWORK SERVICE`, "Protocol", "tcp", "Initiated", "false",
			"SourceIp", "203.0.113.77", "SourcePort", "60211", "DestinationIp", "10.20.30.42", "DestinationPort", "3389"),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 1, 500000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 1, 500000000), "DeviceName": host,
			"ActionType": "InboundConnectionAccepted", "ReportId": int64(120041), "Protocol": "Tcp",
			"LocalIP": "10.20.30.42", "LocalPort": int32(3389), "LocalIPType": "Private",
			"RemoteIP": "203.0.113.77", "RemotePort": int32(60211), "RemoteIPType": "Public",
			"InitiatingProcessFolderPath": `C:\Windows\System32\svchost.exe`, "InitiatingProcessFileName": "svchost.exe",
			"InitiatingProcessId": int64(1260), "InitiatingProcessAccountDomain": "NT AUTHORITY", "InitiatingProcessAccountName": "NETWORK SERVICE",
		},
	}, {
		name: "7 image load",
		xml: sysmonXML(7, 7, "2024-03-10T11:00:03Z", 120050, "RuleName", "-", "UtcTime", "2024-03-10 11:00:02.777",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"ImageLoaded", `C:\Windows\System32\samlib.dll`, "FileVersion", "10.0.19041.1", "Description", "SAM Library DLL",
			"Product", "Microsoft® Windows® Operating System", "Company", "Microsoft Corporation", "OriginalFileName", "samlib.dll",
			"Hashes", "SHA256=0F3B9A3C1E2D4B5A69788796A5B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B6", "Signed", "true",
			"Signature", "Microsoft Windows", "SignatureStatus", "Valid", "User", `CONTOSO\alice`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 2, 777000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 2, 777000000), "DeviceName": host,
			"ActionType": "ImageLoaded", "ReportId": int64(120050), "FolderPath": `C:\Windows\System32\samlib.dll`, "FileName": "samlib.dll",
			"SHA256":                      "0f3b9a3c1e2d4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6",
			"InitiatingProcessFolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "InitiatingProcessFileName": "powershell.exe",
			"InitiatingProcessId": int64(7412), "InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
		},
	}, {
		name: "11 file create",
		xml: sysmonXML(11, 11, "2024-03-10T11:00:04Z", 120060, "RuleName", "-", "UtcTime", "2024-03-10 11:00:03.250",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"TargetFilename", `C:\Users\alice\AppData\Local\Temp\stage2.ps1`, "CreationUtcTime", "2024-03-10 11:00:03.250", "User", `CONTOSO\alice`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 3, 250000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 3, 250000000), "DeviceName": host,
			"ActionType": "FileCreated", "ReportId": int64(120060), "FolderPath": `C:\Users\alice\AppData\Local\Temp\stage2.ps1`, "FileName": "stage2.ps1",
			"InitiatingProcessFolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "InitiatingProcessFileName": "powershell.exe",
			"InitiatingProcessId": int64(7412), "InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
			"AdditionalFields": `{"ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}","CreationUtcTime":"2024-03-10 11:00:03.250"}`,
		},
	}, {
		name: "12 registry key created under HKU",
		xml: sysmonXML(12, 12, "2024-03-10T11:00:05Z", 120070, "RuleName", "-", "EventType", "CreateKey", "UtcTime", "2024-03-10 11:00:04.100",
			"ProcessGuid", "{x}", "ProcessId", "7412", "Image", `C:\Windows\System32\reg.exe`,
			"TargetObject", `HKU\S-1-5-21-3623811015-3361044348-30300820-1104\Software\Classes\ms-settings\shell\open\command`, "User", `CONTOSO\alice`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 4, 100000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 4, 100000000), "DeviceName": host,
			"ActionType": "RegistryKeyCreated", "ReportId": int64(120070),
			"RegistryKey":                 `HKEY_CURRENT_USER\S-1-5-21-3623811015-3361044348-30300820-1104\Software\Classes\ms-settings\shell\open\command`,
			"InitiatingProcessFolderPath": `C:\Windows\System32\reg.exe`, "InitiatingProcessFileName": "reg.exe",
			"InitiatingProcessId": int64(7412), "InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
		},
	}, {
		name: "13 registry value set (Run key, string)",
		xml: sysmonXML(13, 13, "2024-03-10T11:00:06Z", 120071, "RuleName", "T1060,RunKey", "EventType", "SetValue", "UtcTime", "2024-03-10 11:00:05.900",
			"ProcessGuid", "{x}", "ProcessId", "7412", "Image", `C:\Windows\System32\reg.exe`,
			"TargetObject", `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\Updater`, "Details", `C:\ProgramData\upd.exe -q`, "User", `CONTOSO\alice`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 5, 900000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 5, 900000000), "DeviceName": host,
			"ActionType": "RegistryValueSet", "ReportId": int64(120071),
			"RegistryKey": `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, "RegistryValueName": "Updater",
			"RegistryValueData":           `C:\ProgramData\upd.exe -q`,
			"InitiatingProcessFolderPath": `C:\Windows\System32\reg.exe`, "InitiatingProcessFileName": "reg.exe",
			"InitiatingProcessId": int64(7412), "InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
		},
	}, {
		name: "13 registry value set (DWORD)",
		xml: sysmonXML(13, 13, "2024-03-10T11:00:06Z", 120072, "EventType", "SetValue", "UtcTime", "2024-03-10 11:00:06.000",
			"ProcessId", "4", "Image", "System",
			"TargetObject", `HKLM\System\CurrentControlSet\Control\Lsa\DisableRestrictedAdmin`, "Details", "DWORD (0x00000000)"),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 6, 0), "TimeGenerated": at(2024, 3, 10, 11, 0, 6, 0), "DeviceName": host,
			"ActionType": "RegistryValueSet", "ReportId": int64(120072),
			"RegistryKey": `HKEY_LOCAL_MACHINE\System\CurrentControlSet\Control\Lsa`, "RegistryValueName": "DisableRestrictedAdmin",
			"RegistryValueType": "Dword", "RegistryValueData": "0",
			"InitiatingProcessFolderPath": "System", "InitiatingProcessFileName": "System", "InitiatingProcessId": int64(4),
		},
	}, {
		name: "14 registry key renamed",
		xml: sysmonXML(14, 14, "2024-03-10T11:00:07Z", 120073, "EventType", "RenameKey", "UtcTime", "2024-03-10 11:00:07.000",
			"ProcessId", "900", "Image", `C:\Windows\regedit.exe`, "TargetObject", `HKLM\SOFTWARE\Vendor\Old`, "NewName", `HKLM\SOFTWARE\Vendor\New`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 7, 0), "TimeGenerated": at(2024, 3, 10, 11, 0, 7, 0), "DeviceName": host,
			"ActionType": "RegistryKeyRenamed", "ReportId": int64(120073),
			"PreviousRegistryKey": `HKEY_LOCAL_MACHINE\SOFTWARE\Vendor\Old`, "RegistryKey": `HKEY_LOCAL_MACHINE\SOFTWARE\Vendor\New`,
			"InitiatingProcessFolderPath": `C:\Windows\regedit.exe`, "InitiatingProcessFileName": "regedit.exe", "InitiatingProcessId": int64(900),
		},
	}, {
		name: "22 DNS query",
		xml: sysmonXML(22, 22, "2024-03-10T11:00:09Z", 120080, "RuleName", "-", "UtcTime", "2024-03-10 11:00:08.321",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "QueryName", "raw.githubusercontent.com",
			"QueryStatus", "0", "QueryResults", "type:  5 github.map.fastly.net;::ffff:185.199.108.133;::ffff:185.199.109.133;",
			"Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "User", `CONTOSO\alice`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 0, 8, 321000000), "TimeGenerated": at(2024, 3, 10, 11, 0, 8, 321000000), "DeviceName": host,
			"ActionType": "DnsQueryResponse", "ReportId": int64(120080), "RemoteUrl": "raw.githubusercontent.com",
			"InitiatingProcessFolderPath": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "InitiatingProcessFileName": "powershell.exe",
			"InitiatingProcessId": int64(7412), "InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
			"AdditionalFields": `{"DnsQueryString":"raw.githubusercontent.com","DnsQueryResult":[{"DnsQueryType":5,"DnsQueryResultRecord":"github.map.fastly.net"},` +
				`{"DnsQueryType":1,"DnsQueryResultRecord":"185.199.108.133"},{"DnsQueryType":1,"DnsQueryResultRecord":"185.199.109.133"}],` +
				`"DnsQueryStatus":"0","ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}"}`,
		},
	}}
	tables := map[int]string{1: "DeviceProcessEvents", 3: "DeviceNetworkEvents", 7: "DeviceImageLoadEvents", 11: "DeviceFileEvents",
		12: "DeviceRegistryEvents", 13: "DeviceRegistryEvents", 14: "DeviceRegistryEvents", 22: "DeviceEvents"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := mapOne(t, m, tt.xml)
			var id int
			if _, err := fmtSscan(tt.name, &id); err != nil || len(recs) != 1 || recs[0].Table.Name != tables[id] {
				t.Fatalf("records %v for event %d", recs, id)
			}
			checkCells(t, recs[0], tt.want)
		})
	}
}

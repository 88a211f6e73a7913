package normalize

import "testing"

// TestSysmonMoreIDs covers the Sysmon ids mapped after the first set: the table each lands in,
// its ActionType, the lineage columns and what goes to AdditionalFields.
func TestSysmonMoreIDs(t *testing.T) {
	m := newTestWinMapper(t)
	host := "WS-0142.corp.contoso.com"
	ps := `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
	lineage := func(want map[string]any) map[string]any {
		want["InitiatingProcessFolderPath"], want["InitiatingProcessFileName"] = ps, "powershell.exe"
		want["InitiatingProcessId"] = int64(7412)
		want["InitiatingProcessAccountDomain"], want["InitiatingProcessAccountName"] = "CONTOSO", "alice"
		want["DeviceName"] = host
		return want
	}
	tests := []struct {
		name, table, xml string
		want             map[string]any
	}{{
		name: "2 file creation time changed", table: "DeviceEvents",
		xml: sysmonXML(2, 2, "2024-03-10T11:10:00Z", 130001, "RuleName", "T1099", "UtcTime", "2024-03-10 11:09:59.500",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", ps,
			"TargetFilename", `C:\Windows\Temp\svc.dll`, "CreationUtcTime", "2019-01-01 00:00:00.000",
			"PreviousCreationUtcTime", "2024-03-10 11:09:58.100", "User", `CONTOSO\alice`),
		want: lineage(map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 9, 59, 500000000), "TimeGenerated": at(2024, 3, 10, 11, 9, 59, 500000000),
			"ActionType": "FileTimestampModificationEvent", "ReportId": int64(130001),
			"FolderPath": `C:\Windows\Temp\svc.dll`, "FileName": "svc.dll",
			"AdditionalFields": `{"RuleName":"T1099","ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}",` +
				`"CreationUtcTime":"2019-01-01 00:00:00.000","PreviousCreationUtcTime":"2024-03-10 11:09:58.100"}`,
		}),
	}, {
		name: "5 process terminated", table: "DeviceEvents",
		xml: sysmonXML(5, 5, "2024-03-10T11:10:01Z", 130002, "RuleName", "-", "UtcTime", "2024-03-10 11:10:00.750",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", ps, "User", `CONTOSO\alice`),
		want: lineage(map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 10, 0, 750000000), "TimeGenerated": at(2024, 3, 10, 11, 10, 0, 750000000),
			"ActionType": "ProcessTerminated", "ReportId": int64(130002),
			"FolderPath": ps, "FileName": "powershell.exe", "ProcessId": int64(7412),
			"AdditionalFields": `{"ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}"}`,
		}),
	}, {
		name: "6 driver loaded", table: "DeviceEvents",
		xml: sysmonXML(6, 6, "2024-03-10T11:10:02Z", 130003, "RuleName", "-", "UtcTime", "2024-03-10 11:10:01.250",
			"ImageLoaded", `C:\Windows\System32\drivers\RTCore64.sys`,
			"Hashes", "SHA1=F6F11AD2CD2B0CF95ED42324876BEE1D83E01775,MD5=2D8E4F38B36C334D0A32A7324832501D,SHA256=01AA278B07B58DC46C84BD0B1B5C8E9EE4E62EA0BF7A695862444AF32E87F1FD,IMPHASH=CE8C3D7D1B0D9C6C61F9E4E1A1B5E7A2",
			"Signed", "true", "Signature", "Micro-Star Int'l Co. Ltd.", "SignatureStatus", "Valid"),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 10, 1, 250000000), "TimeGenerated": at(2024, 3, 10, 11, 10, 1, 250000000), "DeviceName": host,
			"ActionType": "DriverLoad", "ReportId": int64(130003),
			"FolderPath": `C:\Windows\System32\drivers\RTCore64.sys`, "FileName": "RTCore64.sys",
			"SHA1": "f6f11ad2cd2b0cf95ed42324876bee1d83e01775", "MD5": "2d8e4f38b36c334d0a32a7324832501d",
			"SHA256": "01aa278b07b58dc46c84bd0b1b5c8e9ee4e62ea0bf7a695862444af32e87f1fd",
			"AdditionalFields": `{"Hashes":"SHA1=F6F11AD2CD2B0CF95ED42324876BEE1D83E01775,MD5=2D8E4F38B36C334D0A32A7324832501D,SHA256=01AA278B07B58DC46C84BD0B1B5C8E9EE4E62EA0BF7A695862444AF32E87F1FD,IMPHASH=CE8C3D7D1B0D9C6C61F9E4E1A1B5E7A2",` +
				`"Signed":"true","Signature":"Micro-Star Int'l Co. Ltd.","SignatureStatus":"Valid"}`,
		},
	}, {
		name: "15 file stream created (Zone.Identifier)", table: "DeviceFileEvents",
		xml: sysmonXML(15, 15, "2024-03-10T11:10:03Z", 130004, "RuleName", "-", "UtcTime", "2024-03-10 11:10:02.900",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", ps,
			"TargetFilename", `C:\Users\alice\Downloads\invoice.iso:Zone.Identifier`, "CreationUtcTime", "2024-03-10 11:10:02.800",
			"Hash", "SHA1=0BA1B1A7F3E5B2A1C9D8E7F6A5B4C3D2E1F0A9B8,MD5=1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F,SHA256=AA11BB22CC33DD44EE55FF6600112233445566778899AABBCCDDEEFF00112233,IMPHASH=00000000000000000000000000000000",
			"Contents", "[ZoneTransfer]  ZoneId=3  ReferrerUrl=https://mail.example.net/  HostUrl=https://files.example.net/invoice.iso  ",
			"User", `CONTOSO\alice`),
		want: lineage(map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 10, 2, 900000000), "TimeGenerated": at(2024, 3, 10, 11, 10, 2, 900000000),
			"ActionType": "FileCreateStreamHash", "ReportId": int64(130004),
			"FolderPath": `C:\Users\alice\Downloads\invoice.iso:Zone.Identifier`, "FileName": "invoice.iso:Zone.Identifier",
			"SHA1": "0ba1b1a7f3e5b2a1c9d8e7f6a5b4c3d2e1f0a9b8", "MD5": "1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f",
			"SHA256":        "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233",
			"FileOriginUrl": "https://files.example.net/invoice.iso", "FileOriginReferrerUrl": "https://mail.example.net/",
			"AdditionalFields": `{"ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}","CreationUtcTime":"2024-03-10 11:10:02.800",` +
				`"Hash":"SHA1=0BA1B1A7F3E5B2A1C9D8E7F6A5B4C3D2E1F0A9B8,MD5=1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F,SHA256=AA11BB22CC33DD44EE55FF6600112233445566778899AABBCCDDEEFF00112233,IMPHASH=00000000000000000000000000000000",` +
				`"Contents":"[ZoneTransfer]  ZoneId=3  ReferrerUrl=https://mail.example.net/  HostUrl=https://files.example.net/invoice.iso  "}`,
		}),
	}, {
		name: "19 WMI filter registered", table: "DeviceEvents",
		xml: sysmonXML(19, 19, "2024-03-10T11:10:04Z", 130005, "RuleName", "-", "EventType", "WmiFilterEvent", "UtcTime", "2024-03-10 11:10:03.100",
			"Operation", "Created", "User", `CONTOSO\alice`, "EventNamespace", `"root\\cimv2"`, "Name", `"Updater"`,
			"Query", `"SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'"`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 10, 3, 100000000), "TimeGenerated": at(2024, 3, 10, 11, 10, 3, 100000000), "DeviceName": host,
			"ActionType": "WmiBindEventFilterToConsumer", "ReportId": int64(130005),
			"InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
			"AdditionalFields": `{"EventType":"WmiFilterEvent","Operation":"Created","EventNamespace":"\"root\\\\cimv2\"","Name":"\"Updater\"",` +
				`"Query":"\"SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'\""}`,
		},
	}, {
		name: "20 WMI consumer registered", table: "DeviceEvents",
		xml: sysmonXML(20, 20, "2024-03-10T11:10:05Z", 130006, "RuleName", "-", "EventType", "WmiConsumerEvent", "UtcTime", "2024-03-10 11:10:04.100",
			"Operation", "Created", "User", `CONTOSO\alice`, "Name", `"Updater"`, "Type", "Command Line",
			"Destination", `"C:\\ProgramData\\upd.exe -q"`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 10, 4, 100000000), "TimeGenerated": at(2024, 3, 10, 11, 10, 4, 100000000), "DeviceName": host,
			"ActionType": "WmiBindEventFilterToConsumer", "ReportId": int64(130006),
			"InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
			"AdditionalFields": `{"EventType":"WmiConsumerEvent","Operation":"Created","Name":"\"Updater\"","Type":"Command Line",` +
				`"Destination":"\"C:\\\\ProgramData\\\\upd.exe -q\""}`,
		},
	}, {
		name: "21 WMI binding", table: "DeviceEvents",
		xml: sysmonXML(21, 21, "2024-03-10T11:10:06Z", 130007, "RuleName", "-", "EventType", "WmiBindingEvent", "UtcTime", "2024-03-10 11:10:05.100",
			"Operation", "Created", "User", `CONTOSO\alice`, "Consumer", `"CommandLineEventConsumer.Name=\"Updater\""`,
			"Filter", `"__EventFilter.Name=\"Updater\""`),
		want: map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 10, 5, 100000000), "TimeGenerated": at(2024, 3, 10, 11, 10, 5, 100000000), "DeviceName": host,
			"ActionType": "WmiBindEventFilterToConsumer", "ReportId": int64(130007),
			"InitiatingProcessAccountDomain": "CONTOSO", "InitiatingProcessAccountName": "alice",
			"AdditionalFields": `{"EventType":"WmiBindingEvent","Operation":"Created","Consumer":"\"CommandLineEventConsumer.Name=\\\"Updater\\\"\"",` +
				`"Filter":"\"__EventFilter.Name=\\\"Updater\\\"\""}`,
		},
	}, {
		name: "25 process tampering", table: "DeviceEvents",
		xml: sysmonXML(25, 25, "2024-03-10T11:10:07Z", 130008, "RuleName", "-", "UtcTime", "2024-03-10 11:10:06.600",
			"ProcessGuid", "{9a1c2f3e-93c0-65ed-4a05-000000001b00}", "ProcessId", "7412", "Image", ps,
			"Type", "Image is replaced", "User", `CONTOSO\alice`),
		want: lineage(map[string]any{
			"Timestamp": at(2024, 3, 10, 11, 10, 6, 600000000), "TimeGenerated": at(2024, 3, 10, 11, 10, 6, 600000000),
			"ActionType": "ProcessTampering", "ReportId": int64(130008),
			"FolderPath": ps, "FileName": "powershell.exe", "ProcessId": int64(7412),
			"AdditionalFields": `{"ProcessGuid":"{9a1c2f3e-93c0-65ed-4a05-000000001b00}","Type":"Image is replaced"}`,
		}),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := mapOne(t, m, tt.xml)
			if len(recs) != 1 || recs[0].Table.Name != tt.table {
				t.Fatalf("records %v, want one for %s", recs, tt.table)
			}
			checkCells(t, recs[0], tt.want)
		})
	}
}

// TestSysmonIssueIDsFillDeviceTables checks that every Sysmon id the connectors issue lists
// lands in a Device* table, not in WindowsEvent.
func TestSysmonIssueIDsFillDeviceTables(t *testing.T) {
	m := newTestWinMapper(t)
	for _, id := range []int32{1, 3, 5, 7, 8, 10, 11, 12, 13, 14, 15, 17, 18, 22, 23, 25, 26} {
		s := m.sysmon[id]
		if s == nil || len(s.table) < 6 || s.table[:6] != "Device" {
			t.Errorf("sysmon %d: spec %+v, want a Device* table", id, s)
		}
	}
}

package normalize

import (
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestIdentityLogonEvents(t *testing.T) {
	m := newTestWinMapper(t)
	tests := []struct {
		name string
		xml  string
		want map[string]any // the IdentityLogonEvents row; nil when there must be none
	}{
		{"4769 kerberoasting RC4 service ticket", securityXML(4769, 2, 14337, "0x8020000000000000", "2024-03-10T12:00:00Z", 700100,
			"TargetUserName", "alice@CONTOSO.COM", "TargetDomainName", "CONTOSO.COM", "ServiceName", "svc-sql",
			"ServiceSid", "S-1-5-21-1-2-3-1157", "TicketOptions", "0x40810000", "TicketEncryptionType", "0x17",
			"IpAddress", "::ffff:10.20.30.42", "IpPort", "51234", "Status", "0x0", "LogonGuid", "{5f2e3c1a-0000-0000-0000-000000000000}",
			"TransmittedServices", "-"),
			map[string]any{
				"Timestamp": at(2024, 3, 10, 12, 0, 0, 0), "TimeGenerated": at(2024, 3, 10, 12, 0, 0, 0), "ActionType": "LogonSuccess",
				"Application": "Active Directory", "LogonType": "Resource access", "Protocol": "Kerberos", "AccountName": "alice",
				"AccountDomain": "CONTOSO.COM", "AccountUpn": "alice@contoso.com", "IPAddress": "10.20.30.42", "Port": int32(51234),
				"DestinationDeviceName": "DC01.corp.contoso.com", "ReportId": "700100",
				"AdditionalFields": schema.Dynamic(`{"EventId":"4769","ServiceName":"svc-sql","ServiceSid":"S-1-5-21-1-2-3-1157",` +
					`"TicketOptions":"0x40810000","TicketEncryptionType":"0x17","Status":"0x0","LogonGuid":"{5f2e3c1a-0000-0000-0000-000000000000}","EncryptionType":"Rc4Hmac"}`),
			}},
		{"4768 TGT for unknown user", securityXML(4768, 2, 14339, "0x8010000000000000", "2024-03-10T12:01:00Z", 700101,
			"TargetUserName", "bob.nope", "TargetDomainName", "CONTOSO", "TargetSid", "S-1-0-0", "ServiceName", "krbtgt",
			"TicketOptions", "0x40810010", "Status", "0x6", "TicketEncryptionType", "0xffffffff", "PreAuthType", "-",
			"IpAddress", "::ffff:198.51.100.7", "IpPort", "60001"),
			map[string]any{
				"Timestamp": at(2024, 3, 10, 12, 1, 0, 0), "TimeGenerated": at(2024, 3, 10, 12, 1, 0, 0), "ActionType": "LogonFailed",
				"FailureReason": "UnknownUser", "Application": "Active Directory", "LogonType": "Credentials validation", "Protocol": "Kerberos",
				"AccountName": "bob.nope", "AccountDomain": "CONTOSO", "IPAddress": "198.51.100.7", "Port": int32(60001),
				"DestinationDeviceName": "DC01.corp.contoso.com", "ReportId": "700101",
				"AdditionalFields": schema.Dynamic(`{"EventId":"4768","ServiceName":"krbtgt","TicketOptions":"0x40810010","TicketEncryptionType":"0xffffffff","Status":"0x6","EncryptionType":"Failure"}`),
			}},
		{"4771 wrong password", securityXML(4771, 0, 14339, "0x8010000000000000", "2024-03-10T12:02:00Z", 700102,
			"TargetUserName", "carol", "TargetSid", "S-1-5-21-1-2-3-1201", "ServiceName", "krbtgt/CONTOSO.COM", "TicketOptions", "0x40810010",
			"Status", "0x18", "PreAuthType", "2", "IpAddress", "::ffff:10.20.30.43", "IpPort", "50100"),
			map[string]any{
				"Timestamp": at(2024, 3, 10, 12, 2, 0, 0), "TimeGenerated": at(2024, 3, 10, 12, 2, 0, 0), "ActionType": "LogonFailed",
				"FailureReason": "WrongPassword", "Application": "Active Directory", "LogonType": "Credentials validation", "Protocol": "Kerberos",
				"AccountName": "carol", "AccountSid": "S-1-5-21-1-2-3-1201", "IPAddress": "10.20.30.43", "Port": int32(50100),
				"DestinationDeviceName": "DC01.corp.contoso.com", "ReportId": "700102",
				"AdditionalFields": schema.Dynamic(`{"EventId":"4771","ServiceName":"krbtgt/CONTOSO.COM","TicketOptions":"0x40810010","PreAuthType":"2","Status":"0x18"}`),
			}},
		{"4776 NTLM bad password", securityXML(4776, 0, 14336, "0x8010000000000000", "2024-03-10T12:03:00Z", 700103,
			"PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", "TargetUserName", "dave", "Workstation", "WS-0150", "Status", "0xc000006a"),
			map[string]any{
				"Timestamp": at(2024, 3, 10, 12, 3, 0, 0), "TimeGenerated": at(2024, 3, 10, 12, 3, 0, 0), "ActionType": "LogonFailed",
				"FailureReason": "WrongPassword", "Application": "Active Directory", "LogonType": "Credentials validation", "Protocol": "NTLM",
				"AccountName": "dave", "DeviceName": "WS-0150", "DestinationDeviceName": "DC01.corp.contoso.com", "ReportId": "700103",
				"AdditionalFields": schema.Dynamic(`{"EventId":"4776","Status":"0xc000006a","PackageName":"MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"}`),
			}},
		{"4624 local account is not an identity logon", securityXML(4624, 2, 12544, "0x8020000000000000", "2024-03-10T12:04:00Z", 700104,
			"TargetUserName", "admin", "TargetDomainName", "DC01", "LogonType", "3", "IpAddress", "10.0.0.9", "AuthenticationPackageName", "NTLM"),
			nil},
		{"4624 interactive logon is not an identity logon", securityXML(4624, 2, 12544, "0x8020000000000000", "2024-03-10T12:05:00Z", 700105,
			"TargetUserName", "erin", "TargetDomainName", "CONTOSO", "LogonType", "2", "IpAddress", "127.0.0.1"),
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := mapOne(t, m, tt.xml)
			if recs[0].Table.Name != "SecurityEvent" {
				t.Fatalf("first record is %s, want SecurityEvent", recs[0].Table.Name)
			}
			last := recs[len(recs)-1]
			if tt.want == nil {
				if last.Table.Name == "IdentityLogonEvents" {
					t.Fatalf("unexpected IdentityLogonEvents row %v", cells(last.Table, last.Row))
				}
				return
			}
			if last.Table.Name != "IdentityLogonEvents" {
				t.Fatalf("records %d, last %s", len(recs), last.Table.Name)
			}
			checkCells(t, last, tt.want)
		})
	}
}

func TestKerberoastingSecurityEventKept(t *testing.T) {
	m := newTestWinMapper(t)
	recs := mapOne(t, m, securityXML(4769, 2, 14337, "0x8020000000000000", "2024-03-10T12:00:00Z", 700100,
		"TargetUserName", "alice@CONTOSO.COM", "ServiceName", "svc-sql", "TicketEncryptionType", "0x17", "Status", "0x0"))
	if len(recs) != 2 {
		t.Fatalf("records %v", recs)
	}
	checkSome(t, recs[0], map[string]any{
		"EventID": int32(4769), "Activity": "4769 - A Kerberos service ticket was requested.", "ServiceName": "svc-sql",
		"EventData": `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data Name="TargetUserName">alice@CONTOSO.COM</Data>` +
			`<Data Name="ServiceName">svc-sql</Data><Data Name="TicketEncryptionType">0x17</Data><Data Name="Status">0x0</Data></EventData>`,
	})
}

package normalize

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func newTestNormalizer(t testing.TB) *Normalizer {
	t.Helper()
	n, err := NewNormalizer(schema.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// normalizeFile normalizes a testdata file and checks every record is valid.
func normalizeFile(t *testing.T, n *Normalizer, format string) []Item {
	t.Helper()
	b := readSample(t, fileOf(format))
	items, err := n.Normalize(format, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		for _, rec := range it.Records {
			checkRecord(t, rec)
		}
	}
	return items
}

func fileOf(format string) string {
	if format == "email-trace" {
		return format + ".ndjson"
	}
	if format == AuditdFormat {
		return "auditd.log"
	}
	return format + ".json"
}

// summary renders the records of each item as "Table" or "Table!reason".
func summary(items []Item) []string {
	var out []string
	for _, it := range items {
		var parts []string
		for _, r := range it.Records {
			s := r.Table.Name
			if r.Err != nil {
				s += "!" + r.Err.Reason
			}
			parts = append(parts, s)
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func TestFormatsRecords(t *testing.T) {
	n := newTestNormalizer(t)
	tests := []struct {
		format string
		want   []string
	}{
		{"entra-signin", []string{
			"SigninLogs AADSignInEventsBeta", "SigninLogs AADSignInEventsBeta", "SigninLogs AADSignInEventsBeta",
			"AADNonInteractiveUserSignInLogs AADSignInEventsBeta",
			"SigninLogs!category ServicePrincipalSignInLogs is not a user sign-in log",
			"SigninLogs!missing time (properties.createdDateTime or createdDateTime or time)",
			"SigninLogs!missing userPrincipalName and userId", "AuditLogs",
		}},
		{"entra-audit", []string{"AuditLogs", "AuditLogs", "AuditLogs!missing activityDisplayName"}},
		{"cloudtrail", []string{
			"AWSCloudTrail", "AWSCloudTrail", "AWSCloudTrail", "AWSCloudTrail!missing time (eventTime)",
			`AWSCloudTrail!readOnly: maybe does not fit ReadOnly`,
		}},
		{"o365-audit", []string{
			"OfficeActivity CloudAppEvents", "OfficeActivity CloudAppEvents", "OfficeActivity CloudAppEvents",
			"OfficeActivity CloudAppEvents", "UrlClickEvents", "OfficeActivity!missing time (CreationTime)",
			"OfficeActivity!RecordType six is not a number",
		}},
		{"email-trace", []string{
			"EmailEvents EmailAttachmentInfo EmailEvents EmailAttachmentInfo EmailUrlInfo", "EmailEvents",
			"EmailEvents!Status Pending is not a final delivery status", "EmailEvents!missing MessageTraceId",
			"EmailEvents!missing RecipientAddress",
			`EmailEvents!Received: event time "not a time" is not a timestamp`,
			"EmailEvents!json: unexpected end of input",
		}},
		{"url-click", []string{
			"UrlClickEvents", "UrlClickEvents", `UrlClickEvents!UrlClickAction "9" is not a Safe Links action`,
			"UrlClickEvents!missing URL",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got := summary(normalizeFile(t, n, tt.format))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestNormalizeUnknownFormat(t *testing.T) {
	_, err := newTestNormalizer(t).Normalize("nope", nil)
	if err == nil || err.Error() != `unknown format "nope" (want one of auditd, cloudtrail, email-trace, entra-audit, entra-signin, github-audit, o365-audit, okta, suricata-eve, url-click, zeek)` {
		t.Errorf("err = %v", err)
	}
}

func TestSplitJSON(t *testing.T) {
	tests := []struct {
		in   string
		want []string // Raw of each item, or "!error"
	}{
		{`[{"a":1}, {"b":2}]`, []string{`{"a":1}`, `{"b":2}`}},
		{"{\"a\":1}\n{\"b\":\n2}\n", []string{`{"a":1}`, "{\"b\":\n2}"}},
		{`{"Records":[{"a":1},3]}`, []string{`{"a":1}`, "!record 1 is not a JSON object"}},
		{"{\"a\":}\n{\"b\":2}", []string{"!json: invalid character '}' looking for beginning of value", `{"b":2}`}},
		{"\ufeff 7", []string{"!not a JSON object"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, it := range splitJSON([]byte(tt.in), []string{"Records"}) {
			if it.Err != nil {
				got = append(got, "!"+it.Err.Error())
				continue
			}
			got = append(got, string(it.Raw))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitJSONOffsets(t *testing.T) {
	in := "{\"Records\":[\n {\"a\":1},\n {\"b\":[1,2]}]}\n[{\"c\":3}, {\"d\":4}]\n{\"e\":5}"
	var got []int
	for _, it := range splitJSON([]byte(in), []string{"Records"}) {
		got = append(got, it.Offset)
	}
	if fmt.Sprint(got) != "[14 24 39 48 57]" {
		t.Errorf("offsets %v", got)
	}
}

// FuzzNormalize runs every format over arbitrary input: no panics, and every record either an
// error with a reason or a row of valid values.
func FuzzNormalize(f *testing.F) {
	n := newTestNormalizer(f)
	formats := n.Formats()
	for i, fm := range formats {
		b := readSample(f, fileOf(fm))
		f.Add(uint8(i), b)
	}
	f.Add(uint8(0), []byte(`{"value":[{"createdDateTime":"2024-01-01T00:00:00Z","userId":"u","location":{"geoCoordinates":1}}]}`))
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		items, err := n.Normalize(formats[int(which)%len(formats)], b)
		checkItems(t, b, items, err)
	})
}

func TestFormatsCells(t *testing.T) {
	n := newTestNormalizer(t)
	dyn := func(s string) schema.Dynamic { return schema.Dynamic(s) }
	tests := []struct {
		name         string
		format       string
		item, record int
		want         map[string]any
	}{
		{"graph sign-in failure", "entra-signin", 0, 0, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 8, 15, 42, 0), "CreatedDateTime": at(2024, 3, 10, 8, 15, 42, 0),
			"UserPrincipalName": "alice@contoso.com", "UserDisplayName": "Alice Example", "UserId": "d9a2c3b4-1111-4e5f-8a9b-0c1d2e3f4a5b",
			"AppDisplayName": "Office 365 Exchange Online", "AppId": "00000002-0000-0ff1-ce00-000000000000", "IPAddress": "203.0.113.77",
			"Location": "NL", "ResultType": "50126", "ResultDescription": "Error validating credentials due to invalid username or password.",
			"ConditionalAccessStatus": "notApplied", "ClientAppUsed": "Browser", "IsInteractive": true, "RiskEventTypes": "[]",
			"ResourceIdentity": "00000002-0000-0ff1-ce00-000000000000", "ResourceId": nil, "Category": "SignInLogs",
			"OperationName": "Sign-in activity", "Identity": "Alice Example", "SourceSystem": "Azure AD",
			"Status":          dyn(`{"errorCode":50126,"failureReason":"Error validating credentials due to invalid username or password.","additionalDetails":null}`),
			"LocationDetails": dyn(`{"city":"Amsterdam","state":"Noord-Holland","countryOrRegion":"NL","geoCoordinates":{"altitude":null,"latitude":52.37403,"longitude":4.88969}}`),
		}},
		{"graph sign-in risky success", "entra-signin", 1, 1, map[string]any{
			"Application": "OfficeHome", "AccountUpn": "alice@contoso.com", "ErrorCode": int32(0), "RiskLevelDuringSignIn": int32(100),
			"RiskLevelAggregated": int32(50), "RiskState": int32(4), "ConditionalAccessStatus": int32(0), "LogonType": `["interactiveUser"]`,
			"Country": "NL", "City": "Amsterdam", "Latitude": "52.37403", "IsManaged": int32(0), "Browser": "Edge 122.0.0", "IsGuestUser": false,
		}},
		{"diagnostic export", "entra-signin", 2, 0, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 8, 20, 11, 123000000), "ResultType": "0", "ResultSignature": "None", "AADTenantId": "72f988bf-0000-4000-8000-000000000000",
			"ResourceId": "/tenants/72f988bf-0000-4000-8000-000000000000/providers/Microsoft.aadiam", "ResourceIdentity": "00000003-0000-0000-c000-000000000000",
			"Level": "4", "Location": "US", "Identity": "Bob Builder", "AuthenticationRequirement": "multiFactorAuthentication",
			"MfaDetail":              dyn(`{"authMethod":"Mobile app notification","authDetail":"Notification approved"}`),
			"DeviceDetail":           dyn(`{"deviceId":"b5c6d7e8-0000-4000-8000-000000000003","displayName":"BOB-LAPTOP","operatingSystem":"Windows 10","browser":"Chrome 122.0.0","isCompliant":true,"isManaged":true,"trustType":"Azure AD joined"}`),
			"AutonomousSystemNumber": "8075", "TokenIssuerType": "AzureAD", "DurationMs": int64(0),
		}},
		{"non-interactive", "entra-signin", 3, 0, map[string]any{"Category": "NonInteractiveUserSignInLogs", "DeviceDetail": `{"operatingSystem":"Windows 10"}`, "Status": `{"errorCode":0}`}},
		{"role assignment", "entra-audit", 0, 0, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 10, 20, 0, 123456700), "OperationName": "Add member to role", "ActivityDisplayName": "Add member to role",
			"Category": "RoleManagement", "Result": "success", "AADOperationType": "Assign", "LoggedByService": "Core Directory",
			"Identity": "Alice Example", "Id": "Directory_1a2b3c4d-0000-4000-8000-000000000050", "SourceSystem": "Azure AD", "OperationVersion": "1.0",
			"TargetResources": dyn(`[{"id":"e1f2a3b4-3333-4e5f-8a9b-0c1d2e3f4a5b","displayName":"Mallory","type":"User","userPrincipalName":"mallory@contoso.com",` +
				`"modifiedProperties":[{"displayName":"Role.DisplayName","oldValue":null,"newValue":"\"Global Administrator\""}]}]`),
		}},
		{"password reset from the diagnostic export", "entra-audit", 1, 0, map[string]any{
			"Result": "failure", "ResultReason": "User did not pass the verification", "Identity": "Self-service Password Reset",
			"AADTenantId": "72f988bf-0000-4000-8000-000000000000", "ResultSignature": "None", "Level": "4", "DurationMs": int64(0),
		}},
		{"assumed role with MFA", "cloudtrail", 1, 0, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 9, 1, 30, 0), "EventName": "CreateAccessKey", "EventSource": "iam.amazonaws.com", "AWSRegion": "us-east-1",
			"SourceIpAddress": "203.0.113.77", "UserIdentityType": "AssumedRole", "UserIdentityArn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
			"UserIdentityAccountId": "111122223333", "UserIdentityPrincipalid": "AROAEXAMPLEROLEID:alice", "UserIdentityAccessKeyId": "ASIAEXAMPLEKEY",
			"SessionMfaAuthenticated": true, "SessionCreationDate": at(2024, 3, 10, 8, 55, 0, 0), "SessionIssuerUserName": "Admin",
			"SessionIssuerArn": "arn:aws:iam::111122223333:role/Admin", "RequestParameters": `{"userName":"backdoor"}`, "ReadOnly": false,
			"ManagementEvent": true, "RecipientAccountId": "111122223333", "AwsRequestId": "9d8c7b6a-0000-4000-8000-000000000005", "Category": "Management",
		}},
		{"access denied", "cloudtrail", 2, 0, map[string]any{
			"ErrorCode": "AccessDenied", "UserIdentityUserName": "bob", "ResponseElements": nil,
			"Resources": `[{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::finance-reports"}]`,
		}},
		{"inbox rule", "o365-audit", 0, 0, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 10, 0, 0, 0), "Operation": "New-InboxRule", "OfficeWorkload": "Exchange", "RecordType": "ExchangeAdmin",
			"UserType": "Admin", "UserId": "alice@contoso.com", "ClientIP": "203.0.113.77:50412", "OfficeId": "8a1b2c3d-0000-4000-8000-000000000010",
			"OfficeObjectId": `contoso.com/Users/alice\Forward all`, "ResultStatus": "True", "ExternalAccess": "false",
			"Parameters": `[{"Name":"AlwaysDeleteOutputFormat","Value":"True"},{"Name":"Name","Value":"Forward all"},{"Name":"ForwardTo","Value":"attacker@evil.example"},{"Name":"StopProcessingRules","Value":"True"}]`,
		}},
		{"inbox rule in Defender", "o365-audit", 0, 1, map[string]any{
			"ActionType": "New-InboxRule", "Application": "Microsoft Exchange Online", "ApplicationId": int32(20893), "IPAddress": "203.0.113.77",
			"AccountDisplayName": "alice@contoso.com", "IsAdminOperation": true, "AccountType": "Admin", "ActivityType": "Create",
			"ReportId": "8a1b2c3d-0000-4000-8000-000000000010",
		}},
		{"file download", "o365-audit", 1, 0, map[string]any{
			"RecordType": "SharePointFileOperation", "Site_Url": "https://contoso.sharepoint.com/sites/Finance/", "SourceFileName": "Q1 payroll.xlsx",
			"SourceFileExtension": "xlsx", "Site_": "f3a4b5c6-0000-4000-8000-000000000016", "UserType": "Regular", "ItemType": "File",
		}},
		{"file download in Defender", "o365-audit", 1, 1, map[string]any{
			"Application": "Microsoft SharePoint Online", "ObjectName": "Q1 payroll.xlsx", "ObjectType": "File", "ActivityType": "Download",
		}},
		{"mail items accessed", "o365-audit", 2, 0, map[string]any{
			"RecordType": "ExchangeItemAggregated", "Client_IPAddress": "203.0.113.77", "ClientIP": "203.0.113.77", "Logon_Type": "0",
			"OperationProperties": dyn(`[{"Name":"MailAccessType","Value":"Bind"},{"Name":"IsThrottled","Value":"False"}]`),
		}},
		{"azure ad logon", "o365-audit", 3, 1, map[string]any{"AccountObjectId": "d9a2c3b4-1111-4e5f-8a9b-0c1d2e3f4a5b", "ActivityType": "Login", "Application": "Microsoft Azure", "ApplicationId": int32(12260)}},
		{"click through in audit", "o365-audit", 4, 0, map[string]any{
			"ActionType": "ClickBlocked", "IsClickedThrough": true, "Workload": "Email", "NetworkMessageId": "0e1f2a3b-0000-4000-8000-000000000024",
			"Timestamp": at(2024, 3, 10, 10, 7, 58, 0),
		}},
		{"phish to alice", "email-trace", 0, 0, map[string]any{
			"Timestamp": at(2024, 3, 10, 9, 58, 12, 0), "NetworkMessageId": "6f1d2c3b-0000-4000-8000-000000000030",
			"InternetMessageId": "<CAF7x9Q@mail.contoso-secure.example>", "SenderFromAddress": "it-helpdesk@contoso-secure.example",
			"SenderMailFromAddress": "bounce@mailer.contoso-secure.example", "SenderFromDomain": "contoso-secure.example",
			"SenderMailFromDomain": "mailer.contoso-secure.example", "SenderIPv4": "203.0.113.50", "RecipientEmailAddress": "alice@contoso.com",
			"DeliveryAction": "Delivered", "DeliveryLocation": "Inbox/folder", "ThreatTypes": "Phish", "EmailDirection": "Inbound",
			"DetectionMethods": `{"Phish":["URL detonation reputation"]}`, "AttachmentCount": int32(1), "UrlCount": int32(1),
			"AuthenticationDetails": `{"SPF":"pass","DKIM":"none","DMARC":"fail","CompAuth":"fail"}`, "BulkComplaintLevel": int32(0),
		}},
		{"attachment", "email-trace", 0, 3, map[string]any{
			"RecipientEmailAddress": "bob@contoso.com", "FileName": "Password_Policy.docm", "FileType": "docm", "FileSize": int64(40211),
			"SHA256": "3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566aabb", "ThreatTypes": "Malware", "ThreatNames": "Trojan:O97M/Sadoca.C!ml",
		}},
		{"url", "email-trace", 0, 4, map[string]any{"Url": "https://login.contoso-secure.example/owa", "UrlDomain": "login.contoso-secure.example", "UrlLocation": "Body"}},
		{"spam over IPv6", "email-trace", 1, 0, map[string]any{"DeliveryAction": "Junked", "DeliveryLocation": "Junk folder", "SenderIPv6": "2001:db8::25", "SenderFromAddress": "news@bulk.example"}},
		{"allowed click", "url-click", 0, 0, map[string]any{
			"Timestamp": at(2024, 3, 10, 10, 11, 59, 0), "Url": "https://login.contoso-secure.example/owa", "ActionType": "ClickAllowed",
			"AccountUpn": "alice@contoso.com", "IPAddress": "203.0.113.77", "IsClickedThrough": false, "Workload": "Email",
			"NetworkMessageId": "6f1d2c3b-0000-4000-8000-000000000030", "ReportId": "9b2c3d4e-0000-4000-8000-000000000040",
		}},
		{"blocked click in Teams", "url-click", 1, 0, map[string]any{
			"ActionType": "ClickBlocked", "Workload": "Teams", "ThreatTypes": "Phish", "DetectionMethods": "URL detonation reputation",
			"UrlChain": `["https://login.contoso-secure.example/owa"]`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := normalizeFile(t, n, tt.format)
			rec := items[tt.item].Records[tt.record]
			if rec.Err != nil {
				t.Fatal(rec.Err)
			}
			checkSome(t, rec, tt.want)
		})
	}
}

func BenchmarkNormalize(b *testing.B) {
	n := newTestNormalizer(b)
	for _, fm := range n.Formats() {
		data := readSample(b, fileOf(fm))
		items, _ := n.Normalize(fm, data)
		b.Run(fm, func(b *testing.B) {
			benchNormalize(b, n, fm, data, len(items), "ns/record")
		})
	}
}

package normalize

import (
	"net/netip"
	"strconv"
	"strings"
)

// Office 365 Management Activity API audit records ("o365-audit").
//
// Input: the JSON array a content blob of the Management Activity API returns
// (GET {contentUri}), one record per line, or an Azure Monitor style {"records":[...]}. Each
// record is the common audit schema (CreationTime without a zone, Id, Operation,
// OrganizationId, RecordType as a number, ResultStatus, UserKey, UserType as a number,
// Workload, ClientIP, UserId, ObjectId) plus its workload's members: Exchange admin cmdlets
// (Parameters [{Name,Value}], ExternalAccess, OriginatingServer), Exchange mailbox items
// (MailboxOwnerUPN, LogonType, ClientIPAddress, ClientInfoString, Item, Folders,
// OperationProperties for MailItemsAccessed), SharePoint and OneDrive files (SiteUrl,
// SourceFileName, SourceFileExtension, SourceRelativeUrl, ItemType, UserAgent, EventSource),
// Azure AD (ActorIpAddress, Actor, Target, ExtendedProperties, ApplicationId,
// AzureActiveDirectoryEventType) and Teams (TeamName, ChannelName, Members, ...).
//
// Each record becomes an OfficeActivity row as Sentinel's Office 365 connector fills it (members
// under their own names; Id -> OfficeId, Workload -> OfficeWorkload, ObjectId ->
// OfficeObjectId, SiteUrl -> Site_Url, RecordType and UserType as their names, Parameters and
// other lists as JSON text) and a CloudAppEvents row as Defender XDR shapes it (ActionType the
// operation, Application and ApplicationId the Defender for Cloud Apps app, IPAddress without
// port, RawEventData the whole record). Safe Links click records (RecordType 41,
// ThreatIntelligenceUrl) become UrlClickEvents rows instead (see urlclick.go).

const o365Format = "o365-audit"

// o365RecordTypes names the AuditLogRecordType values.
var o365RecordTypes = map[int]string{
	1: "ExchangeAdmin", 2: "ExchangeItem", 3: "ExchangeItemGroup", 4: "SharePoint", 6: "SharePointFileOperation",
	7: "OneDrive", 8: "AzureActiveDirectory", 9: "AzureActiveDirectoryAccountLogon", 10: "DataCenterSecurityCmdlet",
	11: "ComplianceDLPSharePoint", 13: "ComplianceDLPExchange", 14: "SharePointSharingOperation",
	15: "AzureActiveDirectoryStsLogon", 16: "SkypeForBusinessPSTNUsage", 17: "SkypeForBusinessUsersBlocked",
	18: "SecurityComplianceCenterEOPCmdlet", 19: "ExchangeAggregatedOperation", 20: "PowerBIAudit", 21: "CRM",
	22: "Yammer", 23: "SkypeForBusinessCmdlets", 24: "Discovery", 25: "MicrosoftTeams", 28: "ThreatIntelligence",
	29: "MailSubmission", 30: "MicrosoftFlow", 31: "AeD", 32: "MicrosoftStream", 33: "ComplianceDLPSharePointClassification",
	34: "ThreatFinder", 35: "Project", 36: "SharePointListOperation", 37: "SharePointCommentOperation",
	38: "DataGovernance", 39: "Kaizala", 40: "SecurityComplianceAlerts", 41: "ThreatIntelligenceUrl",
	42: "SecurityComplianceInsights", 43: "MIPLabel", 44: "WorkplaceAnalytics", 45: "PowerAppsApp", 46: "PowerAppsPlan",
	47: "ThreatIntelligenceAtpContent", 48: "LabelContentExplorer", 49: "TeamsHealthcare", 50: "ExchangeItemAggregated",
	51: "HygieneEvent", 52: "DataInsightsRestApiAudit", 53: "InformationBarrierPolicyApplication",
	54: "SharePointListItemOperation", 55: "SharePointContentTypeOperation", 56: "SharePointFieldOperation",
	57: "MicrosoftTeamsAdmin", 58: "HRSignal", 59: "MicrosoftTeamsDevice", 60: "MicrosoftTeamsAnalytics",
	61: "InformationWorkerProtection", 62: "Campaign", 63: "DLPEndpoint", 64: "AirInvestigation", 65: "Quarantine",
	66: "MicrosoftForms",
}

// o365UserTypes names the UserType values.
var o365UserTypes = []string{"Regular", "Reserved", "Admin", "DcAdmin", "System", "Application", "ServicePrincipal", "CustomPolicy", "SystemPolicy"}

// o365Renamed maps record members to the OfficeActivity columns of another name.
var o365Renamed = map[string]string{
	"Id": "OfficeId", "Workload": "OfficeWorkload", "ObjectId": "OfficeObjectId", "SiteUrl": "Site_Url", "Site": "Site_",
	"LogonType": "Logon_Type", "ClientIPAddress": "Client_IPAddress", "AzureActiveDirectoryEventType": "AzureActiveDirectory_EventType",
	"Target": "AADTarget", "OrganizationId": "OfficeTenantId",
}

// o365Skip are OfficeActivity columns filled by hand.
var o365Skip = withSkip(commonSkip, "RecordType", "UserType", "Logon_Type")

// o365Apps are the Defender for Cloud Apps applications of each workload, with their ids.
var o365Apps = map[string]struct {
	name string
	id   string
}{
	"Exchange": {"Microsoft Exchange Online", "20893"}, "SharePoint": {"Microsoft SharePoint Online", "20892"},
	"OneDrive": {"Microsoft OneDrive for Business", "15600"}, "MicrosoftTeams": {"Microsoft Teams", "28375"},
	"AzureActiveDirectory": {"Microsoft Azure", "12260"}, "PowerBI": {"Microsoft Power BI", "26324"},
}

// o365Records maps one audit record.
func (n *Normalizer) o365Records(o jobj) []Record {
	t, err := requireTime(o, "CreationTime")
	if err != nil {
		return []Record{n.fail(o365Format, "OfficeActivity", err.Error())}
	}
	if o.text("Operation") == "" {
		return []Record{n.fail(o365Format, "OfficeActivity", "missing Operation")}
	}
	rt, err := strconv.Atoi(o.text("RecordType"))
	if err != nil {
		return []Record{n.fail(o365Format, "OfficeActivity", "RecordType "+clip(o.text("RecordType"))+" is not a number")}
	}
	if rt == 41 {
		return n.urlClickRecords(o)
	}
	return []Record{n.officeActivity(o, t, rt), n.cloudAppEvent(o, t, rt)}
}

// officeActivity maps a record to Sentinel's OfficeActivity.
func (n *Normalizer) officeActivity(o jobj, t any, rt int) Record {
	r := n.row("OfficeActivity")
	r.setValue("TimeGenerated", t)
	n.putSame(r, o, o365Skip)
	for src, col := range o365Renamed {
		r.put(col, o.get(src))
	}
	r.set("RecordType", recordTypeName(rt))
	r.set("UserType", userTypeName(o.text("UserType")))
	r.set("Logon_Type", o.text("LogonType"))
	r.fill("ClientIP", o.text("ClientIPAddress"))
	r.fill("ClientIP", o.text("ActorIpAddress"))
	return r.done(o365Format)
}

func recordTypeName(rt int) string {
	if name := o365RecordTypes[rt]; name != "" {
		return name
	}
	return strconv.Itoa(rt)
}

func userTypeName(s string) string {
	if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(o365UserTypes) {
		return o365UserTypes[i]
	}
	return s
}

// o365ActivityTypes classify common operations as Defender for Cloud Apps' activity types.
var o365ActivityTypes = map[string]string{
	"FileDownloaded": "Download", "FileSyncDownloadedFull": "Download", "FileUploaded": "Upload",
	"FileSyncUploadedFull": "Upload", "FileAccessed": "Read", "FilePreviewed": "Read", "MailItemsAccessed": "Read",
	"FileModified": "Edit", "FileDeleted": "Delete", "FileRenamed": "Edit", "FileMoved": "Edit",
	"SharingSet": "Share", "AnonymousLinkCreated": "Share", "SecureLinkCreated": "Share", "AddedToSecureLink": "Share",
	"UserLoggedIn": "Login", "UserLoginFailed": "Login", "Send": "Send", "SendAs": "Send", "SendOnBehalf": "Send",
	"New-InboxRule": "Create", "Set-InboxRule": "Edit", "Remove-InboxRule": "Delete", "UpdateInboxRules": "Edit",
	"Set-Mailbox": "Edit", "New-TransportRule": "Create", "Add-MailboxPermission": "Edit",
}

// cloudAppEvent maps a record to Defender's CloudAppEvents.
func (n *Normalizer) cloudAppEvent(o jobj, t any, rt int) Record {
	r := n.row("CloudAppEvents")
	r.setValue("Timestamp", t)
	r.setValue("TimeGenerated", t)
	op := o.text("Operation")
	r.set("ActionType", op)
	if app, ok := o365Apps[o.text("Workload")]; ok {
		r.set("Application", app.name)
		r.set("ApplicationId", app.id)
	}
	if key := o.text("UserKey"); looksLikeGUID(key) {
		r.set("AccountObjectId", key)
	}
	r.set("AccountId", o.text("UserId"))
	r.set("AccountDisplayName", o.text("UserId"))
	ut := userTypeName(o.text("UserType"))
	r.set("AccountType", ut)
	r.setValue("IsAdminOperation", ut == "Admin" || ut == "DcAdmin" || rt == 1)
	for _, k := range []string{"ClientIP", "ClientIPAddress", "ActorIpAddress"} {
		if ip := cleanIP(o.text(k)); ip != "" {
			r.set("IPAddress", ip)
			break
		}
	}
	r.set("UserAgent", o.text("UserAgent"))
	r.set("ActivityType", o365ActivityTypes[op])
	r.set("ObjectId", o.text("ObjectId"))
	name := o.text("SourceFileName")
	if name == "" {
		name = o.text("ObjectId")
	}
	r.set("ObjectName", name)
	r.set("ObjectType", o.text("ItemType"))
	r.set("ReportId", o.text("Id"))
	r.put("RawEventData", o)
	return r.done(o365Format)
}

// cleanIP returns the address in "1.2.3.4", "1.2.3.4:5678", "[::1]:80" or "::ffff:1.2.3.4", or "".
func cleanIP(s string) string {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().String()
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap().String()
	}
	return ""
}

// looksLikeGUID reports whether s has the 8-4-4-4-12 hex form.
func looksLikeGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

package simulate

import (
	"strings"
	"time"
)

// Office 365 Management Activity API audit builders -> OfficeActivity and CloudAppEvents.

const orgTenant = TenantID

type o365Common struct {
	CreationTime   string `json:"CreationTime"`
	ID             string `json:"Id"`
	Operation      string `json:"Operation"`
	OrganizationID string `json:"OrganizationId"`
	RecordType     int    `json:"RecordType"`
	ResultStatus   string `json:"ResultStatus,omitempty"`
	UserKey        string `json:"UserKey"`
	UserType       int    `json:"UserType"`
	Version        int    `json:"Version"`
	Workload       string `json:"Workload"`
	ClientIP       string `json:"ClientIP"`
	ObjectID       string `json:"ObjectId"`
	UserID         string `json:"UserId"`
}

type o365Param struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type o365InboxRule struct {
	o365Common
	ExternalAccess    bool        `json:"ExternalAccess"`
	OriginatingServer string      `json:"OriginatingServer"`
	Parameters        []o365Param `json:"Parameters"`
	SessionID         string      `json:"SessionId"`
}

type o365File struct {
	o365Common
	EventSource         string `json:"EventSource"`
	ItemType            string `json:"ItemType"`
	UserAgent           string `json:"UserAgent"`
	SiteURL             string `json:"SiteUrl"`
	SourceFileName      string `json:"SourceFileName"`
	SourceFileExtension string `json:"SourceFileExtension"`
	SourceRelativeURL   string `json:"SourceRelativeUrl"`
}

type o365Mail struct {
	o365Common
	MailboxOwnerUPN  string `json:"MailboxOwnerUPN"`
	LogonType        int    `json:"LogonType"`
	ClientInfoString string `json:"ClientInfoString"`
	ClientIPAddress  string `json:"ClientIPAddress"`
}

type o365Login struct {
	o365Common
	AzureActiveDirectoryEventType int    `json:"AzureActiveDirectoryEventType"`
	ActorIPAddress                string `json:"ActorIpAddress"`
	ApplicationID                 string `json:"ApplicationId"`
}

const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0"

func (e *emitter) o365Common(t time.Time, op string, rt int, workload string, u *User, ip, object string) o365Common {
	return o365Common{CreationTime: o365Time(t), ID: e.guid(), Operation: op, OrganizationID: orgTenant, RecordType: rt,
		ResultStatus: "Succeeded", UserKey: u.ObjectID, UserType: 0, Version: 1, Workload: workload, ClientIP: ip,
		ObjectID: object, UserID: u.UPN}
}

// o365InboxRule is New-InboxRule (Exchange admin audit) with a forwarding target.
func (e *emitter) o365InboxRule(t time.Time, u *User, ip, name, forwardTo string) Record {
	c := e.o365Common(t, "New-InboxRule", 1, "Exchange", u, ip, DomainDNS+"/Users/"+u.SAM+`\`+name)
	c.ResultStatus = "True"
	r := o365InboxRule{o365Common: c, OriginatingServer: "BN0PR04MB8000 (15.20.8207.000)", SessionID: e.guid(),
		Parameters: []o365Param{{"Name", name}, {"ForwardTo", forwardTo}, {"MarkAsRead", "True"}, {"StopProcessingRules", "True"}}}
	return e.json(t, FormatO365Audit, &r)
}

// o365File is a SharePoint or OneDrive file operation (FileAccessed, FileDownloaded, ...).
func (e *emitter) o365File(t time.Time, op string, u *User, ip, site, file string) Record {
	workload, rt := "SharePoint", 6
	if strings.Contains(site, "-my.sharepoint.com") {
		workload = "OneDrive"
	}
	ext := ""
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		ext = file[i+1:]
	}
	c := e.o365Common(t, op, rt, workload, u, ip, site+"Shared Documents/"+file)
	c.ResultStatus = ""
	r := o365File{o365Common: c, EventSource: "SharePoint", ItemType: "File", UserAgent: browserUA, SiteURL: site,
		SourceFileName: file, SourceFileExtension: ext, SourceRelativeURL: "Shared Documents"}
	return e.json(t, FormatO365Audit, &r)
}

// o365MailItemsAccessed is MailItemsAccessed (mailbox audit) by the owner.
func (e *emitter) o365MailItemsAccessed(t time.Time, u *User, ip string) Record {
	c := e.o365Common(t, "MailItemsAccessed", 50, "Exchange", u, ip, "")
	r := o365Mail{o365Common: c, MailboxOwnerUPN: u.UPN, LogonType: 0, ClientInfoString: "Client=OWA;Action=ViaProxy", ClientIPAddress: ip}
	return e.json(t, FormatO365Audit, &r)
}

// o365UserLoggedIn is UserLoggedIn (Azure AD STS logon audit).
func (e *emitter) o365UserLoggedIn(t time.Time, u *User, ip string) Record {
	c := e.o365Common(t, "UserLoggedIn", 15, "AzureActiveDirectory", u, ip, "00000003-0000-0ff1-ce00-000000000000")
	c.ResultStatus = "Success"
	r := o365Login{o365Common: c, ActorIPAddress: ip, ApplicationID: "4765445b-32c6-49b0-83e6-1d93765276ca"}
	return e.json(t, FormatO365Audit, &r)
}

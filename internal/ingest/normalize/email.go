package normalize

import (
	"net/netip"
	"net/url"
	"strings"
)

// Mail flow records ("email-trace").
//
// There is no one open wire format for "what the mail gateway decided", so Vigil reads the
// shape of an Exchange Online message trace row (Get-MessageTrace / the Graph message trace
// API) extended with the Defender for Office 365 verdict fields, one JSON object per message:
//
//	{"Received": "2024-03-10T09:58:12Z",         // required: when the message was received
//	 "MessageTraceId": "guid",                    // required: -> NetworkMessageId
//	 "MessageId": "<id@host>",                     // -> InternetMessageId
//	 "SenderAddress": "bounce@mailer.example",     // envelope MAIL FROM -> SenderMailFromAddress
//	 "FromAddress": "ceo@example.com",             // header From -> SenderFromAddress (default SenderAddress)
//	 "FromDisplayName": "CEO",                     // -> SenderDisplayName
//	 "RecipientAddress": "a@contoso.com" | [...],  // required: one EmailEvents row per recipient
//	 "Subject": "...", "FromIP": "203.0.113.5",    // FromIP -> SenderIPv4 or SenderIPv6
//	 "Status": "Delivered" | "FilteredAsSpam" | "Quarantined" | "Failed" | "Dropped",
//	 "Direction": "Inbound" | "Outbound" | "Intra-org",
//	 "DeliveryAction": "...", "DeliveryLocation": "...",   // optional, override what Status gives
//	 "ThreatTypes": ["Phish"], "ThreatNames": [...], "DetectionMethods": {"Phish": ["..."]},
//	 "ConfidenceLevel": {"Phish": "High"}, "BulkComplaintLevel": 3,
//	 "AuthenticationDetails": {"SPF": "fail", "DKIM": "none", "DMARC": "fail", "CompAuth": "fail"},
//	 "Connectors", "EmailLanguage", "EmailClusterId", "OrgLevelAction", "OrgLevelPolicy",
//	 "UserLevelAction", "UserLevelPolicy", "EmailAction", "EmailActionPolicy": as Defender names them,
//	 "Attachments": [{"FileName", "FileType", "SHA256", "FileSize", "ThreatTypes", "ThreatNames", "DetectionMethods"}],
//	 "Urls": [{"Url": "https://...", "UrlLocation": "Body" | "Attachment" | "Subject" | "QRCode"}]}
//
// Status maps to Defender's DeliveryAction and DeliveryLocation: Delivered -> Delivered,
// "Inbox/folder" ("On-premises/external" when outbound); FilteredAsSpam -> Junked, "Junk
// folder"; Quarantined -> Blocked, Quarantine; Failed -> Blocked, Failed; Dropped -> Blocked,
// Dropped. ThreatTypes and ThreatNames are joined with ", "; DetectionMethods,
// ConfidenceLevel and AuthenticationDetails are kept as JSON text, as in Defender.
//
// Each recipient gets an EmailEvents row and an EmailAttachmentInfo row per attachment; each
// URL an EmailUrlInfo row (per message, as Defender has it).

const emailFormat = "email-trace"

// Bounds on what one message record may expand to.
const (
	maxEmailRecipients  = 500
	maxEmailAttachments = 100
	maxEmailURLs        = 1000
)

// emailStatuses maps message trace Status to DeliveryAction and DeliveryLocation.
var emailStatuses = map[string][2]string{
	"delivered": {"Delivered", "Inbox/folder"}, "filteredasspam": {"Junked", "Junk folder"},
	"quarantined": {"Blocked", "Quarantine"}, "failed": {"Blocked", "Failed"}, "dropped": {"Blocked", "Dropped"},
}

// emailSame maps EmailEvents columns to the members of the same meaning.
var emailSame = map[string]string{
	"InternetMessageId": "MessageId", "SenderMailFromAddress": "SenderAddress", "SenderDisplayName": "FromDisplayName",
	"Subject": "Subject", "EmailDirection": "Direction", "BulkComplaintLevel": "BulkComplaintLevel",
	"Connectors": "Connectors", "EmailLanguage": "EmailLanguage", "EmailClusterId": "EmailClusterId",
	"OrgLevelAction": "OrgLevelAction", "OrgLevelPolicy": "OrgLevelPolicy", "UserLevelAction": "UserLevelAction",
	"UserLevelPolicy": "UserLevelPolicy", "EmailAction": "EmailAction", "EmailActionPolicy": "EmailActionPolicy",
	"EmailActionPolicyGuid": "EmailActionPolicyGuid", "SenderObjectId": "SenderObjectId",
}

// emailMessage is what every row of one message shares.
type emailMessage struct {
	o           jobj
	t           any
	id, from    string
	attachments []any
	urls        []any
}

// emailRecords maps one message to its EmailEvents, EmailAttachmentInfo and EmailUrlInfo rows.
func (n *Normalizer) emailRecords(o jobj) []Record {
	const table = "EmailEvents"
	t, err := requireTime(o, "Received")
	if err != nil {
		return []Record{n.fail(emailFormat, table, err.Error())}
	}
	m := emailMessage{o: o, t: t, id: o.text("MessageTraceId"), from: o.text("FromAddress")}
	if m.id == "" {
		return []Record{n.fail(emailFormat, table, "missing MessageTraceId")}
	}
	if m.from == "" {
		m.from = o.text("SenderAddress")
	}
	rcpts := stringList(o.get("RecipientAddress"))
	if len(rcpts) == 0 {
		return []Record{n.fail(emailFormat, table, "missing RecipientAddress")}
	}
	m.attachments, _ = o.get("Attachments").([]any)
	m.urls, _ = o.get("Urls").([]any)
	if len(rcpts) > maxEmailRecipients || len(m.attachments) > maxEmailAttachments || len(m.urls) > maxEmailURLs {
		return []Record{n.fail(emailFormat, table, "too many recipients, attachments or URLs")}
	}
	action, location, ok := deliveryOf(o)
	if !ok {
		return []Record{n.fail(emailFormat, table, "Status "+clip(o.text("Status"))+" is not a final delivery status")}
	}
	var recs []Record
	for _, rcpt := range rcpts {
		recs = append(recs, n.emailEvent(&m, rcpt, action, location))
		for _, a := range m.attachments {
			recs = append(recs, n.emailAttachment(&m, rcpt, a))
		}
	}
	for _, u := range m.urls {
		recs = append(recs, n.emailURL(&m, u))
	}
	return recs
}

// deliveryOf gives the DeliveryAction and DeliveryLocation of a message.
func deliveryOf(o jobj) (action, location string, ok bool) {
	st, known := emailStatuses[strings.ToLower(o.text("Status"))]
	action, location = st[0], st[1]
	if known && action == "Delivered" && strings.EqualFold(o.text("Direction"), "Outbound") {
		location = "On-premises/external"
	}
	if a := o.text("DeliveryAction"); a != "" {
		action, known = a, true
	}
	if l := o.text("DeliveryLocation"); l != "" {
		location = l
	}
	return action, location, known
}

func (n *Normalizer) emailEvent(m *emailMessage, rcpt, action, location string) Record {
	r := n.row("EmailEvents")
	emailCommon(r, m)
	for col, src := range emailSame {
		r.put(col, m.o.get(src))
	}
	r.set("SenderFromAddress", m.from)
	r.set("SenderFromDomain", domainOf(m.from))
	r.set("SenderMailFromDomain", domainOf(m.o.text("SenderAddress")))
	if ip, err := netip.ParseAddr(m.o.text("FromIP")); err == nil {
		r.set(map[bool]string{true: "SenderIPv4", false: "SenderIPv6"}[ip.Unmap().Is4()], ip.Unmap().String())
	}
	r.set("RecipientEmailAddress", rcpt)
	r.set("DeliveryAction", action)
	r.set("DeliveryLocation", location)
	r.set("ThreatTypes", joinList(m.o.get("ThreatTypes")))
	r.set("ThreatNames", joinList(m.o.get("ThreatNames")))
	r.put("DetectionMethods", m.o.get("DetectionMethods"))
	r.put("ConfidenceLevel", m.o.get("ConfidenceLevel"))
	r.put("AuthenticationDetails", m.o.get("AuthenticationDetails"))
	r.setValue("AttachmentCount", int32(len(m.attachments)))
	r.setValue("UrlCount", int32(len(m.urls)))
	return r.done(emailFormat)
}

func emailCommon(r jrow, m *emailMessage) {
	r.setValue("Timestamp", m.t)
	r.setValue("TimeGenerated", m.t)
	r.set("NetworkMessageId", m.id)
}

func (n *Normalizer) emailAttachment(m *emailMessage, rcpt string, v any) Record {
	r := n.row("EmailAttachmentInfo")
	a, ok := v.(jobj)
	if !ok {
		return n.fail(emailFormat, "EmailAttachmentInfo", "an attachment is not an object")
	}
	emailCommon(r, m)
	r.set("SenderFromAddress", m.from)
	r.set("SenderDisplayName", m.o.text("FromDisplayName"))
	r.set("RecipientEmailAddress", rcpt)
	r.set("FileName", a.text("FileName"))
	r.set("FileType", a.text("FileType"))
	r.set("SHA256", strings.ToLower(a.text("SHA256")))
	if !r.put("FileSize", a.get("FileSize")) {
		return n.fail(emailFormat, "EmailAttachmentInfo", "FileSize "+clip(a.text("FileSize"))+" is not a number")
	}
	r.set("ThreatTypes", joinList(a.get("ThreatTypes")))
	r.set("ThreatNames", joinList(a.get("ThreatNames")))
	r.put("DetectionMethods", a.get("DetectionMethods"))
	return r.done(emailFormat)
}

func (n *Normalizer) emailURL(m *emailMessage, v any) Record {
	r := n.row("EmailUrlInfo")
	u, ok := v.(jobj)
	if !ok || u.text("Url") == "" {
		return n.fail(emailFormat, "EmailUrlInfo", "a URL entry has no Url")
	}
	emailCommon(r, m)
	r.set("Url", u.text("Url"))
	r.set("UrlDomain", urlDomain(u.text("Url")))
	r.set("UrlLocation", u.text("UrlLocation"))
	return r.done(emailFormat)
}

// stringList returns a string or a list of strings as a list, dropping empty ones.
func stringList(v any) []string {
	switch t := v.(type) {
	case string:
		if t != "" {
			return []string{t}
		}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// domainOf returns the domain of an address, lower-case.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(strings.Trim(addr[i+1:], "> "))
	}
	return ""
}

// urlDomain returns the host of a URL (with or without a scheme), lower-case.
func urlDomain(s string) string {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

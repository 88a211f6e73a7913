package simulate

import (
	"strings"
	"time"
)

// Mail flow builders: message trace with Defender for Office verdicts -> EmailEvents,
// EmailAttachmentInfo, EmailUrlInfo; Safe Links clicks -> UrlClickEvents.

// mail describes one message.
type mail struct {
	id                 string // MessageTraceId (NetworkMessageId); drawn when empty
	from, fromName     string
	to                 []string
	subject            string
	fromIP             string
	direction          string // Inbound, Outbound, Intra-org
	threat             string // "", Phish, Malware
	attachment, sha256 string
	attachmentThreat   string
	url                string
	size               int
}

type traceRecord struct {
	Received         string              `json:"Received"`
	MessageTraceID   string              `json:"MessageTraceId"`
	MessageID        string              `json:"MessageId"`
	SenderAddress    string              `json:"SenderAddress"`
	FromAddress      string              `json:"FromAddress"`
	FromDisplayName  string              `json:"FromDisplayName,omitempty"`
	RecipientAddress []string            `json:"RecipientAddress"`
	Subject          string              `json:"Subject"`
	Status           string              `json:"Status"`
	FromIP           string              `json:"FromIP,omitempty"`
	Size             int                 `json:"Size"`
	Direction        string              `json:"Direction"`
	ThreatTypes      []string            `json:"ThreatTypes,omitempty"`
	DetectionMethods map[string][]string `json:"DetectionMethods,omitempty"`
	AuthDetails      map[string]string   `json:"AuthenticationDetails"`
	Attachments      []traceAttachment   `json:"Attachments,omitempty"`
	URLs             []traceURL          `json:"Urls,omitempty"`
}

type traceAttachment struct {
	FileName    string   `json:"FileName"`
	FileType    string   `json:"FileType"`
	SHA256      string   `json:"SHA256"`
	FileSize    int      `json:"FileSize"`
	ThreatTypes []string `json:"ThreatTypes,omitempty"`
	ThreatNames []string `json:"ThreatNames,omitempty"`
}

type traceURL struct {
	URL         string `json:"Url"`
	UrlLocation string `json:"UrlLocation"` //nolint:revive // the source's member name
}

// emailTrace renders a delivered message.
func (e *emitter) emailTrace(t time.Time, m mail) Record {
	if m.id == "" {
		m.id = e.guid()
	}
	if m.size == 0 {
		m.size = 8000 + e.r.IntN(60000)
	}
	auth := map[string]string{"SPF": "pass", "DKIM": "pass", "DMARC": "pass", "CompAuth": "pass"}
	if m.threat != "" {
		auth = map[string]string{"SPF": "pass", "DKIM": "none", "DMARC": "fail", "CompAuth": "fail"}
	}
	rec := traceRecord{Received: jsonTime(t), MessageTraceID: m.id, MessageID: "<" + e.guid() + "@" + domainOf(m.from) + ">",
		SenderAddress: m.from, FromAddress: m.from, FromDisplayName: m.fromName, RecipientAddress: m.to, Subject: m.subject,
		Status: "Delivered", FromIP: m.fromIP, Size: m.size, Direction: m.direction, AuthDetails: auth}
	if m.threat != "" {
		rec.ThreatTypes = []string{m.threat}
		rec.DetectionMethods = map[string][]string{m.threat: {"URL detonation reputation"}}
	}
	if m.attachment != "" {
		a := traceAttachment{FileName: m.attachment, FileType: extOf(m.attachment), SHA256: m.sha256, FileSize: m.size / 2}
		if m.attachmentThreat != "" {
			a.ThreatTypes, a.ThreatNames = []string{"Malware"}, []string{m.attachmentThreat}
		}
		rec.Attachments = []traceAttachment{a}
	}
	if m.url != "" {
		rec.URLs = []traceURL{{URL: m.url, UrlLocation: "Body"}}
	}
	return e.json(t, FormatEmailTrace, &rec)
}

type clickRecord struct {
	CreationTime     string   `json:"CreationTime"`
	ID               string   `json:"Id"`
	Operation        string   `json:"Operation"`
	RecordType       int      `json:"RecordType"`
	UserType         int      `json:"UserType"`
	Workload         string   `json:"Workload"`
	UserID           string   `json:"UserId"`
	AppName          string   `json:"AppName"`
	SourceID         string   `json:"SourceId,omitempty"`
	TimeOfClick      string   `json:"TimeOfClick"`
	URL              string   `json:"URL"`
	UserIP           string   `json:"UserIp"`
	UrlClickAction   int      `json:"UrlClickAction"` //nolint:revive // the source's member name
	ThreatTypes      []string `json:"ThreatTypes,omitempty"`
	NetworkMessageID string   `json:"NetworkMessageId,omitempty"`
}

// urlClick renders a Safe Links click that was allowed (UrlClickAction 1 "None", i.e. clicked through).
func (e *emitter) urlClick(t time.Time, upn, ip, url, messageID, threat string) Record {
	c := clickRecord{CreationTime: o365Time(t), ID: e.guid(), Operation: "TIUrlClickData", RecordType: 41, UserType: 4,
		Workload: "ThreatIntelligence", UserID: upn, AppName: "Outlook", SourceID: messageID, TimeOfClick: o365Time(t),
		URL: url, UserIP: ip, UrlClickAction: 1, NetworkMessageID: messageID}
	if threat != "" {
		c.ThreatTypes = []string{threat}
	}
	return e.json(t, FormatURLClick, &c)
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return strings.ToLower(name[i+1:])
	}
	return ""
}

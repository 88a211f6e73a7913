package normalize

import (
	"strconv"
	"strings"
)

// Safe Links URL clicks ("url-click").
//
// Input: the Office 365 audit record of a Safe Links time-of-click event (RecordType 41,
// Workload ThreatIntelligence, Operation TIUrlClickData), as the Management Activity API returns
// it: CreationTime, Id, UserId, UserIp, URL, TimeOfClick, AppName, AppVersion, SourceId and
// UrlClickAction (0 None, 1 Allowed, 2 BlockPage, 3 PendingDetonationPage, 4 BlockPageOverride,
// 5 PendingDetonationPageOverride; the names are accepted too). A gateway that knows more may
// add NetworkMessageId, ThreatTypes, DetectionMethods and UrlChain members under those names.
//
// Each click becomes a UrlClickEvents row as Defender for Office 365 records it: ActionType
// ClickAllowed, ClickBlocked or UrlScanInProgress; IsClickedThrough when the user went past a
// block or scanning page; Workload Email, Teams or Office by the app clicked in.

const urlClickFormat = "url-click"

// urlClickActions maps UrlClickAction to Defender's ActionType and whether the user clicked
// through a warning page.
var urlClickActions = map[string]struct {
	action  string
	through bool
}{
	"1": {"ClickAllowed", false}, "allowed": {"ClickAllowed", false},
	"2": {"ClickBlocked", false}, "blockpage": {"ClickBlocked", false},
	"3": {"UrlScanInProgress", false}, "pendingdetonationpage": {"UrlScanInProgress", false},
	"4": {"ClickBlocked", true}, "blockpageoverride": {"ClickBlocked", true},
	"5": {"UrlScanInProgress", true}, "pendingdetonationpageoverride": {"UrlScanInProgress", true},
	"0": {"ClickAllowed", false}, "none": {"ClickAllowed", false},
}

// urlClickRecords maps one click record to UrlClickEvents.
func (n *Normalizer) urlClickRecords(o jobj) []Record {
	const table = "UrlClickEvents"
	t, err := requireTime(o, "TimeOfClick", "CreationTime", "Timestamp")
	if err != nil {
		return []Record{n.fail(urlClickFormat, table, err.Error())}
	}
	url := o.text("URL")
	if url == "" {
		url = o.text("Url")
	}
	if url == "" {
		return []Record{n.fail(urlClickFormat, table, "missing URL")}
	}
	act, ok := urlClickActions[strings.ToLower(o.text("UrlClickAction"))]
	if !ok {
		return []Record{n.fail(urlClickFormat, table, "UrlClickAction "+strconv.Quote(clip(o.text("UrlClickAction")))+" is not a Safe Links action")}
	}
	r := n.row(table)
	r.setValue("Timestamp", t)
	r.setValue("TimeGenerated", t)
	r.set("Url", url)
	r.set("ActionType", act.action)
	r.setValue("IsClickedThrough", act.through)
	r.set("AccountUpn", o.text("UserId"))
	r.set("IPAddress", cleanIP(o.text("UserIp")))
	r.set("Workload", clickWorkload(o.text("AppName")))
	r.set("NetworkMessageId", o.text("NetworkMessageId"))
	if src := o.text("SourceId"); looksLikeGUID(src) {
		r.fill("NetworkMessageId", src)
	}
	r.set("ThreatTypes", joinList(o.get("ThreatTypes")))
	r.set("DetectionMethods", joinList(o.get("DetectionMethods")))
	r.put("UrlChain", o.get("UrlChain"))
	r.set("ReportId", o.text("Id"))
	return []Record{r.done(urlClickFormat)}
}

// clickWorkload names the Defender workload of the app a link was clicked in.
func clickWorkload(app string) string {
	switch a := strings.ToLower(app); {
	case a == "":
		return ""
	case strings.Contains(a, "teams"):
		return "Teams"
	case strings.Contains(a, "mail") || strings.Contains(a, "outlook"):
		return "Email"
	}
	return "Office"
}

// joinList renders a JSON list of strings as "a, b" (Defender's ThreatTypes form) and any
// other value as its text.
func joinList(v any) string {
	a, ok := v.([]any)
	if !ok {
		return jsonText(v)
	}
	parts := make([]string, 0, len(a))
	for _, e := range a {
		if s := jsonText(e); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

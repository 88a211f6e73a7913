package api

import (
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// evidenceJSON is one of Graph's alertEvidence resources, with the properties of its
// @odata.type flattened in.
type evidenceJSON map[string]any

// evidenceTypes maps entity types to Graph's evidence types and a builder of their fields.
var evidenceTypes = map[string]struct {
	odata string
	build func(id map[string]string) map[string]any
}{
	"host": {"deviceEvidence", func(id map[string]string) map[string]any {
		return map[string]any{"deviceDnsName": firstOf(id, "FullName", "HostName"), "mdeDeviceId": id["MdatpDeviceId"], "azureAdDeviceId": id["AzureID"]}
	}},
	"account": {"userEvidence", func(id map[string]string) map[string]any {
		upn := id["FullName"]
		if upn == "" && id["Name"] != "" && id["UPNSuffix"] != "" {
			upn = id["Name"] + "@" + id["UPNSuffix"]
		}
		return map[string]any{"userAccount": map[string]any{"accountName": firstOf(id, "Name", "FullName"), "domainName": firstOf(id, "NTDomain", "DnsDomain", "UPNSuffix"),
			"userSid": id["Sid"], "azureAdUserId": id["AadUserId"], "userPrincipalName": upn}}
	}},
	"ip":  {"ipEvidence", func(id map[string]string) map[string]any { return map[string]any{"ipAddress": id["Address"]} }},
	"url": {"urlEvidence", func(id map[string]string) map[string]any { return map[string]any{"url": id["Url"]} }},
	"mailbox": {"mailboxEvidence", func(id map[string]string) map[string]any {
		return map[string]any{"primaryAddress": id["MailboxPrimaryAddress"], "displayName": id["DisplayName"]}
	}},
	"filehash": {"fileHashEvidence", func(id map[string]string) map[string]any {
		return map[string]any{"hashValue": id["Value"], "algorithm": strings.ToLower(id["Algorithm"])}
	}},
	"file": {"fileEvidence", func(id map[string]string) map[string]any {
		return map[string]any{"fileDetails": map[string]any{"fileName": id["Name"], "filePath": id["Directory"]}}
	}},
	"process": {"processEvidence", func(id map[string]string) map[string]any {
		return map[string]any{"processCommandLine": id["CommandLine"], "processId": id["ProcessId"]}
	}},
	"cloudapplication": {"cloudApplicationEvidence", func(id map[string]string) map[string]any {
		return map[string]any{"displayName": id["Name"], "appId": id["AppId"]}
	}},
}

// evidenceOf renders entities as Graph evidence; types Graph has no evidence for are left out.
func evidenceOf(es []alert.Entity, at time.Time) []evidenceJSON {
	out := []evidenceJSON{}
	for _, e := range es {
		t, ok := evidenceTypes[strings.ToLower(e.Type)]
		if !ok {
			continue
		}
		ev := evidenceJSON{"@odata.type": "#microsoft.graph.security." + t.odata, "createdDateTime": graphTime(at),
			"verdict": "unknown", "remediationStatus": "none", "roles": []string{}, "tags": []string{}}
		for k, v := range t.build(e.Identifiers) {
			ev[k] = v
		}
		out = append(out, ev)
	}
	return out
}

func firstOf(id map[string]string, names ...string) string {
	for _, n := range names {
		if v := id[n]; v != "" {
			return v
		}
	}
	return ""
}

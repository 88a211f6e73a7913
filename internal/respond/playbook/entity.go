package playbook

import (
	"strings"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// EntityKinds are the kinds of entities a playbook and an automation rule see, as named in
// expressions (entities.devices) and foreach.
func EntityKinds() []string { return append([]string(nil), entityKinds...) }

// entityValue maps an alert entity type to its kind and the value that names it.
var entityValue = map[string]struct {
	kind string
	of   func(id map[string]string) string
}{
	"account": {"accounts", func(id map[string]string) string {
		if id["Name"] != "" && id["UPNSuffix"] != "" {
			return id["Name"] + "@" + id["UPNSuffix"]
		}
		return firstOf(id, "FullName", "Name", "AadUserId", "Sid")
	}},
	"host": {"devices", func(id map[string]string) string {
		return firstOf(id, "HostName", "FullName", "MdatpDeviceId", "AzureID")
	}},
	"ip":       {"ips", func(id map[string]string) string { return id["Address"] }},
	"filehash": {"files", func(id map[string]string) string { return id["Value"] }},
	"file":     {"files", func(id map[string]string) string { return firstOf(id, "SHA256", "Name") }},
	"mailbox":  {"mailboxes", func(id map[string]string) string { return id["MailboxPrimaryAddress"] }},
	"url":      {"urls", func(id map[string]string) string { return id["Url"] }},
}

func firstOf(id map[string]string, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(id[n]); v != "" {
			return v
		}
	}
	return ""
}

// Entities returns the distinct entities of alerts by kind (accounts, devices, ips, files,
// mailboxes, urls); each is a map with value (the name an action takes: a UPN, a host name,
// an address, a SHA-256), type and the alert's identifiers. Every kind is present, empty
// when no alert names one.
func Entities(alerts []alert.Alert) map[string]any {
	out := make(map[string]any, len(entityKinds))
	lists := map[string][]any{}
	seen := map[string]bool{}
	for _, a := range alerts {
		for _, e := range a.Entities {
			ev, ok := entityValue[strings.ToLower(e.Type)]
			if !ok {
				continue
			}
			v := ev.of(e.Identifiers)
			key := ev.kind + "\x00" + strings.ToLower(v)
			if v == "" || seen[key] {
				continue
			}
			seen[key] = true
			m := map[string]any{"value": v, "type": strings.ToLower(e.Type)}
			for k, x := range e.Identifiers {
				m[k] = x
			}
			lists[ev.kind] = append(lists[ev.kind], m)
		}
	}
	for _, k := range entityKinds {
		if lists[k] == nil {
			lists[k] = []any{}
		}
		out[k] = lists[k]
	}
	return out
}

// EntityValues returns the values of the entities of kind in alerts.
func EntityValues(alerts []alert.Alert, kind string) []string {
	var out []string
	for _, e := range Entities(alerts)[kind].([]any) {
		out = append(out, e.(map[string]any)["value"].(string))
	}
	return out
}

package investigate

import (
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// Limits on what one investigation looks at.
const (
	maxScope    = 10  // devices, accounts or mailboxes of one alert
	maxEvidence = 300 // pieces of evidence kept
)

// evidenceColumns name the alert evidence columns that carry each kind of value.
var evidenceColumns = map[string][]string{
	"device":  {"DeviceName", "Computer", "HostName"},
	"account": {"AccountUpn", "UserPrincipalName", "AccountName"},
	"mailbox": {"RecipientEmailAddress"},
	"file":    {"SHA256", "InitiatingProcessSHA256", "FileHashValue"},
	"ip":      {"RemoteIP", "IPAddress", "DestinationIP"},
	"url":     {"RemoteUrl", "Url"},
}

// scopeOf is what an investigation of a starts from: the alert's entities and the values of
// its evidence rows.
func scopeOf(a *alert.Alert) Scope {
	var s Scope
	for _, e := range a.Entities {
		id := e.Identifiers
		switch strings.ToLower(e.Type) {
		case "host":
			s.Devices = add(s.Devices, firstOf(id, "HostName", "FullName"))
		case "account":
			name := id["Name"]
			if sfx := id["UPNSuffix"]; name != "" && sfx != "" {
				name += "@" + sfx
			}
			s.Accounts = add(s.Accounts, firstOf(map[string]string{"n": name, "f": id["FullName"]}, "n", "f"))
		case "mailbox":
			s.Mailboxes = add(s.Mailboxes, id["MailboxPrimaryAddress"])
		case "filehash":
			if strings.EqualFold(id["Algorithm"], "SHA256") || len(id["Value"]) == 64 {
				s.Files = add(s.Files, strings.ToLower(id["Value"]))
			}
		case "ip":
			s.IPs = add(s.IPs, id["Address"])
		case "url":
			s.URLs = add(s.URLs, id["Url"])
		}
	}
	ev := a.Evidence
	for i, c := range ev.Columns {
		for kind, names := range evidenceColumns {
			if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, c) }) {
				continue
			}
			for _, row := range ev.Rows {
				if i >= len(row) {
					continue
				}
				v, _ := row[i].(string)
				switch kind {
				case "device":
					s.Devices = add(s.Devices, v)
				case "account":
					s.Accounts = add(s.Accounts, v)
				case "mailbox":
					s.Mailboxes = add(s.Mailboxes, v)
				case "file":
					if len(v) == 64 {
						s.Files = add(s.Files, strings.ToLower(v))
					}
				case "ip":
					s.IPs = add(s.IPs, v)
				case "url":
					s.URLs = add(s.URLs, v)
				}
			}
		}
	}
	return s
}

func firstOf(id map[string]string, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(id[n]); v != "" {
			return v
		}
	}
	return ""
}

// add appends v to list unless it is empty, already there (ignoring case) or the list is
// full.
func add(list []string, v string) []string {
	v = strings.TrimSpace(v)
	if v == "" || len(list) >= maxScope || slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) }) {
		return list
	}
	return append(list, v)
}

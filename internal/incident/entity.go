package incident

import (
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// staticCommon are entity values that never correlate: well-known accounts and local
// addresses present on every machine.
var staticCommon = map[string]bool{
	"system": true, "local service": true, "network service": true, "anonymous logon": true,
	"nt authority\\system": true, "nt authority\\local service": true, "nt authority\\network service": true,
	"s-1-5-18": true, "s-1-5-19": true, "s-1-5-20": true, "s-1-5-7": true,
	"127.0.0.1": true, "::1": true, "0.0.0.0": true, "localhost": true, "-": true,
}

// keyFuncs derives the normalized correlation keys ("type:value", lower case) of an entity
// from its identifiers, by entity type. Types not listed (processes, files by name,
// registry keys, DNS names, ...) are weak and do not correlate.
var keyFuncs = map[string]func(id map[string]string) []string{
	"host": func(id map[string]string) []string {
		name := first(id, "HostName", "FullName", "MdatpDeviceId", "AzureID")
		if i := strings.IndexByte(name, '.'); i > 0 && id["HostName"] == "" {
			name = name[:i] // a FullName: host.domain
		}
		return keys("host", name)
	},
	"account": func(id map[string]string) []string {
		name := id["Name"]
		if s := id["UPNSuffix"]; name != "" && s != "" {
			name += "@" + s
		}
		return keys("account", id["AadUserId"], id["Sid"], id["FullName"], name)
	},
	"mailbox":  func(id map[string]string) []string { return keys("mailbox", id["MailboxPrimaryAddress"]) },
	"filehash": func(id map[string]string) []string { return keys("filehash", id["Value"]) },
	"url":      func(id map[string]string) []string { return keys("url", id["Url"]) },
	"ip":       func(id map[string]string) []string { return keys("ip", id["Address"]) },
}

func first(id map[string]string, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(id[n]); v != "" {
			return v
		}
	}
	return ""
}

func keys(typ string, values ...string) []string {
	var out []string
	for _, v := range values {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
			out = append(out, typ+":"+v)
		}
	}
	return out
}

// entityKeys returns the sorted, distinct correlation keys of a's entities. A cloud app
// correlates only together with an account of the same alert ("cloudapp:app|account:...").
func entityKeys(a *alert.Alert) []string {
	set := map[string]bool{}
	var apps, accounts []string
	for _, e := range a.Entities {
		typ := strings.ToLower(e.Type)
		if typ == "cloudapplication" {
			if app := first(e.Identifiers, "AppId", "Name"); app != "" {
				apps = append(apps, "cloudapp:"+strings.ToLower(app))
			}
			continue
		}
		f, ok := keyFuncs[typ]
		if !ok {
			continue
		}
		for _, k := range f(e.Identifiers) {
			set[k] = true
			if typ == "account" {
				accounts = append(accounts, k)
			}
		}
	}
	for _, app := range apps {
		for _, acc := range accounts {
			set[app+"|"+acc] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// staticallyCommon reports whether key names a value on the static list.
func staticallyCommon(key string) bool {
	_, v, _ := strings.Cut(key, ":")
	if i := strings.LastIndexByte(v, '|'); i >= 0 { // cloudapp:app|account:x
		_, v, _ = strings.Cut(v[i+1:], ":")
	}
	return staticCommon[v]
}

package respond

import (
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// exclusions are the devices and accounts attack disruption never contains.
type exclusions struct{ devices, accounts []string }

// device reports whether host is excluded (short name against FQDN).
func (x exclusions) device(host string) bool {
	return slices.ContainsFunc(x.devices, func(d string) bool { return sameHost(d, host) })
}

// account reports whether acc is excluded: the same name, or an exclusion without a domain
// naming the account in any domain.
func (x exclusions) account(acc string) bool {
	return slices.ContainsFunc(x.accounts, func(e string) bool {
		return strings.EqualFold(e, acc) || !strings.ContainsAny(e, `@\`) && strings.EqualFold(e, accountKey(acc))
	})
}

// decoyRuleID is the rule id of decoy alerts (internal/detect/deception), which name decoy
// accounts, never ones to disable.
const decoyRuleID = "vigil-deception"

// wellKnownAccounts are built-in account names (lower case) disruption never disables: they
// exist on every machine, so sharing them proves nothing and disabling them breaks systems.
var wellKnownAccounts = []string{
	"administrator", "guest", "krbtgt", "defaultaccount", "wdagutilityaccount", "system",
	"local service", "network service", "localsystem", "localservice", "networkservice",
	"root", "nobody", "daemon", "anonymous logon", "s-1-5-18", "s-1-5-19", "s-1-5-20",
}

// wellKnown reports whether acc is a built-in, service or machine account.
func wellKnown(acc string) bool {
	k := accountKey(acc)
	dom, _, _ := strings.Cut(strings.ToLower(acc), `\`)
	return k == "" || strings.HasSuffix(k, "$") || slices.Contains(wellKnownAccounts, k) ||
		strings.Contains(acc, `\`) && slices.Contains([]string{"nt authority", "window manager", "font driver host"}, dom)
}

// accountKey is the name part of an account, lower case: pat for pat@corp.example,
// CORP\pat and pat.
func accountKey(acc string) string {
	acc = strings.ToLower(strings.TrimSpace(acc))
	if _, after, ok := strings.Cut(acc, `\`); ok {
		acc = after
	}
	name, _, _ := strings.Cut(acc, "@")
	return name
}

// sameAccount compares accounts: whole addresses when both have a domain, else name parts.
func sameAccount(a, b string) bool {
	if strings.Contains(a, "@") && strings.Contains(b, "@") {
		return strings.EqualFold(a, b)
	}
	return accountKey(a) != "" && accountKey(a) == accountKey(b)
}

// firstEntity returns the first of the identifiers of a's first entity of type typ.
func firstEntity(a alert.Alert, typ string, ids ...string) string {
	for _, e := range a.Entities {
		if !strings.EqualFold(e.Type, typ) {
			continue
		}
		for _, id := range ids {
			if v := e.Identifiers[id]; v != "" {
				return v
			}
		}
	}
	return ""
}

// entityValues returns the distinct values of the identifiers ids of a's entities of type typ.
func entityValues(a alert.Alert, typ string, ids ...string) []string {
	var out []string
	for _, e := range a.Entities {
		if !strings.EqualFold(e.Type, typ) {
			continue
		}
		for _, id := range ids {
			if v := e.Identifiers[id]; v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// accountName names the account of an account entity, preferring a UPN (what a directory
// disables); "" when e is not an account.
func accountName(e alert.Entity) (upn, name string) {
	if !strings.EqualFold(e.Type, "account") {
		return "", ""
	}
	for _, id := range []string{"UPNSuffix", "FullName", "Name"} {
		v := e.Identifiers[id]
		if id == "UPNSuffix" && v != "" && e.Identifiers["Name"] != "" {
			v = e.Identifiers["Name"] + "@" + v
		}
		if strings.Contains(v, "@") {
			return v, v
		}
		if name == "" && id != "UPNSuffix" {
			name = v
		}
	}
	return "", name
}

// accountOf names the account an alert is about: the first UPN of its account entities,
// else the first account's name; for mail alerts, the mailbox.
func accountOf(a alert.Alert) string {
	var best string
	for _, e := range a.Entities {
		upn, name := accountName(e)
		if upn != "" {
			return upn
		}
		if best == "" {
			best = name
		}
	}
	if best == "" {
		best = firstEntity(a, "mailbox", "MailboxPrimaryAddress", "Upn")
	}
	return best
}

// accountsOf names every account of an alert.
func accountsOf(a alert.Alert) []string {
	var out []string
	for _, e := range a.Entities {
		if _, name := accountName(e); name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// sameHost compares host names, short name against FQDN.
func sameHost(a, b string) bool {
	short := func(s string) string { h, _, _ := strings.Cut(strings.ToLower(s), "."); return h }
	return short(a) == short(b)
}

package respond

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// disableable reports whether acc may be disabled: named, not built-in, not excluded.
func disableable(acc string, x exclusions) bool {
	return acc != "" && !wellKnown(acc) && !x.account(acc)
}

// matchCredentialTheft: credential theft on a device (needs[0]), then the use of an account
// on another host (needs[1]) or in a sign-in (needs[2]). It isolates the device and
// disables the account used: the stolen one when lateral movement names it.
func matchCredentialTheft(needs []signal, alerts []alert.Alert, x exclusions) (plan, bool) {
	var device string
	for _, a := range alerts {
		if needs[0].in(a) {
			if h := firstEntity(a, "host", "HostName", "FullName"); h != "" && !x.device(h) {
				device = h
				break
			}
		}
	}
	if device == "" {
		return plan{}, false
	}
	// Decoy alerts never name a real account to disable.
	for _, use := range []func(a alert.Alert, host string) bool{
		func(a alert.Alert, host string) bool { return needs[1].in(a) && host != "" && !sameHost(host, device) },
		func(a alert.Alert, host string) bool { return needs[2].in(a) && host == "" },
	} {
		for _, a := range alerts {
			if a.RuleID == decoyRuleID || !use(a, firstEntity(a, "host", "HostName", "FullName")) {
				continue
			}
			if acc := accountOf(a); disableable(acc, x) {
				why := fmt.Sprintf("credential theft on %s, then the account %s used: %s", device, acc, a.Title)
				return plan{devices: []string{device}, accounts: []string{acc}, reasons: []string{why}}, true
			}
		}
	}
	return plan{}, false
}

// matchRansomware: ransomware-like activity (needs[0]) on two or more devices whose alerts
// share an account other than a built-in one (one that exists on every machine proves
// nothing). It isolates every device with that activity but excluded ones and disables the
// shared account unless excluded.
func matchRansomware(needs []signal, alerts []alert.Alert, x exclusions) (plan, bool) {
	var hosts []string                 // devices with ransomware activity, in order seen
	byAccount := map[string][]string{} // account key -> its devices
	names := map[string]string{}       // account key -> name to disable (a UPN when seen)
	var order []string                 // account keys in order seen
	for _, a := range alerts {
		if a.RuleID == decoyRuleID || !needs[0].in(a) {
			continue
		}
		for _, h := range entityValues(a, "host", "FullName", "HostName") {
			hosts = addHost(hosts, h)
			for _, acc := range accountsOf(a) {
				if wellKnown(acc) {
					continue
				}
				k := accountKey(acc)
				if _, ok := names[k]; !ok {
					order = append(order, k)
				}
				if names[k] == "" || strings.Contains(acc, "@") && !strings.Contains(names[k], "@") {
					names[k] = acc
				}
				byAccount[k] = addHost(byAccount[k], h)
			}
		}
	}
	shared := ""
	for _, k := range order {
		if len(byAccount[k]) >= 2 && (shared == "" || len(byAccount[k]) > len(byAccount[shared])) {
			shared = k
		}
	}
	if shared == "" {
		return plan{}, false
	}
	var p plan
	for _, h := range hosts {
		if !x.device(h) {
			p.devices = append(p.devices, h)
		}
	}
	if acc := names[shared]; disableable(acc, x) {
		p.accounts = []string{acc}
	}
	p.reasons = []string{fmt.Sprintf("ransomware-like activity on %s, with the account %s on %s",
		strings.Join(hosts, ", "), names[shared], strings.Join(byAccount[shared], ", "))}
	return p, !p.empty()
}

// addHost appends h to hosts unless there (short name against FQDN).
func addHost(hosts []string, h string) []string {
	if slices.ContainsFunc(hosts, func(o string) bool { return sameHost(o, h) }) {
		return hosts
	}
	return append(hosts, h)
}

// matchInternalPhishing: a compromised mailbox (needs[0]: inbox rules, BEC; or needs[1]: a
// sign-in from a malicious or anomalous address) and a phishing alert (needs[2]) whose
// sender is that mailbox. It disables the account and soft-deletes the phishing messages
// already delivered.
func matchInternalPhishing(needs []signal, alerts []alert.Alert, x exclusions) (plan, bool) {
	var p plan
	for i, c := range alerts {
		if c.RuleID == decoyRuleID || !needs[0].in(c) && !needs[1].in(c) {
			continue
		}
		acc := accountOf(c)
		if acc == "" || wellKnown(acc) {
			continue
		}
		for j, ph := range alerts {
			if j == i || !needs[2].in(ph) {
				continue
			}
			msgs, ok := messagesBy(ph, "sender", acc)
			if !ok {
				continue
			}
			q := plan{messages: msgs, reasons: []string{fmt.Sprintf("the mailbox %s compromised (%s), then sending phishing: %s", acc, c.Title, ph.Title)}}
			if !x.account(acc) {
				q.accounts = []string{acc}
			}
			p.add(q)
		}
	}
	return p, !p.empty()
}

// matchAiTM: a stolen session replayed (needs[0], adversary-in-the-middle phishing) for an
// account, and the phishing (needs[1]) delivered to that account. It disables the account
// and soft-deletes the phishing messages delivered to it.
func matchAiTM(needs []signal, alerts []alert.Alert, x exclusions) (plan, bool) {
	var p plan
	for i, s := range alerts {
		if s.RuleID == decoyRuleID || !needs[0].in(s) {
			continue
		}
		acc := accountOf(s)
		if acc == "" || wellKnown(acc) {
			continue
		}
		for j, ph := range alerts {
			if j == i || !needs[1].in(ph) {
				continue
			}
			msgs, ok := messagesBy(ph, "recipient", acc)
			if !ok {
				continue
			}
			q := plan{messages: msgs, reasons: []string{fmt.Sprintf("the session of %s stolen (%s) after phishing delivered to it: %s", acc, s.Title, ph.Title)}}
			if !x.account(acc) {
				q.accounts = []string{acc}
			}
			p.add(q)
		}
	}
	return p, !p.empty()
}

// mailColumns are the evidence columns and MailMessage entity identifiers naming a
// message's sender or recipient (EmailEvents, Sentinel's MailMessage entity).
var mailColumns = map[string]struct{ columns, identifiers []string }{
	"sender":    {[]string{"SenderFromAddress", "SenderMailFromAddress"}, []string{"Sender", "P1Sender", "P2Sender"}},
	"recipient": {[]string{"RecipientEmailAddress"}, []string{"Recipient"}},
}

// messagesBy reports whether the phishing alert ph is about mail whose role (sender or
// recipient) is acc, and returns the ids of those messages: the evidence's NetworkMessageId
// (else InternetMessageId) of the rows with acc in that role, or, when the evidence does not
// name the role, the ids of the alert's MailMessage entities naming acc.
func messagesBy(ph alert.Alert, role string, acc string) ([]string, bool) {
	m := mailColumns[role]
	var ids []string
	found := false
	ev := ph.Evidence
	for _, col := range m.columns {
		i := slices.IndexFunc(ev.Columns, func(c string) bool { return strings.EqualFold(c, col) })
		if i < 0 {
			continue
		}
		for _, row := range ev.Rows {
			if i < len(row) && row[i] != nil && sameAccount(fmt.Sprint(row[i]), acc) {
				found = true
				ids = appendNew(ids, rowValue(ev, row, "NetworkMessageId", "InternetMessageId"))
			}
		}
	}
	for _, e := range ph.Entities {
		if !strings.EqualFold(e.Type, "MailMessage") || !slices.ContainsFunc(m.identifiers, func(id string) bool {
			return e.Identifiers[id] != "" && sameAccount(e.Identifiers[id], acc)
		}) {
			continue
		}
		found = true
		for _, id := range []string{"NetworkMessageId", "InternetMessageId"} {
			if v := e.Identifiers[id]; v != "" {
				ids = appendNew(ids, v)
				break
			}
		}
	}
	return ids, found
}

// rowValue returns the first non-empty value of the columns cols in row.
func rowValue(ev alert.Evidence, row []any, cols ...string) string {
	for _, col := range cols {
		i := slices.IndexFunc(ev.Columns, func(c string) bool { return strings.EqualFold(c, col) })
		if i >= 0 && i < len(row) && row[i] != nil {
			if v := fmt.Sprint(row[i]); v != "" {
				return v
			}
		}
	}
	return ""
}

func appendNew(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

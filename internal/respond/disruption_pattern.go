package respond

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// signal recognises one kind of alert: by any of its techniques (id prefixes: T1003 takes
// T1003.001) or any of its words (whole words or phrases of the title or rule name,
// case-insensitive), and, when tactics are given, by one of those tactics too. A signal
// with neither techniques nor words is recognised by its tactics alone.
type signal struct {
	techniques []string
	words      []string
	tactics    []string
}

// in reports whether a is an alert of kind s.
func (s signal) in(a alert.Alert) bool {
	hit := len(s.techniques)+len(s.words) == 0 ||
		slices.ContainsFunc(s.techniques, func(t string) bool { return hasTechnique(a, t) }) ||
		slices.ContainsFunc(s.words, func(w string) bool { return hasWords(a.Title, w) || hasWords(a.RuleName, w) })
	return hit && (len(s.tactics) == 0 || slices.ContainsFunc(s.tactics, func(t string) bool { return slices.Contains(a.Tactics, t) }))
}

// pattern is one high-confidence attack pattern: the kinds of alert it needs in one
// incident, the action types it contains with, and how it finds what to contain.
type pattern struct {
	name     string
	needs    []signal
	contains []Type
	match    func(needs []signal, alerts []alert.Alert, x exclusions) (plan, bool)
}

// patterns is the table of attack disruption patterns, after the scenarios Defender XDR
// disrupts (human-operated ransomware, business email compromise, adversary-in-the-middle).
var patterns = []pattern{
	{
		name: "credential theft then use of the account",
		needs: []signal{
			{techniques: []string{"T1003"}},        // OS credential dumping on a device
			{tactics: []string{"LateralMovement"}}, // the account used on another host
			{tactics: []string{"InitialAccess"}},   // or in a sign-in
		},
		contains: []Type{IsolateDevice, DisableAccount},
		match:    matchCredentialTheft,
	},
	{
		name: "ransomware on several devices",
		needs: []signal{
			{techniques: []string{"T1486", "T1490"}, words: []string{"ransomware", "ransom"}},
		},
		contains: []Type{IsolateDevice, DisableAccount},
		match:    matchRansomware,
	},
	{
		name: "compromised mailbox sending phishing inside",
		needs: []signal{
			// mailbox compromise: hiding or forwarding inbox rules, BEC
			{techniques: []string{"T1114", "T1564.008"}, words: []string{"inbox rule", "forwarding rule", "business email compromise", "bec", "compromised mailbox", "mailbox compromise"}},
			// or a sign-in from a malicious or anomalous address
			{words: []string{"ti", "threat intelligence", "malicious ip", "anomalous", "impossible travel", "unfamiliar"}, tactics: []string{"InitialAccess"}},
			// phishing sent by that mailbox
			{techniques: []string{"T1566"}, words: []string{"phishing"}},
		},
		contains: []Type{DisableAccount, SoftDeleteEmail},
		match:    matchInternalPhishing,
	},
	{
		name: "adversary-in-the-middle session theft",
		needs: []signal{
			// a stolen session cookie or token replayed (AiTM phishing kits)
			{techniques: []string{"T1557", "T1539"}, words: []string{"aitm", "adversary-in-the-middle", "session cookie", "stolen session", "token theft"}},
			// the phishing that delivered the AiTM page to that user
			{techniques: []string{"T1566"}, words: []string{"phishing"}},
		},
		contains: []Type{DisableAccount, SoftDeleteEmail},
		match:    matchAiTM,
	},
}

// plan is what the patterns found: what to contain and why.
type plan struct {
	devices, accounts, messages []string
	reasons                     []string
}

// add merges q into p, without repeating a target.
func (p *plan) add(q plan) {
	for _, l := range []struct{ to, from *[]string }{{&p.devices, &q.devices}, {&p.accounts, &q.accounts}, {&p.messages, &q.messages}, {&p.reasons, &q.reasons}} {
		for _, v := range *l.from {
			if !slices.ContainsFunc(*l.to, func(w string) bool { return strings.EqualFold(v, w) }) {
				*l.to = append(*l.to, v)
			}
		}
	}
}

func (p plan) empty() bool { return len(p.devices)+len(p.accounts)+len(p.messages) == 0 }

func (p plan) why() string { return strings.Join(p.reasons, "; ") }

// requests returns the containment actions of p.
func (p plan) requests() []Request {
	var out []Request
	for _, v := range p.devices {
		out = append(out, Request{Type: IsolateDevice, Target: Target{Device: v}})
	}
	for _, v := range p.accounts {
		out = append(out, Request{Type: DisableAccount, Target: Target{Account: v}})
	}
	for _, v := range p.messages {
		out = append(out, Request{Type: SoftDeleteEmail, Target: Target{MessageID: v}})
	}
	return out
}

// summary says what p contains: "isolated ws1 and disabled pat@corp.example".
func (p plan) summary() string {
	var parts []string
	if len(p.devices) > 0 {
		parts = append(parts, "isolated "+strings.Join(p.devices, ", "))
	}
	if len(p.accounts) > 0 {
		parts = append(parts, "disabled "+strings.Join(p.accounts, ", "))
	}
	if len(p.messages) > 0 {
		parts = append(parts, fmt.Sprintf("soft-deleted %d message(s) (%s)", len(p.messages), strings.Join(p.messages, ", ")))
	}
	return strings.Join(parts, " and ")
}

// match applies every pattern to an incident's alerts and merges what they contain.
func match(alerts []alert.Alert, x exclusions) (plan, bool) {
	var all plan
	for _, pt := range patterns {
		if p, ok := pt.match(pt.needs, alerts, x); ok && !p.empty() {
			for i := range p.reasons {
				p.reasons[i] = pt.name + ": " + p.reasons[i]
			}
			all.add(p)
		}
	}
	return all, !all.empty()
}

// hasWords reports whether phrase appears in s as whole words, case-insensitively.
func hasWords(s, phrase string) bool {
	norm := func(s string) string {
		return " " + strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-'
		}), " ") + " "
	}
	return s != "" && strings.Contains(norm(s), norm(phrase))
}

func hasTechnique(a alert.Alert, prefix string) bool {
	return slices.ContainsFunc(a.Techniques, func(t string) bool { return strings.HasPrefix(t, prefix) })
}

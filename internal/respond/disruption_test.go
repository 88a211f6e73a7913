package respond

import (
	"slices"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

func host(h string) alert.Entity {
	return alert.Entity{Type: "Host", Identifiers: map[string]string{"FullName": h}}
}

func acct(ids map[string]string) alert.Entity { return alert.Entity{Type: "Account", Identifiers: ids} }

func upn(u string) alert.Entity { return acct(map[string]string{"FullName": u}) }

// disruptionCase is an incident's alerts and what disruption should contain.
type disruptionCase struct {
	name                        string
	alerts                      []alert.Alert
	excluded                    []string
	devices, accounts, messages []string
}

func runDisruptionCases(t *testing.T, cases []disruptionCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, ok := match(c.alerts, exclusions{devices: c.excluded, accounts: c.excluded})
			want := len(c.devices)+len(c.accounts)+len(c.messages) > 0
			if ok != want || !slices.Equal(p.devices, c.devices) || !slices.Equal(p.accounts, c.accounts) || !slices.Equal(p.messages, c.messages) {
				t.Errorf("match = %+v %v, want devices %q accounts %q messages %q", p, ok, c.devices, c.accounts, c.messages)
			}
			if ok && p.why() == "" {
				t.Error("a match without a reason")
			}
		})
	}
}

func TestDisruptionPattern(t *testing.T) {
	dump := alert.Alert{Title: "Credential dumping on ws1", Techniques: []string{"T1003.001"}, Tactics: []string{"CredentialAccess"},
		Entities: []alert.Entity{host("ws1.corp"), acct(map[string]string{"Name": "pat", "NTDomain": "CORP"})}}
	lateral := alert.Alert{Title: "Service created on fs01", Tactics: []string{"LateralMovement"},
		Entities: []alert.Entity{host("fs01.corp"), acct(map[string]string{"Name": "adm-kim", "UPNSuffix": "corp.example"})}}
	sameHostLateral := alert.Alert{Title: "Lateral tool on ws1", Tactics: []string{"LateralMovement"},
		Entities: []alert.Entity{host("WS1"), acct(map[string]string{"Name": "pat"})}}
	signin := alert.Alert{Title: "Sign-in from a TI address", Tactics: []string{"InitialAccess"},
		Entities: []alert.Entity{upn("pat@corp.example"), {Type: "IP", Identifiers: map[string]string{"Address": "203.0.113.9"}}}}
	decoy := alert.Alert{RuleID: decoyRuleID, Title: "Decoy account used", Tactics: []string{"InitialAccess"},
		Entities: []alert.Entity{upn("svc-backup@corp.example")}}
	builtinLateral := alert.Alert{Title: "PsExec to fs01", Tactics: []string{"LateralMovement"},
		Entities: []alert.Entity{host("fs01.corp"), acct(map[string]string{"Name": "Administrator", "NTDomain": "CORP"})}}
	one := func(s string) []string { return []string{s} }
	runDisruptionCases(t, []disruptionCase{
		{name: "no credential theft", alerts: []alert.Alert{lateral, signin}},
		{name: "theft alone", alerts: []alert.Alert{dump}},
		{name: "theft then lateral movement: the stolen account", alerts: []alert.Alert{signin, dump, lateral}, devices: one("ws1.corp"), accounts: one("adm-kim@corp.example")},
		{name: "lateral movement on the same host does not count", alerts: []alert.Alert{dump, sameHostLateral}},
		{name: "theft then a sign-in", alerts: []alert.Alert{dump, decoy, signin}, devices: one("ws1.corp"), accounts: one("pat@corp.example")},
		{name: "a decoy is never disabled", alerts: []alert.Alert{dump, decoy}},
		{name: "a built-in account is never disabled", alerts: []alert.Alert{dump, builtinLateral}},
		{name: "a built-in account falls back to the sign-in", alerts: []alert.Alert{dump, builtinLateral, signin}, devices: one("ws1.corp"), accounts: one("pat@corp.example")},
		{name: "excluded device", alerts: []alert.Alert{dump, signin}, excluded: []string{"WS1.CORP"}},
		{name: "excluded device by short name", alerts: []alert.Alert{dump, signin}, excluded: []string{"ws1"}},
		{name: "excluded account falls back to the next", alerts: []alert.Alert{dump, lateral, signin}, excluded: []string{"adm-kim@corp.example"}, devices: one("ws1.corp"), accounts: one("pat@corp.example")},
		{name: "excluded account by name in any domain", alerts: []alert.Alert{dump, lateral, signin}, excluded: []string{"ADM-KIM"}, devices: one("ws1.corp"), accounts: one("pat@corp.example")},
	})
}

func TestDisruptionRansomware(t *testing.T) {
	enc := func(h string, techniques []string, title string, accounts ...alert.Entity) alert.Alert {
		return alert.Alert{Title: title, Techniques: techniques, Tactics: []string{"Impact"}, Entities: append([]alert.Entity{host(h)}, accounts...)}
	}
	jo := acct(map[string]string{"Name": "jo", "NTDomain": "CORP"})
	joUPN := acct(map[string]string{"Name": "jo", "UPNSuffix": "corp.example"})
	sam := acct(map[string]string{"Name": "sam", "NTDomain": "CORP"})
	system := acct(map[string]string{"Name": "SYSTEM", "NTDomain": "NT AUTHORITY"})
	admin := acct(map[string]string{"Name": "Administrator", "NTDomain": "CORP"})
	machine := acct(map[string]string{"Name": "WS1$", "NTDomain": "CORP"})
	a1 := enc("ws1.corp", []string{"T1486"}, "Files encrypted on ws1", jo)
	a2 := enc("ws2.corp", []string{"T1490"}, "Shadow copies deleted on ws2", joUPN)
	a3 := enc("fs01.corp", nil, "Ransomware note dropped on fs01", jo, system)
	otherUser := enc("ws2.corp", []string{"T1486"}, "Files encrypted on ws2", sam)
	noise := alert.Alert{Title: "Suspicious PowerShell", Techniques: []string{"T1059.001"}, Entities: []alert.Entity{host("ws3.corp"), jo}}
	runDisruptionCases(t, []disruptionCase{
		{name: "two devices sharing an account", alerts: []alert.Alert{a1, a2}, devices: []string{"ws1.corp", "ws2.corp"}, accounts: []string{"jo@corp.example"}},
		{name: "three devices, one by a ransomware-named rule", alerts: []alert.Alert{noise, a1, a2, a3}, devices: []string{"ws1.corp", "ws2.corp", "fs01.corp"}, accounts: []string{"jo@corp.example"}},
		{name: "one device only", alerts: []alert.Alert{a1, noise}},
		{name: "the same device twice is one device", alerts: []alert.Alert{a1, enc("WS1", []string{"T1490"}, "Shadow copies deleted", jo)}},
		{name: "two devices, no account shared", alerts: []alert.Alert{a1, otherUser}},
		{name: "sharing only built-in accounts", alerts: []alert.Alert{
			enc("ws1", []string{"T1486"}, "Files encrypted", system, admin, machine),
			enc("ws2", []string{"T1486"}, "Files encrypted", system, admin, acct(map[string]string{"Name": "WS1$"}))}},
		{name: "a decoy alert does not count", alerts: []alert.Alert{a1, func() alert.Alert { a := a2; a.RuleID = decoyRuleID; return a }()}},
		{name: "excluded device is not isolated", alerts: []alert.Alert{a1, a2}, excluded: []string{"ws2"}, devices: []string{"ws1.corp"}, accounts: []string{"jo@corp.example"}},
		{name: "excluded account is not disabled", alerts: []alert.Alert{a1, a2}, excluded: []string{"jo"}, devices: []string{"ws1.corp", "ws2.corp"}},
		{name: "everything excluded", alerts: []alert.Alert{a1, a2}, excluded: []string{"ws1", "ws2", "jo@corp.example"}},
	})
}

func TestDisruptionInternalPhishing(t *testing.T) {
	mailbox := "cfo@corp.example"
	inboxRule := alert.Alert{Title: "Suspicious inbox rule hides mail", Techniques: []string{"T1564.008"}, Tactics: []string{"DefenseEvasion"},
		Entities: []alert.Entity{upn(mailbox)}}
	bec := alert.Alert{Title: "Possible BEC: payment fraud thread", Tactics: []string{"Collection"}, Entities: []alert.Entity{upn(mailbox)}}
	tiSignin := alert.Alert{Title: "Sign-in from a TI address", Tactics: []string{"InitialAccess"},
		Entities: []alert.Entity{upn(mailbox), {Type: "IP", Identifiers: map[string]string{"Address": "203.0.113.9"}}}}
	plainSignin := alert.Alert{Title: "First sign-in from a new country", Tactics: []string{"InitialAccess"}, Entities: []alert.Entity{upn(mailbox)}}
	phishing := func(sender string, ids ...string) alert.Alert {
		a := alert.Alert{Title: "Phishing sent inside the organisation", Techniques: []string{"T1566.002"}, Tactics: []string{"InitialAccess"},
			Entities: []alert.Entity{upn("ann@corp.example")},
			Evidence: alert.Evidence{Columns: []string{"NetworkMessageId", "SenderFromAddress", "RecipientEmailAddress"}}}
		for i, id := range ids {
			a.Evidence.Rows = append(a.Evidence.Rows, []any{id, sender, []string{"ann", "bo", "cy"}[i%3] + "@corp.example"})
		}
		return a
	}
	internal := phishing("CFO@corp.example", "m1", "m2", "m1")
	external := phishing("cfo@corp-example.net", "x1")
	byEntity := alert.Alert{Title: "User reported phishing", Techniques: []string{"T1566"},
		Entities: []alert.Entity{{Type: "MailMessage", Identifiers: map[string]string{"P1Sender": mailbox, "NetworkMessageId": "m3", "Recipient": "bo@corp.example"}}}}
	mixed := phishing(mailbox, "m4")
	mixed.Evidence.Rows = append(mixed.Evidence.Rows, []any{"x9", "someone@elsewhere.example", "bo@corp.example"})
	runDisruptionCases(t, []disruptionCase{
		{name: "inbox rule then internal phishing", alerts: []alert.Alert{inboxRule, internal}, accounts: []string{mailbox}, messages: []string{"m1", "m2"}},
		{name: "BEC then phishing named by a mail entity", alerts: []alert.Alert{byEntity, bec}, accounts: []string{mailbox}, messages: []string{"m3"}},
		{name: "TI sign-in then phishing; only the mailbox's rows", alerts: []alert.Alert{tiSignin, mixed}, accounts: []string{mailbox}, messages: []string{"m4"}},
		{name: "phishing alone", alerts: []alert.Alert{internal}},
		{name: "compromise alone", alerts: []alert.Alert{inboxRule, tiSignin}},
		{name: "phishing from outside, not the mailbox", alerts: []alert.Alert{inboxRule, external}},
		{name: "a sign-in without a threat signal", alerts: []alert.Alert{plainSignin, internal}},
		{name: "excluded account: messages still deleted", alerts: []alert.Alert{inboxRule, internal}, excluded: []string{"cfo"}, messages: []string{"m1", "m2"}},
	})
}

func TestDisruptionAiTM(t *testing.T) {
	victim := "lee@corp.example"
	stolen := alert.Alert{Title: "Stolen session cookie used", Techniques: []string{"T1539"}, Tactics: []string{"CredentialAccess"},
		Entities: []alert.Entity{upn(victim), {Type: "IP", Identifiers: map[string]string{"Address": "198.51.100.7"}}}}
	aitm := alert.Alert{Title: "AiTM phishing kit sign-in", Tactics: []string{"InitialAccess"}, Entities: []alert.Entity{upn(victim)}}
	lure := alert.Alert{Title: "Phishing link delivered", Techniques: []string{"T1566.002"},
		Evidence: alert.Evidence{Columns: []string{"InternetMessageId", "SenderFromAddress", "RecipientEmailAddress"},
			Rows: [][]any{{"<a@evil.example>", "hr@evil.example", "LEE@corp.example"}, {"<b@evil.example>", "hr@evil.example", "max@corp.example"}}}}
	other := alert.Alert{Title: "Phishing link delivered", Techniques: []string{"T1566.002"},
		Entities: []alert.Entity{{Type: "MailMessage", Identifiers: map[string]string{"Recipient": "max@corp.example", "NetworkMessageId": "n1"}}}}
	runDisruptionCases(t, []disruptionCase{
		{name: "stolen cookie after phishing to the user", alerts: []alert.Alert{lure, stolen}, accounts: []string{victim}, messages: []string{"<a@evil.example>"}},
		{name: "AiTM named in the title", alerts: []alert.Alert{aitm, lure}, accounts: []string{victim}, messages: []string{"<a@evil.example>"}},
		{name: "phishing to someone else", alerts: []alert.Alert{stolen, other}},
		{name: "stolen cookie alone", alerts: []alert.Alert{stolen}},
		{name: "excluded account", alerts: []alert.Alert{stolen, lure}, excluded: []string{victim}, messages: []string{"<a@evil.example>"}},
	})
}

func TestDisruptionExclusionsValidate(t *testing.T) {
	for _, c := range []struct {
		x    *DisruptionExclusions
		want string
	}{
		{nil, ""},
		{&DisruptionExclusions{Devices: []string{"dc01", "dc02.corp"}, Accounts: []string{"breakglass@corp.example", `CORP\svc-backup`}}, ""},
		{&DisruptionExclusions{Devices: []string{"dc01", ""}}, "disruptionExclusions.devices[1]: empty name"},
		{&DisruptionExclusions{Accounts: []string{" bg"}}, `disruptionExclusions.accounts[0]: name " bg" has surrounding spaces`},
		{&DisruptionExclusions{Accounts: []string{"a\x00b"}}, `disruptionExclusions.accounts[0]: name "a\x00b" has control characters`},
		{&DisruptionExclusions{Devices: []string{"dc01", "x", "DC01"}}, `disruptionExclusions.devices[2]: "DC01" is listed already at [0]`},
		{&DisruptionExclusions{Devices: []string{strings.Repeat("d", 300)}}, "disruptionExclusions.devices[0]: name of 300 bytes, at most 256"},
	} {
		err := Policy{Level: Semi, DisruptionExclusions: c.x}.Validate()
		if got := ""; err != nil {
			got = err.Error()
			if got != "invalid: "+c.want {
				t.Errorf("%+v: %q, want %q", c.x, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%+v: valid, want %q", c.x, c.want)
		}
	}
}

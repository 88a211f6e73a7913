package respond

import (
	"testing"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

func TestDisruptionPattern(t *testing.T) {
	host := func(h string) alert.Entity {
		return alert.Entity{Type: "Host", Identifiers: map[string]string{"FullName": h}}
	}
	acct := func(ids map[string]string) alert.Entity { return alert.Entity{Type: "Account", Identifiers: ids} }
	dump := alert.Alert{Title: "Credential dumping on ws1", Techniques: []string{"T1003.001"}, Tactics: []string{"CredentialAccess"},
		Entities: []alert.Entity{host("ws1.corp"), acct(map[string]string{"Name": "pat", "NTDomain": "CORP"})}}
	lateral := alert.Alert{Title: "Service created on fs01", Tactics: []string{"LateralMovement"},
		Entities: []alert.Entity{host("fs01.corp"), acct(map[string]string{"Name": "adm-kim", "UPNSuffix": "corp.example"})}}
	sameHostLateral := alert.Alert{Title: "Lateral tool on ws1", Tactics: []string{"LateralMovement"},
		Entities: []alert.Entity{host("WS1"), acct(map[string]string{"Name": "pat"})}}
	signin := alert.Alert{Title: "Sign-in from a TI address", Tactics: []string{"InitialAccess"},
		Entities: []alert.Entity{acct(map[string]string{"FullName": "pat@corp.example"}), {Type: "IP", Identifiers: map[string]string{"Address": "203.0.113.9"}}}}
	decoy := alert.Alert{RuleID: decoyRuleID, Title: "Decoy account used", Tactics: []string{"InitialAccess"},
		Entities: []alert.Entity{acct(map[string]string{"FullName": "svc-backup@corp.example"})}}
	for _, c := range []struct {
		name            string
		alerts          []alert.Alert
		excluded        []string
		device, account string
	}{
		{"no credential theft", []alert.Alert{lateral, signin}, nil, "", ""},
		{"theft alone", []alert.Alert{dump}, nil, "", ""},
		{"theft then lateral movement: the stolen account", []alert.Alert{signin, dump, lateral}, nil, "ws1.corp", "adm-kim@corp.example"},
		{"lateral movement on the same host does not count", []alert.Alert{dump, sameHostLateral}, nil, "", ""},
		{"theft then a sign-in", []alert.Alert{dump, decoy, signin}, nil, "ws1.corp", "pat@corp.example"},
		{"a decoy is never disabled", []alert.Alert{dump, decoy}, nil, "", ""},
		{"excluded device", []alert.Alert{dump, signin}, []string{"WS1.CORP"}, "", ""},
		{"excluded account falls back to the next", []alert.Alert{dump, lateral, signin}, []string{"adm-kim@corp.example"}, "ws1.corp", "pat@corp.example"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := &Disruption{Excluded: c.excluded}
			p, ok := d.match(c.alerts)
			if ok != (c.device != "") || ok && (p.device != c.device || p.account != c.account) {
				t.Errorf("match = %+v %v, want device %q account %q", p, ok, c.device, c.account)
			}
		})
	}
}

package agent

import "testing"

func TestBlocklistTenant(t *testing.T) {
	for _, c := range []struct {
		subject, tenant string
		ok              bool
	}{
		{"vigil.agent.t1.dev-1.blocklist", "t1", true},
		{"vigil.agent.t1.dev-1.cmd", "", false},
		{"vigil.agent.t1.blocklist", "", false},
		{"vigil.agent.t1.dev-1.blocklist.x", "", false},
		{"other.agent.t1.dev-1.blocklist", "", false},
		{"vigil.agent..dev-1.blocklist", "", false},
	} {
		tenant, ok := blocklistTenant(c.subject)
		if tenant != c.tenant || ok != c.ok {
			t.Errorf("blocklistTenant(%q) = %q %v, want %q %v", c.subject, tenant, ok, c.tenant, c.ok)
		}
	}
}

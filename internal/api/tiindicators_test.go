package api

import (
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
)

func TestTIIndicatorQuery(t *testing.T) {
	reg := schema.NewRegistry()
	for _, tc := range []struct {
		name, search, kind string
		active             bool
		want, err          string
	}{
		{name: "all", want: "ThreatIntelligenceIndicator\n| order by TimeGenerated desc\n| take 50"},
		{name: "search escapes", search: `evil"\x`, want: `Description contains "evil\"\\x"`},
		{name: "type", kind: "ip", want: "| where isnotempty(NetworkIP) or isnotempty(NetworkDestinationIP) or isnotempty(NetworkSourceIP)"},
		{name: "active", active: true, want: "| where Active == true and (isnull(ExpirationDateTime) or ExpirationDateTime > now())"},
		{name: "bad type", kind: "printer", err: `type must be one of ip, domain, url, file, email, not "printer"`},
		{name: "long search", search: strings.Repeat("a", 257), err: "search is 257 bytes long; at most 256"},
	} {
		q, err := tiIndicatorQuery(tc.search, tc.kind, tc.active, 50)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !strings.Contains(q, tc.want) {
			t.Errorf("%s: %q, %v; want it to hold %q", tc.name, q, err, tc.want)
			continue
		}
		if c, diags := kql.Compile(q, reg, kql.Options{Tenant: "t1", Tenants: []string{"t1"}}); c == nil {
			t.Errorf("%s: %q does not compile: %v", tc.name, q, diags)
		}
	}
}

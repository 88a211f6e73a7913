package respond

import (
	"fmt"
	"strings"
	"unicode"
)

// DisruptionExclusions are the assets attack disruption never contains (a tenant's policy):
// critical servers, domain controllers, break-glass accounts. Names compare
// case-insensitively; a device's short name matches its FQDN, and an account name without a
// domain matches the account in any domain.
type DisruptionExclusions struct {
	Devices  []string `json:"devices,omitempty"`
	Accounts []string `json:"accounts,omitempty"`
}

// maxExclusions bounds each list of exclusions; maxNameLen bounds each name.
const (
	maxExclusions = 1000
	maxNameLen    = 256
)

// validate checks every name: not empty, no surrounding space or control characters, not
// too long, not listed twice. Nil is valid (no exclusions).
func (x *DisruptionExclusions) validate() error {
	if x == nil {
		return nil
	}
	for _, l := range []struct {
		field string
		names []string
	}{{"devices", x.Devices}, {"accounts", x.Accounts}} {
		if len(l.names) > maxExclusions {
			return &InvalidError{fmt.Errorf("disruptionExclusions.%s: %d names, at most %d", l.field, len(l.names), maxExclusions)}
		}
		seen := map[string]int{}
		for i, n := range l.names {
			var why string
			switch {
			case strings.TrimSpace(n) == "":
				why = "empty name"
			case strings.TrimSpace(n) != n:
				why = fmt.Sprintf("name %q has surrounding spaces", n)
			case strings.ContainsFunc(n, unicode.IsControl):
				why = fmt.Sprintf("name %q has control characters", n)
			case len(n) > maxNameLen:
				why = fmt.Sprintf("name of %d bytes, at most %d", len(n), maxNameLen)
			}
			if j, dup := seen[strings.ToLower(n)]; dup && why == "" {
				why = fmt.Sprintf("%q is listed already at [%d]", n, j)
			}
			if why != "" {
				return &InvalidError{fmt.Errorf("disruptionExclusions.%s[%d]: %s", l.field, i, why)}
			}
			seen[strings.ToLower(n)] = i
		}
	}
	return nil
}

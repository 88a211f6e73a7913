package rule

import (
	"regexp"
	"strings"
)

// Tactics are the MITRE ATT&CK tactics as Sentinel spells them (enterprise and ICS).
var Tactics = []string{
	"Reconnaissance", "ResourceDevelopment", "InitialAccess", "Execution", "Persistence",
	"PrivilegeEscalation", "DefenseEvasion", "CredentialAccess", "Discovery", "LateralMovement",
	"Collection", "CommandAndControl", "Exfiltration", "Impact", "PreAttack",
	"ImpairProcessControl", "InhibitResponseFunction",
}

var techniqueRE = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// ValidTechnique reports whether s is a technique id such as T1059 or T1059.001.
func ValidTechnique(s string) bool { return techniqueRE.MatchString(s) }

// canonicalTactic returns the Sentinel spelling of a tactic given in any case, with or
// without spaces ("Credential Access", "credentialaccess").
func canonicalTactic(s string) (string, bool) {
	k := strings.ReplaceAll(strings.ToLower(s), " ", "")
	for _, t := range Tactics {
		if strings.ToLower(t) == k {
			return t, true
		}
	}
	return "", false
}

// ValidTactic reports whether s is a tactic exactly as Sentinel spells it.
func ValidTactic(s string) bool {
	t, ok := canonicalTactic(s)
	return ok && t == s
}

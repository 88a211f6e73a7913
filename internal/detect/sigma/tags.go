package sigma

import (
	"strings"

	"github.com/vigilsec/vigil/internal/detect/rule"
)

// attackTactics maps Sigma's attack.<tactic> tags to the tactic names alerts carry.
var attackTactics = map[string]string{
	"reconnaissance": "Reconnaissance", "resource_development": "ResourceDevelopment",
	"initial_access": "InitialAccess", "execution": "Execution", "persistence": "Persistence",
	"privilege_escalation": "PrivilegeEscalation", "defense_evasion": "DefenseEvasion",
	"defense_impairment": "DefenseEvasion", "credential_access": "CredentialAccess",
	"discovery": "Discovery", "lateral_movement": "LateralMovement", "collection": "Collection",
	"command_and_control": "CommandAndControl", "exfiltration": "Exfiltration", "impact": "Impact",
}

// attackTags reads MITRE ATT&CK tactics and techniques from tags (attack.execution,
// attack.t1059.001), in order, without duplicates.
func attackTags(tags []string) (tactics, techniques []string) {
	seen := map[string]bool{}
	for _, t := range tags {
		rest, ok := strings.CutPrefix(strings.ToLower(t), "attack.")
		if !ok {
			continue
		}
		if tac, ok := attackTactics[strings.ReplaceAll(rest, "-", "_")]; ok && rule.ValidTactic(tac) {
			if !seen[tac] {
				seen[tac] = true
				tactics = append(tactics, tac)
			}
			continue
		}
		tech := strings.ToUpper(rest)
		if rule.ValidTechnique(tech) && !seen[tech] {
			seen[tech] = true
			techniques = append(techniques, tech)
		}
	}
	return tactics, techniques
}

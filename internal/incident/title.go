package incident

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/meta"
)

// title derives an incident's title from its alerts (digests), oldest first: the first alert's when
// they all come from one detection, otherwise "Multi-stage incident involving" the MITRE
// tactics seen, in order (or the number of detections when no alert names a tactic).
func title(alerts []meta.IncidentAlert) string {
	if len(alerts) == 0 {
		return ""
	}
	detections := map[string]bool{}
	var tactics []string
	seen := map[string]bool{}
	for _, a := range alerts {
		detections[a.RuleID+"\x00"+a.Title] = true
		for _, t := range a.Tactics {
			if !seen[t] {
				seen[t] = true
				tactics = append(tactics, t)
			}
		}
	}
	if len(detections) == 1 {
		return alerts[0].Title
	}
	if len(tactics) == 0 {
		return fmt.Sprintf("Multi-stage incident involving %d detections", len(detections))
	}
	if len(tactics) > maxTitleTactics {
		rest := len(tactics) - maxTitleTactics
		return fmt.Sprintf("Multi-stage incident involving %s & %d other tactics", strings.Join(spacedAll(tactics[:maxTitleTactics]), ", "), rest)
	}
	return "Multi-stage incident involving " + joinAnd(tactics)
}

// maxTitleTactics is how many tactics a title names before counting the rest.
const maxTitleTactics = 3

func spacedAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = spaced(s)
	}
	return out
}

// joinAnd joins tactics as Defender does: "Initial access, Execution & Persistence".
func joinAnd(items []string) string {
	for i, s := range items {
		items[i] = spaced(s)
	}
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " & " + items[len(items)-1]
}

// spaced turns "InitialAccess" into "Initial access".
func spaced(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

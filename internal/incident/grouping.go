package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
)

// defaultLookback is Sentinel's default grouping lookback.
const defaultLookback = 5 * time.Hour

// createsIncident reports whether a's rule lets it create or join an incident. An alert
// with no incident configuration at all (an imported alert, or one built by hand) does:
// every rule format Vigil loads fills the configuration, with createIncident true unless
// the rule turns it off.
func createsIncident(a *alert.Alert) bool {
	ic := a.Incident
	if !ic.CreateIncident && isZeroConfig(ic) {
		return true
	}
	return ic.CreateIncident
}

func isZeroConfig(ic rule.IncidentConfiguration) bool {
	g := ic.Grouping
	return !g.Enabled && !g.ReopenClosedIncident && g.LookbackDuration == 0 && g.MatchingMethod == "" &&
		len(g.GroupByEntities)+len(g.GroupByAlertDetails)+len(g.GroupByCustomDetails) == 0
}

// groupKey returns the key that groups a with the other alerts of its rule when the rule
// enables grouping: the rule alone (AnyAlert); the rule and all of a's entities
// (AllEntities, the default); or the rule and the selected entity types, alert details
// (DisplayName, Severity) and custom details (Selected).
func groupKey(a *alert.Alert) (string, bool) {
	g := a.Incident.Grouping
	if !g.Enabled {
		return "", false
	}
	parts := []string{a.RuleID, string(g.MatchingMethod)}
	switch g.MatchingMethod {
	case rule.MatchAnyAlert:
	case rule.MatchSelected:
		for _, t := range sortedLower(g.GroupByEntities) {
			parts = append(parts, "e:"+t+"="+strings.Join(entityValues(a, t), ","))
		}
		for _, d := range sortedLower(g.GroupByAlertDetails) {
			parts = append(parts, "d:"+d+"="+alertDetail(a, d))
		}
		for _, k := range slices.Sorted(slices.Values(g.GroupByCustomDetails)) {
			v, _ := json.Marshal(a.CustomDetails[k])
			parts = append(parts, "c:"+k+"="+string(v))
		}
	default:
		parts = append(parts, "e:*="+strings.Join(entityValues(a, ""), ","))
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "group:" + hex.EncodeToString(sum[:16]), true
}

func sortedLower(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, strings.ToLower(v))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// entityValues renders a's entities of type typ (lower case; "" for all) as sorted
// "type{identifier=value;...}" strings, values in lower case.
func entityValues(a *alert.Alert, typ string) []string {
	var out []string
	for _, e := range a.Entities {
		t := strings.ToLower(e.Type)
		if typ != "" && t != typ {
			continue
		}
		ids := make([]string, 0, len(e.Identifiers))
		for k, v := range e.Identifiers {
			ids = append(ids, k+"="+strings.ToLower(strings.TrimSpace(v)))
		}
		slices.Sort(ids)
		out = append(out, t+"{"+strings.Join(ids, ";")+"}")
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// alertDetail returns the alert detail Sentinel groups by (DisplayName, Severity), or a
// property of that name.
func alertDetail(a *alert.Alert, name string) string {
	switch name {
	case "displayname":
		return a.Title
	case "severity":
		return strings.ToLower(string(a.Severity))
	}
	for k, v := range a.Properties {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

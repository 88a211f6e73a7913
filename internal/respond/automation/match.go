package automation

import (
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// Subject is what a rule is evaluated on: the incident (nil for an alert without one), its
// alerts, and the alert that triggered the event (alertCreated).
type Subject struct {
	Tenant   string
	Incident *meta.Incident
	Alerts   []alert.Alert
	Alert    *alert.Alert
}

// properties maps each condition property to the values it has for a subject. Entity
// properties read the alerts' entities (the triggering alert's alone for alertCreated).
var properties = map[string]func(s *Subject) []string{
	"tenant": func(s *Subject) []string { return []string{s.Tenant} },
	"severity": func(s *Subject) []string {
		if s.Alert != nil {
			return []string{string(s.Alert.Severity)}
		}
		return incidentField(s, func(in *meta.Incident) string { return in.Severity })
	},
	"title": func(s *Subject) []string {
		if s.Alert != nil {
			return []string{s.Alert.Title}
		}
		return incidentField(s, func(in *meta.Incident) string { return in.Title })
	},
	"status": func(s *Subject) []string {
		return incidentField(s, func(in *meta.Incident) string { return in.Status })
	},
	"owner": func(s *Subject) []string {
		return incidentField(s, func(in *meta.Incident) string { return in.AssignedTo })
	},
	"classification": func(s *Subject) []string {
		return incidentField(s, func(in *meta.Incident) string { return in.Classification })
	},
	"tags": func(s *Subject) []string {
		if s.Incident == nil {
			return nil
		}
		return s.Incident.Tags
	},
	"tactics":         alertsField(func(a *alert.Alert) []string { return a.Tactics }),
	"ruleName":        alertsField(func(a *alert.Alert) []string { return []string{a.RuleName} }),
	"ruleId":          alertsField(func(a *alert.Alert) []string { return []string{a.RuleID} }),
	"detectionSource": alertsField(func(a *alert.Alert) []string { return []string{a.Provider} }),
	"account":         entities("accounts"),
	"host":            entities("devices"),
	"ip":              entities("ips"),
	"file":            entities("files"),
	"url":             entities("urls"),
	"mailbox":         entities("mailboxes"),
}

func incidentField(s *Subject, f func(*meta.Incident) string) []string {
	if s.Incident == nil {
		return nil
	}
	return []string{f(s.Incident)}
}

// alertsOf is the alerts a property reads: the triggering one, or all the incident's.
func (s *Subject) alertsOf() []alert.Alert {
	if s.Alert != nil {
		return []alert.Alert{*s.Alert}
	}
	return s.Alerts
}

func alertsField(f func(*alert.Alert) []string) func(*Subject) []string {
	return func(s *Subject) []string {
		var out []string
		for _, a := range s.alertsOf() {
			for _, v := range f(&a) {
				if v != "" && !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
		return out
	}
}

func entities(kind string) func(*Subject) []string {
	return func(s *Subject) []string { return playbook.EntityValues(s.alertsOf(), kind) }
}

// operators test one value of a property against one value of a condition; a condition
// holds when any value of the property matches any of its values (for the negated ones:
// when none does). Comparisons ignore case.
var operators = map[string]struct {
	match   func(have, want string) bool
	negated bool
}{
	"equals":      {strings.EqualFold, false},
	"notEquals":   {strings.EqualFold, true},
	"contains":    {containsFold, false},
	"notContains": {containsFold, true},
	"startsWith":  {func(h, w string) bool { return strings.HasPrefix(strings.ToLower(h), strings.ToLower(w)) }, false},
	"endsWith":    {func(h, w string) bool { return strings.HasSuffix(strings.ToLower(h), strings.ToLower(w)) }, false},
}

func containsFold(have, want string) bool {
	return strings.Contains(strings.ToLower(have), strings.ToLower(want))
}

// Properties returns the condition properties, sorted.
func Properties() []string { return sortedKeys(properties) }

// Operators returns the condition operators, sorted.
func Operators() []string { return sortedKeys(operators) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Holds reports whether c holds for s.
func (c Condition) Holds(s *Subject) bool {
	op, ok := operators[c.Operator]
	prop, okp := properties[c.Property]
	if !ok || !okp {
		return false
	}
	any := false
	for _, have := range prop(s) {
		for _, want := range c.Values {
			if op.match(have, want) {
				any = true
			}
		}
	}
	return any != op.negated
}

// Event is what happened: the trigger, and for incidentUpdated who made the update and
// which properties it changed.
type Event struct {
	Trigger   string
	UpdatedBy string
	Changed   []string
	At        time.Time
}

// Matches reports whether r runs for ev on s: enabled, not expired at ev.At, the trigger
// and every condition holding.
func (r *Rule) Matches(ev Event, s *Subject) bool {
	if !r.Enabled || r.Expires != nil && !ev.At.Before(*r.Expires) || r.Trigger.On != ev.Trigger {
		return false
	}
	if ev.Trigger == IncidentUpdated {
		if len(r.Trigger.UpdatedBy) > 0 && !slices.Contains(r.Trigger.UpdatedBy, ev.UpdatedBy) {
			return false
		}
		if len(r.Trigger.Changed) > 0 && !slices.ContainsFunc(r.Trigger.Changed, func(p string) bool { return slices.Contains(ev.Changed, p) }) {
			return false
		}
	}
	for _, c := range r.Conditions {
		if !c.Holds(s) {
			return false
		}
	}
	return true
}

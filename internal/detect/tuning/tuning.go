package tuning

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// Actions a tuning rule takes on the alerts it matches.
const (
	// ActionSuppress keeps the alert out of the queue and out of incidents; it is counted on
	// the tuning rule and recorded nowhere else.
	ActionSuppress = "suppress"
	// ActionResolve stores the alert resolved, in the alert tables only: huntable, but it
	// opens or joins no incident.
	ActionResolve = "resolve"
)

// Rule is an exclusion: alerts matching every condition (and one of RuleIDs, when set) are
// suppressed or resolved until it expires.
type Rule struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Reason     string      `json:"reason"`
	Action     string      `json:"action"`
	RuleIDs    []string    `json:"ruleIds,omitempty"` // the detection rules it applies to; empty means all
	Conditions []Condition `json:"conditions"`
	Expires    *time.Time  `json:"expiresDateTime,omitempty"`
	Enabled    bool        `json:"isEnabled"`
}

// Condition tests one field of an alert. Field is "title", "severity", "ruleId", "ruleName",
// "tactic", "technique", "entity:Type.Identifier" (such as "entity:Account.Name" or
// "entity:Host.HostName"; "entity:*.Identifier" for any type) or "evidence:Column" (a column
// of the alert's evidence rows). A condition matches when any of the field's values does.
type Condition struct {
	Field    string   `json:"field"`
	Operator string   `json:"operator"` // equals, notEquals, contains, startsWith, endsWith, matches (a regular expression), in
	Values   []string `json:"values"`

	re *regexp.Regexp
}

var operators = []string{"equals", "notEquals", "contains", "startsWith", "endsWith", "matches", "in"}

// Validate checks r and compiles its regular expressions; it returns every problem at once.
func (r *Rule) Validate() error {
	var errs []error
	if strings.TrimSpace(r.Name) == "" {
		errs = append(errs, errors.New("name: required"))
	}
	if strings.TrimSpace(r.Reason) == "" {
		errs = append(errs, errors.New("reason: required (say why these alerts are expected)"))
	}
	if r.Action != ActionSuppress && r.Action != ActionResolve {
		errs = append(errs, fmt.Errorf("action: %q is not suppress or resolve", r.Action))
	}
	if len(r.Conditions) == 0 && len(r.RuleIDs) == 0 {
		errs = append(errs, errors.New("conditions: give at least one condition or ruleIds (a rule that matches every alert is a disabled detection; switch the rule off instead)"))
	}
	for i := range r.Conditions {
		if err := r.Conditions[i].compile(); err != nil {
			errs = append(errs, fmt.Errorf("conditions[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

func (c *Condition) compile() error {
	if !validField(c.Field) {
		return fmt.Errorf("field %q: want title, severity, ruleId, ruleName, tactic, technique, entity:Type.Identifier or evidence:Column", c.Field)
	}
	if !slices.Contains(operators, c.Operator) {
		return fmt.Errorf("operator %q: want one of %s", c.Operator, strings.Join(operators, ", "))
	}
	if len(c.Values) == 0 {
		return errors.New("values: at least one value")
	}
	if c.Operator == "matches" {
		if len(c.Values) != 1 {
			return errors.New("matches takes one regular expression")
		}
		re, err := regexp.Compile("(?i)" + c.Values[0])
		if err != nil {
			return fmt.Errorf("regular expression: %w", err)
		}
		c.re = re
	}
	return nil
}

func validField(f string) bool {
	switch f {
	case "title", "severity", "ruleId", "ruleName", "tactic", "technique":
		return true
	}
	if rest, ok := strings.CutPrefix(f, "entity:"); ok {
		typ, id, ok := strings.Cut(rest, ".")
		return ok && typ != "" && id != ""
	}
	if col, ok := strings.CutPrefix(f, "evidence:"); ok {
		return col != ""
	}
	return false
}

// Active reports whether r applies at t.
func (r *Rule) Active(t time.Time) bool {
	return r.Enabled && (r.Expires == nil || t.Before(*r.Expires))
}

// Matches reports whether a matches r's scope and every condition.
func (r *Rule) Matches(a *alert.Alert) bool {
	if len(r.RuleIDs) > 0 && !slices.ContainsFunc(r.RuleIDs, func(id string) bool { return strings.EqualFold(id, a.RuleID) }) {
		return false
	}
	for i := range r.Conditions {
		if !r.Conditions[i].matches(fieldValues(a, r.Conditions[i].Field)) {
			return false
		}
	}
	return true
}

// matches compares case-insensitively; notEquals holds when no value of the field equals any
// of the condition's values.
func (c *Condition) matches(vals []string) bool {
	if c.Operator == "notEquals" {
		return !slices.ContainsFunc(vals, func(v string) bool {
			return slices.ContainsFunc(c.Values, func(w string) bool { return strings.EqualFold(v, w) })
		})
	}
	for _, v := range vals {
		lv := strings.ToLower(v)
		for _, w := range c.Values {
			lw := strings.ToLower(w)
			if c.test(lv, lw, v) {
				return true
			}
		}
	}
	return false
}

func (c *Condition) test(lv, lw, v string) bool {
	switch c.Operator {
	case "equals", "in":
		return lv == lw
	case "contains":
		return strings.Contains(lv, lw)
	case "startsWith":
		return strings.HasPrefix(lv, lw)
	case "endsWith":
		return strings.HasSuffix(lv, lw)
	case "matches":
		return c.re != nil && c.re.MatchString(v)
	}
	return false
}

// fieldValues returns the values of field in a.
func fieldValues(a *alert.Alert, field string) []string {
	switch field {
	case "title":
		return []string{a.Title}
	case "severity":
		return []string{string(a.Severity)}
	case "ruleId":
		return []string{a.RuleID}
	case "ruleName":
		return []string{a.RuleName}
	case "tactic":
		return a.Tactics
	case "technique":
		return a.Techniques
	}
	if rest, ok := strings.CutPrefix(field, "entity:"); ok {
		typ, id, _ := strings.Cut(rest, ".")
		var out []string
		for _, e := range a.Entities {
			if typ == "*" || strings.EqualFold(e.Type, typ) {
				for k, v := range withDerived(e) {
					if strings.EqualFold(k, id) {
						out = append(out, v)
					}
				}
			}
		}
		return out
	}
	col, _ := strings.CutPrefix(field, "evidence:")
	return evidenceValues(a.Evidence, col)
}

func evidenceValues(ev alert.Evidence, col string) []string {
	idx := slices.IndexFunc(ev.Columns, func(c string) bool { return strings.EqualFold(c, col) })
	if idx < 0 {
		return nil
	}
	var out []string
	for _, row := range ev.Rows {
		if idx < len(row) && row[idx] != nil {
			out = append(out, fmt.Sprint(row[idx]))
		}
	}
	return out
}

// withDerived returns e's identifiers plus those a condition may expect but a rule mapped in
// another form: a host's HostName from its FullName (host.domain), an account's Name from its
// FullName (DOMAIN\\user or user@domain).
func withDerived(e alert.Entity) map[string]string {
	ids := e.Identifiers
	full := ids["FullName"]
	if full == "" {
		return ids
	}
	derived := ""
	switch {
	case strings.EqualFold(e.Type, "host") && ids["HostName"] == "":
		derived, _, _ = strings.Cut(full, ".")
		return merged(ids, "HostName", derived)
	case strings.EqualFold(e.Type, "account") && ids["Name"] == "":
		if _, user, ok := strings.Cut(full, "\\"); ok {
			derived = user
		} else {
			derived, _, _ = strings.Cut(full, "@")
		}
		return merged(ids, "Name", derived)
	}
	return ids
}

func merged(ids map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(ids)+1)
	for key, val := range ids {
		out[key] = val
	}
	out[k] = v
	return out
}

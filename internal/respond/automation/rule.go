package automation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// The triggers.
const (
	IncidentCreated = "incidentCreated"
	IncidentUpdated = "incidentUpdated"
	AlertCreated    = "alertCreated"
)

// Who an incident update was made by (trigger.updatedBy).
const (
	ByUser          = "user"
	ByAlertGrouping = "alertGrouping" // the correlator added an alert or reopened the incident
	ByApplication   = "application"   // another component, such as attack disruption
)

var (
	triggerNames    = []string{IncidentCreated, IncidentUpdated, AlertCreated}
	updaters        = []string{ByUser, ByAlertGrouping, ByApplication}
	changeableProps = []string{"status", "severity", "owner", "tags", "classification", "determination", "alerts"}
)

// Rule is an automation rule.
type Rule struct {
	Tenant     string      `json:"tenantId,omitempty"`
	ID         string      `json:"id,omitempty"`
	Name       string      `json:"name"`
	Order      int         `json:"order"`
	Enabled    bool        `json:"enabled"`
	Expires    *time.Time  `json:"expires,omitempty"`
	Trigger    Trigger     `json:"trigger"`
	Conditions []Condition `json:"conditions,omitempty"`
	Actions    []Action    `json:"actions"`
	CreatedBy  string      `json:"createdBy,omitempty"`
	UpdatedBy  string      `json:"lastModifiedBy,omitempty"`
	CreatedAt  *time.Time  `json:"createdDateTime,omitempty"`
	UpdatedAt  *time.Time  `json:"lastModifiedDateTime,omitempty"`
}

// Trigger is what event a rule reacts to.
type Trigger struct {
	On string `json:"on"`
	// UpdatedBy limits incidentUpdated to updates by these (user, alertGrouping,
	// application); empty means any.
	UpdatedBy []string `json:"updatedBy,omitempty"`
	// Changed limits incidentUpdated to updates changing one of these properties; empty
	// means any.
	Changed []string `json:"changed,omitempty"`
}

// Condition is one test a rule's conditions AND together.
type Condition struct {
	Property string   `json:"property"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// Action is one thing a rule does; which fields it uses depends on its type.
type Action struct {
	Type           string         `json:"type"`
	Owner          string         `json:"owner,omitempty"`
	Status         string         `json:"status,omitempty"`
	Classification string         `json:"classification,omitempty"`
	Determination  string         `json:"determination,omitempty"`
	Comment        string         `json:"comment,omitempty"`
	Severity       string         `json:"severity,omitempty"`
	Tags           []string       `json:"tags,omitempty"`
	Playbook       string         `json:"playbook,omitempty"`
	Inputs         map[string]any `json:"inputs,omitempty"`
	// Line and Column are where the action was written (for later checks).
	Line   int `json:"-"`
	Column int `json:"-"`
}

// The action types.
const (
	ActAssignOwner    = "assignOwner"
	ActChangeStatus   = "changeStatus"
	ActChangeSeverity = "changeSeverity"
	ActAddTags        = "addTags"
	ActRunPlaybook    = "runPlaybook"
	ActSuppress       = "suppress"
)

// actionFields lists each action type's fields and the ones it requires.
var actionFields = map[string]struct{ fields, required []string }{
	ActAssignOwner:    {[]string{"owner"}, []string{"owner"}},
	ActChangeStatus:   {[]string{"status", "classification", "determination", "comment"}, []string{"status"}},
	ActChangeSeverity: {[]string{"severity"}, []string{"severity"}},
	ActAddTags:        {[]string{"tags"}, []string{"tags"}},
	ActRunPlaybook:    {[]string{"playbook", "inputs"}, []string{"playbook"}},
	ActSuppress:       {[]string{"determination", "comment"}, []string{"comment"}},
}

var (
	ruleFields      = []string{"name", "order", "enabled", "expires", "trigger", "conditions", "actions"}
	triggerFields   = []string{"on", "updatedBy", "changed"}
	conditionFields = []string{"property", "operator", "values"}
	statuses        = []string{meta.IncidentActive, meta.IncidentInProgress, meta.IncidentResolved}
	severities      = []string{"informational", "low", "medium", "high"}
	classifications = []string{meta.ClassTruePositive, meta.ClassFalsePositive, meta.ClassExpected}
)

// Parse reads and validates a rule written in YAML or JSON; file names it in diagnostics.
// The error is playbook.Diagnostics listing each problem with its line, column and reason.
func Parse(file string, src []byte) (*Rule, error) {
	root, err := playbook.ParseDocument(file, src)
	if err != nil {
		return nil, err
	}
	d := &playbook.Checker{File: file}
	r := &Rule{Enabled: true}
	seen := map[string]bool{}
	d.Fields(root, "automation rule", ruleFields, func(key string, _, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "name":
			r.Name = strings.TrimSpace(d.Str(v, "name"))
		case "order":
			d.Decode(v, "order", &r.Order)
		case "enabled":
			d.Decode(v, "enabled", &r.Enabled)
		case "expires":
			t, err := time.Parse(time.RFC3339, d.Str(v, "expires"))
			if err != nil {
				d.At(v, "expires %q: want an RFC 3339 time such as 2026-12-31T00:00:00Z", v.Value)
			}
			t = t.UTC()
			r.Expires = &t
		case "trigger":
			r.Trigger = parseTrigger(d, v)
		case "conditions":
			r.Conditions = parseConditions(d, v)
		case "actions":
			r.Actions = parseActions(d, v)
		}
	})
	if root.Kind == yaml.MappingNode {
		for _, req := range []string{"name", "trigger", "actions"} {
			if !seen[req] {
				d.At(root, "%s is required", req)
			}
		}
		if seen["name"] && r.Name == "" {
			d.At(root, "name must not be empty")
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

func oneOf(d *playbook.Checker, n *yaml.Node, what, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		d.At(n, "unknown %s %q (known: %s)", what, v, strings.Join(allowed, ", "))
	}
}

func parseTrigger(d *playbook.Checker, n *yaml.Node) Trigger {
	var t Trigger
	var onNode *yaml.Node
	d.Fields(n, "trigger", triggerFields, func(key string, _, v *yaml.Node) {
		switch key {
		case "on":
			onNode = v
			t.On = d.Str(v, "on")
			oneOf(d, v, "trigger", t.On, triggerNames)
		case "updatedBy":
			t.UpdatedBy = d.Strs(v, "updatedBy")
			for _, u := range t.UpdatedBy {
				oneOf(d, v, "updatedBy", u, updaters)
			}
		case "changed":
			t.Changed = d.Strs(v, "changed")
			for _, c := range t.Changed {
				oneOf(d, v, "changed property", c, changeableProps)
			}
		}
	})
	if n.Kind == yaml.MappingNode && onNode == nil {
		d.At(n, "trigger.on is required (one of %s)", strings.Join(triggerNames, ", "))
	}
	if t.On != IncidentUpdated && (len(t.UpdatedBy) > 0 || len(t.Changed) > 0) && onNode != nil {
		d.At(onNode, "updatedBy and changed apply only to trigger incidentUpdated")
	}
	return t
}

func parseConditions(d *playbook.Checker, n *yaml.Node) []Condition {
	var out []Condition
	for _, c := range d.List(n, "conditions", false) {
		var cond Condition
		d.Fields(c, "condition", conditionFields, func(key string, _, v *yaml.Node) {
			switch key {
			case "property":
				cond.Property = d.Str(v, "property")
				oneOf(d, v, "property", cond.Property, Properties())
			case "operator":
				cond.Operator = d.Str(v, "operator")
				oneOf(d, v, "operator", cond.Operator, Operators())
			case "values":
				cond.Values = d.Strs(v, "values")
			}
		})
		if c.Kind == yaml.MappingNode && (cond.Property == "" || cond.Operator == "" || len(cond.Values) == 0) {
			d.At(c, "a condition needs property, operator and values")
		}
		out = append(out, cond)
	}
	return out
}

func parseActions(d *playbook.Checker, n *yaml.Node) []Action {
	var out []Action
	for _, c := range d.List(n, "actions", true) {
		a := Action{Line: c.Line, Column: c.Column}
		fields := map[string]*yaml.Node{}
		if c.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(c.Content); i += 2 {
				if c.Content[i].Value == "type" {
					a.Type = d.Str(c.Content[i+1], "type")
					oneOf(d, c.Content[i+1], "action type", a.Type, ActionTypes())
				}
			}
		}
		spec, known := actionFields[a.Type]
		d.Fields(c, "action "+a.Type, append([]string{"type"}, spec.fields...), func(key string, _, v *yaml.Node) {
			fields[key] = v
			readActionField(d, &a, key, v)
		})
		if c.Kind != yaml.MappingNode {
			continue
		}
		if a.Type == "" {
			d.At(c, "action type is required (one of %s)", strings.Join(ActionTypes(), ", "))
		}
		for _, req := range spec.required {
			if known && fields[req] == nil {
				d.At(c, "action %s needs %s", a.Type, req)
			}
		}
		if a.Type == ActChangeStatus && a.Status == meta.IncidentResolved && (a.Classification == "" || a.Comment == "") {
			d.At(c, "changeStatus to resolved needs a classification and a comment")
		}
		out = append(out, a)
	}
	return out
}

func readActionField(d *playbook.Checker, a *Action, key string, v *yaml.Node) {
	switch key {
	case "owner":
		a.Owner = d.Str(v, key)
	case "status":
		a.Status = d.Str(v, key)
		oneOf(d, v, "status", a.Status, statuses)
	case "classification":
		a.Classification = d.Str(v, key)
		oneOf(d, v, "classification", a.Classification, classifications)
	case "determination":
		a.Determination = d.Str(v, key)
	case "comment":
		a.Comment = d.Str(v, key)
	case "severity":
		a.Severity = strings.ToLower(d.Str(v, key))
		oneOf(d, v, "severity", a.Severity, severities)
	case "tags":
		a.Tags = d.Strs(v, key)
	case "playbook":
		a.Playbook = d.Str(v, key)
	case "inputs":
		if v.Kind != yaml.MappingNode {
			d.At(v, "inputs must be a mapping")
			return
		}
		if err := v.Decode(&a.Inputs); err != nil {
			d.At(v, "inputs: %v", err)
		}
	}
}

// ActionTypes returns the action types, sorted.
func ActionTypes() []string {
	out := make([]string, 0, len(actionFields))
	for k := range actionFields {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Definition is the rule's definition as stored: what Parse reads back.
func (r *Rule) Definition() (string, error) {
	def := *r
	def.Tenant, def.ID, def.CreatedBy, def.UpdatedBy, def.CreatedAt, def.UpdatedAt = "", "", "", "", nil, nil
	b, err := json.Marshal(def)
	if err != nil {
		return "", fmt.Errorf("automation rule definition: %w", err)
	}
	return string(b), nil
}

// fromRecord reads a stored rule.
func fromRecord(rec meta.AutomationRule) (*Rule, error) {
	r, err := Parse(rec.Name, []byte(rec.Definition))
	if err != nil {
		return nil, fmt.Errorf("stored automation rule %s: %w", rec.ID, err)
	}
	created, updated := rec.CreatedAt, rec.UpdatedAt
	r.Tenant, r.ID, r.CreatedBy, r.UpdatedBy, r.CreatedAt, r.UpdatedAt = rec.Tenant, rec.ID, rec.CreatedBy, rec.UpdatedBy, &created, &updated
	return r, nil
}

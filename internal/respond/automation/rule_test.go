package automation

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
)

const goodRule = `name: Ransomware to the SOC lead
order: 5
expires: 2030-01-01T00:00:00Z
trigger:
  on: incidentUpdated
  updatedBy: [user, alertGrouping]
  changed: [severity]
conditions:
  - {property: severity, operator: equals, values: [High]}
  - {property: title, operator: notContains, values: [test]}
actions:
  - {type: assignOwner, owner: soc-lead}
  - {type: changeStatus, status: resolved, classification: truePositive, determination: malware, comment: contained}
  - {type: runPlaybook, playbook: p, inputs: {notify: a@example.com}}
`

func TestParseRule(t *testing.T) {
	r, err := Parse("r.yaml", []byte(goodRule))
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Ransomware to the SOC lead" || r.Order != 5 || !r.Enabled || r.Expires == nil || r.Expires.Year() != 2030 ||
		r.Trigger.On != IncidentUpdated || len(r.Conditions) != 2 || len(r.Actions) != 3 || r.Actions[2].Inputs["notify"] != "a@example.com" ||
		r.Actions[1].Line != 13 {
		t.Errorf("rule: %+v", r)
	}
	// The stored definition reads back the same.
	def, err := r.Definition()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("stored", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := back.Definition(); again != def {
		t.Errorf("round trip:\n%s\n%s", def, again)
	}
}

func TestParseRuleErrors(t *testing.T) {
	const head = "name: r\ntrigger: {on: incidentCreated}\n"
	cases := []struct{ name, src, want string }{
		{"syntax", "name: r\n  trigger: x: y\n", "r.yaml:2:1: invalid YAML: mapping values are not allowed"},
		{"unknown field", head + "actions: [{type: addTags, tags: [x]}]\ncolour: red\n", `r.yaml:4:1: unknown field "colour" in automation rule`},
		{"missing actions", head, "r.yaml:1:1: actions is required"},
		{"unknown trigger", "name: r\ntrigger: {on: incidentClosed}\nactions: [{type: addTags, tags: [x]}]\n", `r.yaml:2:15: unknown trigger "incidentClosed"`},
		{"changed on created", "name: r\ntrigger: {on: incidentCreated, changed: [status]}\nactions: [{type: addTags, tags: [x]}]\n",
			"r.yaml:2:15: updatedBy and changed apply only to trigger incidentUpdated"},
		{"unknown changed", "name: r\ntrigger: {on: incidentUpdated, changed: [colour]}\nactions: [{type: addTags, tags: [x]}]\n",
			`r.yaml:2:41: unknown changed property "colour"`},
		{"unknown operator", head + "conditions: [{property: title, operator: like, values: [x]}]\nactions: [{type: addTags, tags: [x]}]\n",
			`r.yaml:3:42: unknown operator "like"`},
		{"condition without values", head + "conditions: [{property: title, operator: contains}]\nactions: [{type: addTags, tags: [x]}]\n",
			"r.yaml:3:14: a condition needs property, operator and values"},
		{"unknown action", head + "actions: [{type: deleteIncident}]\n", `r.yaml:3:18: unknown action type "deleteIncident"`},
		{"field of another action", head + "actions: [{type: addTags, owner: x}]\n", `r.yaml:3:27: unknown field "owner" in action addTags`},
		{"closing without classification", head + "actions: [{type: changeStatus, status: resolved}]\n",
			"r.yaml:3:11: changeStatus to resolved needs a classification and a comment"},
		{"bad severity", head + "actions: [{type: changeSeverity, severity: critical}]\n", `r.yaml:3:44: unknown severity "critical"`},
		{"bad expiry", head + "expires: tomorrow\nactions: [{type: addTags, tags: [x]}]\n", `r.yaml:3:10: expires "tomorrow"`},
		{"bad order", head + "order: first\nactions: [{type: addTags, tags: [x]}]\n", "r.yaml:3:8: order: cannot unmarshal !!str `first` into int"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("r.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	in := &meta.Incident{ID: 3, Tenant: "t1", Title: "Ransomware on ws7", Severity: "high", Status: "active", AssignedTo: "",
		Tags: []string{"vip"}}
	alerts := []alert.Alert{{ID: "a1", Title: "Mass rename", Severity: "High", RuleID: "r-1", RuleName: "Mass rename",
		Provider: "Vigil", Tactics: []string{"Impact"}, Entities: []alert.Entity{
			{Type: "host", Identifiers: map[string]string{"HostName": "WS7"}},
			{Type: "account", Identifiers: map[string]string{"Name": "bob", "UPNSuffix": "corp.example"}},
			{Type: "ip", Identifiers: map[string]string{"Address": "203.0.113.9"}},
			{Type: "filehash", Identifiers: map[string]string{"Algorithm": "SHA256", "Value": "ab12"}},
			{Type: "url", Identifiers: map[string]string{"Url": "http://evil.example/x"}},
			{Type: "mailbox", Identifiers: map[string]string{"MailboxPrimaryAddress": "bob@corp.example"}}}}}
	subj := &Subject{Tenant: "t1", Incident: in, Alerts: alerts}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	created := Event{Trigger: IncidentCreated, At: at}
	cond := func(p, op string, v ...string) []Condition {
		return []Condition{{Property: p, Operator: op, Values: v}}
	}
	cases := []struct {
		name  string
		rule  Rule
		ev    Event
		match bool
	}{
		{"no conditions", Rule{}, created, true},
		{"severity equals, any case", Rule{Conditions: cond("severity", "equals", "Low", "High")}, created, true},
		{"severity not equals", Rule{Conditions: cond("severity", "notEquals", "high")}, created, false},
		{"title contains", Rule{Conditions: cond("title", "contains", "RANSOMWARE")}, created, true},
		{"title not contains", Rule{Conditions: cond("title", "notContains", "ransom")}, created, false},
		{"tenant", Rule{Conditions: cond("tenant", "equals", "t2")}, created, false},
		{"tactics", Rule{Conditions: cond("tactics", "equals", "impact")}, created, true},
		{"tags", Rule{Conditions: cond("tags", "equals", "vip")}, created, true},
		{"owner empty", Rule{Conditions: cond("owner", "equals", "")}, created, true},
		{"status", Rule{Conditions: cond("status", "equals", "resolved")}, created, false},
		{"host", Rule{Conditions: cond("host", "equals", "ws7")}, created, true},
		{"account upn", Rule{Conditions: cond("account", "endsWith", "@corp.example")}, created, true},
		{"ip", Rule{Conditions: cond("ip", "startsWith", "203.0.113.")}, created, true},
		{"file", Rule{Conditions: cond("file", "equals", "AB12")}, created, true},
		{"url", Rule{Conditions: cond("url", "contains", "evil.example")}, created, true},
		{"mailbox not", Rule{Conditions: cond("mailbox", "notEquals", "bob@corp.example")}, created, false},
		{"rule name", Rule{Conditions: cond("ruleName", "equals", "Other", "Mass rename")}, created, true},
		{"rule id", Rule{Conditions: cond("ruleId", "equals", "r-2")}, created, false},
		{"detection source", Rule{Conditions: cond("detectionSource", "equals", "vigil")}, created, true},
		{"and", Rule{Conditions: append(cond("severity", "equals", "high"), cond("title", "contains", "phish")...)}, created, false},
		{"disabled", Rule{Enabled: false}, created, false},
		{"expired", Rule{Expires: &at}, created, false},
		{"other trigger", Rule{Trigger: Trigger{On: AlertCreated}}, created, false},
		{"updated by user", Rule{Trigger: Trigger{On: IncidentUpdated, UpdatedBy: []string{ByUser}}},
			Event{Trigger: IncidentUpdated, UpdatedBy: ByUser, Changed: []string{"owner"}, At: at}, true},
		{"updated by grouping only", Rule{Trigger: Trigger{On: IncidentUpdated, UpdatedBy: []string{ByAlertGrouping}}},
			Event{Trigger: IncidentUpdated, UpdatedBy: ByUser, At: at}, false},
		{"changed severity", Rule{Trigger: Trigger{On: IncidentUpdated, Changed: []string{"severity", "status"}}},
			Event{Trigger: IncidentUpdated, UpdatedBy: ByUser, Changed: []string{"owner", "status"}, At: at}, true},
		{"changed other", Rule{Trigger: Trigger{On: IncidentUpdated, Changed: []string{"severity"}}},
			Event{Trigger: IncidentUpdated, UpdatedBy: ByUser, Changed: []string{"owner"}, At: at}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.rule
			if r.Trigger.On == "" {
				r.Trigger.On = IncidentCreated
			}
			if c.name != "disabled" {
				r.Enabled = true
			}
			if got := r.Matches(c.ev, subj); got != c.match {
				t.Errorf("match %v, want %v", got, c.match)
			}
		})
	}
	// An alert trigger reads the alert's own title and severity.
	a := alert.Alert{ID: "a2", Title: "Phish clicked", Severity: "Low"}
	r := Rule{Enabled: true, Trigger: Trigger{On: AlertCreated}, Conditions: cond("title", "contains", "phish")}
	if !r.Matches(Event{Trigger: AlertCreated, At: at}, &Subject{Tenant: "t1", Alert: &a}) {
		t.Error("alert title")
	}
}

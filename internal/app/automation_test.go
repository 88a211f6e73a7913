package app

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// smtpCatcher is a real SMTP server (github.com/emersion/go-smtp) that keeps each message.
type smtpCatcher struct {
	mu   sync.Mutex
	msgs []string
}

func (c *smtpCatcher) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpCatch{c: c}, nil }

type smtpCatch struct {
	c   *smtpCatcher
	env string
}

func (s *smtpCatch) Reset()        {}
func (s *smtpCatch) Logout() error { return nil }
func (s *smtpCatch) Mail(from string, _ *smtp.MailOptions) error {
	s.env = "from " + from
	return nil
}
func (s *smtpCatch) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.env += " to " + to
	return nil
}
func (s *smtpCatch) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.msgs = append(s.c.msgs, s.env+"\n"+string(b))
	return err
}

func (c *smtpCatcher) messages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// startSMTP serves SMTP on a free local port until the test ends.
func startSMTP(t *testing.T) (*smtpCatcher, int) {
	t.Helper()
	c := &smtpCatcher{}
	srv := smtp.NewServer(c)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return c, ln.Addr().(*net.TCPAddr).Port
}

const ransomwarePlaybook = `name: contain-ransomware
trigger: [manual, automationRule]
inputs:
  - {name: notify, default: soc-lead@example.com}
steps:
  - id: isolate
    foreach: devices
    action: isolateDevice
    with: {device: "${{ item.value }}", comment: "ransomware on ${{ item.value }}"}
  - id: notify
    action: emailNotification
    retry: {count: 2, backoff: 100ms}
    with:
      to: ${{ inputs.notify }}
      subject: "Ransomware: incident ${{ incident.id }} (${{ incident.severity }})"
      body: "Isolation of ${{ join(map(entities.devices, .value), ', ') }}: ${{ steps.isolate.output[0].status }}"
`

const ransomwareRule = `name: Ransomware to the SOC lead
order: 1
trigger: {on: incidentCreated}
conditions:
  - {property: severity, operator: equals, values: [High]}
  - {property: title, operator: contains, values: [ransomware]}
actions:
  - {type: assignOwner, owner: soc-lead}
  - {type: addTags, tags: [ransomware]}
  - {type: runPlaybook, playbook: contain-ransomware}
`

// TestAutomationEndToEnd creates a playbook and a rule through the API, imports a matching
// alert, and finds the incident assigned and tagged by the rule in its history, the
// isolation requested by the playbook waiting for approval (the default level is semi), the
// mail delivered to a real SMTP server, and an unrelated alert left alone.
func TestAutomationEndToEnd(t *testing.T) {
	mail, port := startSMTP(t)
	s := startTest(t, func(c *Config) {
		c.Automation.SMTP.Host, c.Automation.SMTP.Port, c.Automation.SMTP.From = "127.0.0.1", port, "vigil@example.com"
	})
	if r := s.do(t, "POST", "/api/v1/security/playbooks", []byte(ransomwarePlaybook), nil); r.status != http.StatusCreated || !strings.Contains(r.body, `"version":1`) {
		t.Fatalf("create playbook: %d %s", r.status, r.body)
	}
	r := s.do(t, "POST", "/api/v1/security/automationRules", []byte(ransomwareRule), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create rule: %d %s", r.status, r.body)
	}
	now := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	alerts := `{"value":[{"id":"rw-1","title":"Ransomware encrypting files","severity":"high","createdDateTime":"` + now + `",
		"category":"Impact","evidence":[{"@odata.type":"#microsoft.graph.security.deviceEvidence","deviceDnsName":"ws7"}]},
		{"id":"other-1","title":"Ransomware note found","severity":"low","createdDateTime":"` + now + `",
		"evidence":[{"@odata.type":"#microsoft.graph.security.deviceEvidence","deviceDnsName":"srv9"}]}]}`
	if r := s.do(t, "POST", "/api/v1/security/alerts", []byte(alerts), nil); r.status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	var runs struct {
		Value []struct {
			ID, Status, Trigger, StartedBy, Error string
			Version                               int
			IncidentID                            int64
			Steps                                 []struct{ ID, Status string }
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r := s.do(t, "GET", "/api/v1/security/playbooks/contain-ransomware/runs", nil, nil)
		if err := json.Unmarshal([]byte(r.body), &runs); err != nil {
			t.Fatalf("%v: %s", err, r.body)
		}
		if len(runs.Value) > 0 && runs.Value[0].Status != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished run: %s", r.body)
		}
	}
	run := runs.Value[0]
	if len(runs.Value) != 1 || run.Status != "completed" || run.Trigger != "automationRule" || run.Version != 1 ||
		run.StartedBy != `automation rule "Ransomware to the SOC lead"` {
		t.Fatalf("run: %+v", runs.Value)
	}
	incidentID := run.IncidentID
	in := s.do(t, "GET", "/api/v1/security/incidents/"+itoa(incidentID), nil, nil)
	if !strings.Contains(in.body, `"assignedTo":"soc-lead"`) || !strings.Contains(in.body, `"ransomware"`) {
		t.Errorf("incident: %s", in.body)
	}
	hist := s.do(t, "GET", "/api/v1/security/incidents/"+itoa(incidentID)+"/history", nil, nil)
	if strings.Count(hist.body, `automation rule \"Ransomware to the SOC lead\"`) != 2 || !strings.Contains(hist.body, `soc-lead`) {
		t.Errorf("history: %s", hist.body)
	}
	acts := s.do(t, "GET", "/api/v1/security/actions?incidentId="+itoa(incidentID), nil, nil)
	if strings.Count(acts.body, `"type":"isolateDevice"`) != 1 || !strings.Contains(acts.body, `"device":"ws7"`) ||
		!strings.Contains(acts.body, `"status":"pendingApproval"`) || !strings.Contains(acts.body, `"requestor":{"type":"playbook","name":"contain-ransomware"}`) {
		t.Errorf("actions: %s", acts.body)
	}
	if all := s.do(t, "GET", "/api/v1/security/actions", nil, nil); strings.Contains(all.body, "srv9") {
		t.Errorf("the low-severity alert was acted on: %s", all.body)
	}
	msgs := mail.messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "to soc-lead@example.com") ||
		!strings.Contains(msgs[0], "Subject: Ransomware: incident "+itoa(incidentID)+" (high)") ||
		!strings.Contains(msgs[0], "Isolation of ws7: pendingApproval") {
		t.Errorf("mail: %q", msgs)
	}
	audit := s.do(t, "GET", "/api/v1/audit?action=automation.rule.run", nil, nil)
	if !strings.Contains(audit.body, "automation.rule.run") {
		t.Errorf("audit: %s", audit.body)
	}
}

// TestAutomationDefinitionsRejected sends rules and playbooks that do not validate and
// expects 400 with the line, column and reason.
func TestAutomationDefinitionsRejected(t *testing.T) {
	s := startTest(t, nil)
	cases := []struct {
		path, body, want string
	}{
		{"/api/v1/security/automationRules", "name: r\ntrigger: {on: incidentCreated}\nactions:\n  - {type: assignOwner, ownr: x}\n",
			`rule:4:25: unknown field \"ownr\" in action assignOwner`},
		{"/api/v1/security/automationRules", "name: r\ntrigger: {on: incidentClosed}\nactions: [{type: addTags, tags: [x]}]\n",
			`rule:2:15: unknown trigger \"incidentClosed\"`},
		{"/api/v1/security/automationRules", "name: r\ntrigger: {on: incidentCreated}\nactions: [{type: runPlaybook, playbook: nope}]\n",
			`rule:3:11: playbook \"nope\" does not exist`},
		{"/api/v1/security/automationRules", `{"name": "r", "trigger": {"on": "incidentCreated"}, "conditions": [{"property": "colour", "operator": "equals", "values": ["x"]}], "actions": [{"type": "addTags", "tags": ["x"]}]}`,
			`rule:1:81: unknown property \"colour\"`},
		{"/api/v1/security/playbooks", "name: p\nsteps:\n  - id: a\n    action: isolateDevice\n    with: {device: x, colour: red}\n",
			`playbook:5:23: unknown field \"colour\" in with of action isolateDevice`},
		{"/api/v1/security/playbooks", "name: p\nsteps:\n  - id: a\n    if: steps.b.status == 'completed'\n    action: addComment\n    with: {comment: x}\n",
			`playbook:4:9: undefined step reference steps.b`},
	}
	for _, c := range cases {
		r := s.do(t, "POST", c.path, []byte(c.body), nil)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, c.want) {
			t.Errorf("%s %q: %d %s\nwant %s", c.path, c.body, r.status, r.body, c.want)
		}
	}
	// A rule's lifecycle: create, patch, list, delete.
	var rule struct {
		ID      string
		Enabled bool
		Order   int
	}
	r := s.do(t, "POST", "/api/v1/security/automationRules", []byte(`{"name":"tag all","trigger":{"on":"alertCreated"},"actions":[{"type":"addTags","tags":["seen"]}]}`), nil)
	if err := json.Unmarshal([]byte(r.body), &rule); err != nil || r.status != http.StatusCreated || !rule.Enabled {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	path := "/api/v1/security/automationRules/" + rule.ID
	r = s.do(t, "PATCH", path, []byte(`{"enabled":false,"order":3}`), nil)
	if err := json.Unmarshal([]byte(r.body), &rule); err != nil || r.status != http.StatusOK || rule.Enabled || rule.Order != 3 {
		t.Errorf("patch: %d %s", r.status, r.body)
	}
	if r := s.do(t, "PATCH", path, []byte(`{"colour":"red"}`), nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, `unknown field \"colour\"`) {
		t.Errorf("bad patch: %d %s", r.status, r.body)
	}
	if r := s.do(t, "GET", "/api/v1/security/automationRules", nil, nil); !strings.Contains(r.body, `"name":"tag all"`) || !strings.Contains(r.body, `"enabled":false`) {
		t.Errorf("list: %s", r.body)
	}
	mustStatus(t, s.do(t, "DELETE", path, nil, nil), http.StatusNoContent)
	mustStatus(t, s.do(t, "GET", path, nil, nil), http.StatusNotFound)
}

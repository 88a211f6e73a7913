package automation

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// recorder keeps the changes announced, to hand them to the rules one by one.
type recorder struct {
	mu      sync.Mutex
	changes []incident.Change
}

func (r *recorder) Notify(_ context.Context, cs []incident.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, cs...)
}

func (r *recorder) take() []incident.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.changes
	r.changes = nil
	return out
}

// TestEngine runs rules on a real state store: the changes of a correlation trigger them in
// order, their changes are in the incident's history as the rule's, an analyst's update
// triggers incidentUpdated rules by changed property, and automation's own changes do not.
func TestEngine(t *testing.T) {
	ctx := context.Background()
	st, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	rec := &recorder{}
	inc := &incident.Service{Store: st, Notify: rec}
	runner := playbook.New(playbook.Options{Store: st, Incidents: inc, Actions: respond.New(st, respond.Options{})})
	svc := New(Options{Store: st, Incidents: inc, Playbooks: runner})
	admin := respond.Actor{Name: "alice", Kind: "user"}
	if _, err := runner.Save(ctx, "default", "p.yaml", []byte("name: p\nsteps: [{id: c, action: addComment, with: {comment: hi}}]\n"), admin); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Save(ctx, "default", "auto.yaml", []byte("name: auto\ntrigger: [incidentCreated]\nsteps: [{id: c, action: addComment, with: {comment: auto}}]\n"), admin); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{
		// Runs second (order 2) and sees the first rule's owner.
		"name: tag owned\norder: 2\ntrigger: {on: incidentCreated}\nconditions: [{property: owner, operator: equals, values: [soc-lead]}]\nactions: [{type: addTags, tags: [owned]}, {type: runPlaybook, playbook: p}]\n",
		"name: assign\norder: 1\ntrigger: {on: incidentCreated}\nconditions: [{property: host, operator: equals, values: [ws7]}]\nactions: [{type: assignOwner, owner: soc-lead}, {type: changeSeverity, severity: high}]\n",
		"name: off\nenabled: false\ntrigger: {on: incidentCreated}\nactions: [{type: addTags, tags: [never]}]\n",
		"name: expired\nexpires: 2020-01-01T00:00:00Z\ntrigger: {on: incidentCreated}\nactions: [{type: addTags, tags: [never]}]\n",
		"name: on severity\ntrigger: {on: incidentUpdated, updatedBy: [user], changed: [severity]}\nactions: [{type: suppress, determination: securityTesting, comment: lab test}]\n",
		"name: on anything\ntrigger: {on: incidentUpdated}\nactions: [{type: addTags, tags: [touched]}]\n",
	} {
		if _, err := svc.Create(ctx, "default", "r.yaml", []byte(src), admin); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Create(ctx, "default", "r.yaml", []byte("name: x\ntrigger: {on: incidentCreated}\nactions: [{type: runPlaybook, playbook: nope}]\n"), admin); err == nil ||
		!strings.Contains(err.Error(), `r.yaml:3:11: playbook "nope" does not exist`) {
		t.Errorf("missing playbook: %v", err)
	}
	now := time.Now().UTC()
	a := alert.Alert{ID: "a1", Tenant: "default", Title: "Ransomware", Severity: "Medium", StartTime: now, EndTime: now, CreatedTime: now,
		Entities: []alert.Entity{{Type: "host", Identifiers: map[string]string{"HostName": "ws7"}}}}
	if err := incident.New(incident.MetaState{Store: st}, incident.Options{Notify: rec}).Put(ctx, []alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	handle := func() {
		t.Helper()
		for _, c := range rec.take() {
			if automated(c.Actor) {
				continue // what Notify drops
			}
			if err := svc.Handle(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	handle()
	in, err := st.Incident(ctx, "default", 1)
	if err != nil {
		t.Fatal(err)
	}
	// The correlator's own "alert added" update is an incidentUpdated by alertGrouping.
	if in.AssignedTo != "soc-lead" || in.Severity != "high" || strings.Join(in.Tags, ",") != "owned,touched" {
		t.Errorf("after creation: %+v", in)
	}
	runs, _ := runner.Runs(ctx, "default", "p", 0)
	if len(runs) != 1 || runs[0].StartedBy != `automation rule "tag owned"` || runs[0].Trigger != playbook.TriggerAutomationRule {
		t.Errorf("playbook runs: %+v", runs)
	}
	// A playbook whose trigger is incidentCreated runs without a rule, once.
	if runs, _ := runner.Runs(ctx, "default", "auto", 0); len(runs) != 1 || runs[0].Trigger != playbook.TriggerIncidentCreated || runs[0].IncidentID != 1 {
		t.Errorf("auto runs: %+v", runs)
	}
	// An analyst changes the severity: the suppress rule closes it as benign positive.
	sev := "low"
	if _, err := inc.UpdateIncident(ctx, "default", 1, meta.IncidentPatch{Severity: &sev}, "bob"); err != nil {
		t.Fatal(err)
	}
	handle()
	for _, c := range rec.take() {
		if !automated(c.Actor) {
			t.Errorf("a change left unhandled: %+v", c)
		}
	}
	in, _ = st.Incident(ctx, "default", 1)
	if in.Status != meta.IncidentResolved || in.Classification != meta.ClassExpected || in.Determination != "securityTesting" {
		t.Errorf("suppressed: %+v", in)
	}
	hist, _ := st.IncidentHistory(ctx, "default", 1)
	var actors []string
	for _, h := range hist {
		if strings.HasPrefix(h.Actor, "automation rule") && !slices.Contains(actors, h.Actor) {
			actors = append(actors, h.Actor)
		}
	}
	want := []string{`automation rule "assign"`, `automation rule "tag owned"`, `automation rule "on anything"`, `automation rule "on severity"`}
	if !slices.Equal(actors, want) {
		t.Errorf("history actors %q, want %q", actors, want)
	}
	// Automation's own changes are not queued again.
	svc.Notify(ctx, []incident.Change{{Tenant: "default", Kind: incident.IncidentUpdated, IncidentID: 1, Actor: `automation rule "assign"`}})
	svc.init()
	if len(svc.queue) != 0 {
		t.Error("automation's change was queued")
	}
}

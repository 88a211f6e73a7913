package playbook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/content"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// TestBuiltinPlaybooksRun runs each built-in playbook on an incident with a device, an
// account and an IP address, against the Action Center, a TI service and a real SMTP server.
func TestBuiltinPlaybooksRun(t *testing.T) {
	f := newFixture(t)
	ti := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"indicator":"` + strings.TrimPrefix(r.URL.Path, "/ti/") + `","verdict":"malicious"}`))
	}))
	defer ti.Close()
	builtin, err := LoadBuiltin(content.Playbooks)
	if err != nil {
		t.Fatal(err)
	}
	r := f.runner(t)
	r.opts.Builtin = builtin
	start(t, r)
	ctx := context.Background()
	run := func(name string, inputs map[string]any) Run {
		t.Helper()
		run, err := r.Start(ctx, "default", StartRequest{Playbook: name, Trigger: TriggerManual, IncidentID: f.id, Inputs: inputs,
			By: respond.Actor{Name: "alice"}})
		if err != nil {
			t.Fatal(err)
		}
		return waitRun(t, r, run.ID, RunCompleted, RunFailed, RunWaiting)
	}
	if got := run("contain-compromised-user", nil); got.Status != RunCompleted || got.Version != 0 {
		t.Errorf("contain-compromised-user: %s %s %+v", got.Status, got.Error, got.Steps)
	}
	got := run("isolate-device-on-ransomware", map[string]any{"notify": "ir@example.com"})
	if got.Status != RunWaiting {
		t.Fatalf("isolate-device-on-ransomware: %s %s %+v", got.Status, got.Error, got.Steps)
	}
	if _, err := r.Approve(ctx, "default", got.ID, "approve", respond.Actor{Name: "bob"}, "go"); err != nil {
		t.Fatal(err)
	}
	if got := waitRun(t, r, got.ID, RunCompleted, RunFailed); got.Status != RunCompleted {
		t.Errorf("isolate-device-on-ransomware: %s %s %+v", got.Status, got.Error, got.Steps)
	}
	if got := run("enrich-incident-ti", map[string]any{"lookupUrl": ti.URL + "/ti/", "apiKey": "k"}); got.Status != RunCompleted {
		t.Errorf("enrich-incident-ti: %s %s %+v", got.Status, got.Error, got.Steps)
	}
	acts, _ := f.actions.List(ctx, "default", meta.ActionFilter{})
	var done []string
	for _, a := range acts {
		done = append(done, string(a.Type)+":"+respond.TargetKey(a.Type, a.Target))
	}
	slices.Sort(done)
	if strings.Join(done, " ") != "disableAccount:bob@corp.example isolateDevice:ws7 resetPassword:bob@corp.example" {
		t.Errorf("actions: %q", done)
	}
	comments, _ := f.store.IncidentComments(ctx, "default", f.id)
	var text []string
	for _, c := range comments {
		text = append(text, c.Comment)
	}
	all := strings.Join(text, "\n")
	if !strings.Contains(all, "Accounts contained: bob@corp.example") || !strings.Contains(all, `"indicator": "203.0.113.9",`) || !strings.Contains(all, `"verdict": "malicious"`) {
		t.Errorf("comments: %s", all)
	}
	msgs := f.mail.messages()
	if len(msgs) != 2 || !strings.Contains(msgs[0], "RCPT soc@example.com;") || !strings.Contains(msgs[1], "RCPT ir@example.com;") ||
		!strings.Contains(msgs[1], "Approved by: bob") {
		t.Errorf("mail: %q", msgs)
	}
}

package playbook

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/responders/webhook"
)

// mailbox is a real SMTP server (go-smtp) that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []string
	port int
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }

type mailSession struct {
	m        *mailbox
	from, to string
}

func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to += to + ";"
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.msgs = append(s.m.msgs, "MAIL FROM "+s.from+" RCPT "+s.to+"\n"+string(b))
	return err
}

func (m *mailbox) messages() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

func startSMTP(t *testing.T) *mailbox {
	t.Helper()
	m := &mailbox{}
	srv := smtp.NewServer(m)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.port = ln.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return m
}

type fixture struct {
	store   *meta.Store
	inc     *incident.Service
	actions *respond.Service
	mail    *mailbox
	id      int64
}

// newFixture opens a state store with one incident from an alert naming a device, an
// account and an IP address.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Now().UTC()
	a := alert.Alert{ID: "a1", Tenant: "default", Title: "Ransomware encrypting files", Severity: "High", RuleID: "r1",
		RuleName: "Mass rename", Tactics: []string{"Impact"}, StartTime: now, EndTime: now, CreatedTime: now,
		Entities: []alert.Entity{{Type: "host", Identifiers: map[string]string{"HostName": "ws7"}},
			{Type: "account", Identifiers: map[string]string{"Name": "bob", "UPNSuffix": "corp.example"}},
			{Type: "ip", Identifiers: map[string]string{"Address": "203.0.113.9"}}}}
	if err := incident.New(incident.MetaState{Store: st}, incident.Options{}).Put(ctx, []alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(ctx, "default", meta.IncidentFilter{})
	if err != nil || len(ins) != 1 {
		t.Fatalf("incidents: %v %v", ins, err)
	}
	return &fixture{store: st, inc: &incident.Service{Store: st}, actions: respond.New(st, respond.Options{}), mail: startSMTP(t), id: ins[0].ID}
}

func (f *fixture) runner(t *testing.T) *Runner {
	t.Helper()
	return New(Options{Store: f.store, Incidents: f.inc, Actions: f.actions, CheckInterval: 20 * time.Millisecond,
		SMTP: SMTPConfig{Host: "127.0.0.1", Port: f.mail.port, From: "vigil@example.com"}})
}

// start runs r until the test ends.
func start(t *testing.T, r *Runner) context.CancelFunc {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return func() { cancel(); <-done }
}

// waitRun polls a run until it is in one of statuses.
func waitRun(t *testing.T, r *Runner, id string, statuses ...RunStatus) Run {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		run, err := r.GetRun(context.Background(), "default", id)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statuses {
			if run.Status == s {
				return run
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s is %s (%s), want %v: %+v", id, run.Status, run.Error, statuses, run.Steps)
		}
	}
}

const fullPlaybook = `name: full
trigger: [manual]
inputs:
  - {name: to, default: soc@example.com}
  - {name: hook, required: true}
steps:
  - id: isolate
    foreach: devices
    action: isolateDevice
    with: {device: "${{ item.value }}", comment: "contain ${{ item.value }}"}
  - id: hook
    action: httpWebhook
    retry: {count: 2, backoff: 10ms}
    with:
      url: ${{ inputs.hook }}
      secret: s3cret
      body: {incident: "${{ incident.id }}", devices: "${{ map(entities.devices, .value) }}"}
  - id: skipped
    if: incident.severity == "low"
    action: setSeverity
    with: {severity: low}
  - id: approve
    action: waitForApproval
    with: {message: "isolate ${{ len(entities.devices) }} device(s)?", timeout: 1h}
  - id: severity
    action: setSeverity
    with: {severity: medium}
  - id: tag
    action: addTags
    with: {tags: [ransomware, "${{ steps.hook.output.status }}"]}
  - id: note
    action: addComment
    with: {comment: "hook said ${{ steps.hook.output.json.verdict }} after ${{ steps.hook.attempts }} attempts"}
  - id: mail
    action: emailNotification
    with: {to: "${{ inputs.to }}", subject: "Incident ${{ incident.id }}", body: "Devices: ${{ join(map(entities.devices, .value), ',') }}"}
`

// TestRunnerEndToEnd runs a playbook touching every kind of step against a real state
// store, the Action Center, an HTTP server that fails once and a real SMTP server.
func TestRunnerEndToEnd(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := webhook.Verify([]byte("s3cret"), r.Header.Get(webhook.TimestampHeader), r.Header.Get(webhook.SignatureHeader), body, time.Now(), time.Minute)
		if err != nil || !strings.Contains(string(body), `"devices":["ws7"]`) {
			http.Error(w, "bad signature or body: "+string(body), http.StatusBadRequest)
			return
		}
		if calls.Add(1) == 1 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"verdict":"malicious"}`))
	}))
	defer hook.Close()
	r := f.runner(t)
	start(t, r)
	ctx := context.Background()
	admin := respond.Actor{Name: "alice", Kind: "user"}
	p, err := r.Save(ctx, "default", "full.yaml", []byte(fullPlaybook), admin)
	if err != nil || p.Version != 1 {
		t.Fatalf("save: %v %v", p, err)
	}
	if _, err := r.Start(ctx, "default", StartRequest{Playbook: "full", Trigger: TriggerManual, IncidentID: f.id, By: admin}); err == nil ||
		!strings.Contains(err.Error(), `needs input "hook"`) {
		t.Errorf("missing input: %v", err)
	}
	if _, err := r.Start(ctx, "default", StartRequest{Playbook: "full", Trigger: TriggerAutomationRule, IncidentID: f.id,
		Inputs: map[string]any{"hook": hook.URL}, By: admin}); err == nil {
		t.Error("a manual-only playbook started by a rule")
	}
	run, err := r.Start(ctx, "default", StartRequest{Playbook: "full", Trigger: TriggerManual, IncidentID: f.id,
		Inputs: map[string]any{"hook": hook.URL}, By: admin})
	if err != nil {
		t.Fatal(err)
	}
	run = waitRun(t, r, run.ID, RunWaiting)
	if run.Steps[0].Status != StepCompleted || run.Steps[1].Status != StepCompleted || run.Steps[1].Attempts != 2 ||
		run.Steps[2].Status != StepSkipped || run.Steps[3].Status != StepWaiting {
		t.Fatalf("before approval: %+v", run.Steps)
	}
	if _, err := r.Approve(ctx, "default", run.ID, "severity", admin, ""); err == nil {
		t.Error("approved a step that is not waiting")
	}
	if _, err := r.Approve(ctx, "default", run.ID, "approve", respond.Actor{Name: "bob", Kind: "user"}, "go"); err != nil {
		t.Fatal(err)
	}
	run = waitRun(t, r, run.ID, RunCompleted, RunFailed)
	if run.Status != RunCompleted || run.Version != 1 {
		t.Fatalf("run: %s %s %+v", run.Status, run.Error, run.Steps)
	}
	acts, err := f.actions.List(ctx, "default", meta.ActionFilter{})
	if err != nil || len(acts) != 1 || acts[0].Type != respond.IsolateDevice || acts[0].Target.Device != "ws7" ||
		acts[0].Requester != (respond.Requester{Type: respond.ByPlaybook, Name: "full"}) || acts[0].IncidentID != f.id {
		t.Errorf("actions: %+v %v", acts, err)
	}
	in, _ := f.store.Incident(ctx, "default", f.id)
	if in.Severity != "medium" || strings.Join(in.Tags, ",") != "ransomware,200" {
		t.Errorf("incident: %s %v", in.Severity, in.Tags)
	}
	hist, _ := f.store.IncidentHistory(ctx, "default", f.id)
	var byPlaybook []string
	for _, h := range hist {
		if h.Actor == `playbook "full"` {
			byPlaybook = append(byPlaybook, h.Action+": "+h.Detail)
		}
	}
	if len(byPlaybook) != 3 || !strings.Contains(byPlaybook[2], "hook said malicious after 2 attempts") {
		t.Errorf("history by the playbook: %q", byPlaybook)
	}
	msgs := f.mail.messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "RCPT soc@example.com;") || !strings.Contains(msgs[0], "Subject: Incident 1") ||
		!strings.Contains(msgs[0], "Devices: ws7") {
		t.Errorf("mail: %q", msgs)
	}
	runs, err := r.Runs(ctx, "default", "full", 10)
	if err != nil || len(runs) != 1 || runs[0].ID != run.ID {
		t.Errorf("runs: %v %v", runs, err)
	}
}

// TestRunnerApprovalTimeout fails a run whose approval is not given in time.
func TestRunnerApprovalTimeout(t *testing.T) {
	f := newFixture(t)
	r := f.runner(t)
	start(t, r)
	ctx := context.Background()
	src := "name: gate\nsteps:\n  - {id: wait, action: waitForApproval, with: {timeout: 50ms}}\n  - {id: note, action: addComment, with: {comment: approved}}\n"
	if _, err := r.Save(ctx, "default", "gate.yaml", []byte(src), respond.Actor{Name: "alice"}); err != nil {
		t.Fatal(err)
	}
	run, err := r.Start(ctx, "default", StartRequest{Playbook: "gate", Trigger: TriggerManual, IncidentID: f.id})
	if err != nil {
		t.Fatal(err)
	}
	run = waitRun(t, r, run.ID, RunFailed, RunCompleted)
	if run.Status != RunFailed || run.Steps[0].Status != StepFailed || !strings.Contains(run.Steps[0].Error, "approval timed out") ||
		run.Steps[1].Status != StepSkipped {
		t.Errorf("run: %s %s %+v", run.Status, run.Error, run.Steps)
	}
}

// TestRunnerRestart stops a runner in the middle of a step and starts another on the same
// store: a step with retries left is tried again, one without is failed as interrupted,
// and a waiting run goes on waiting and completes once approved.
func TestRunnerRestart(t *testing.T) {
	f := newFixture(t)
	release := make(chan struct{})
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			select { // the first runner's requests hang until it stops
			case <-release:
			case <-r.Context().Done():
			}
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer hook.Close()
	defer close(release)
	ctx := context.Background()
	r1 := f.runner(t)
	stop := start(t, r1)
	for name, retry := range map[string]int{"retried": 1, "once": 0} {
		src := "name: " + name + "\nsteps:\n  - id: call\n    action: httpWebhook\n    retry: {count: " + string(rune('0'+retry)) +
			", backoff: 10ms}\n    with: {url: " + hook.URL + "}\n  - {id: note, action: addComment, with: {comment: done}}\n"
		if _, err := r1.Save(ctx, "default", name+".yaml", []byte(src), respond.Actor{Name: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	gate := "name: gate\nsteps:\n  - {id: wait, action: waitForApproval}\n  - {id: note, action: addComment, with: {comment: approved}}\n"
	if _, err := r1.Save(ctx, "default", "gate.yaml", []byte(gate), respond.Actor{Name: "alice"}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, name := range []string{"retried", "once", "gate"} {
		run, err := r1.Start(ctx, "default", StartRequest{Playbook: name, Trigger: TriggerManual, IncidentID: f.id})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = run.ID
	}
	waitRun(t, r1, ids["gate"], RunWaiting)
	for deadline := time.Now().Add(10 * time.Second); calls.Load() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("webhooks not called")
		}
	}
	stop()
	r2 := f.runner(t)
	start(t, r2)
	run := waitRun(t, r2, ids["retried"], RunCompleted, RunFailed)
	if run.Status != RunCompleted || run.Steps[0].Attempts != 2 {
		t.Errorf("retried: %s %s %+v", run.Status, run.Error, run.Steps)
	}
	run = waitRun(t, r2, ids["once"], RunCompleted, RunFailed)
	if run.Status != RunFailed || run.Steps[0].Error != interruptedByRestart {
		t.Errorf("once: %s %s %+v", run.Status, run.Error, run.Steps)
	}
	if _, err := r2.Approve(ctx, "default", ids["gate"], "wait", respond.Actor{Name: "bob"}, ""); err != nil {
		t.Fatal(err)
	}
	if run := waitRun(t, r2, ids["gate"], RunCompleted, RunFailed); run.Status != RunCompleted {
		t.Errorf("gate: %s %s", run.Status, run.Error)
	}
}

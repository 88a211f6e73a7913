package respond

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// waitStatus polls until tenant's action id reaches a terminal status.
func waitStatus(t *testing.T, s *Service, id string) Action {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := s.Get(context.Background(), "t1", id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status.Terminal() || time.Now().After(deadline) {
			return a
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDispatcherSimulated(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := openMeta(t)
	s := New(st, Options{Auditor: &fakeAuditor{}})
	sim := &SimulatedResponder{Store: st}
	d := NewDispatcher(s, DispatcherOptions{Timeout: 300 * time.Millisecond, Retries: 2, Backoff: time.Millisecond, Sweep: 50 * time.Millisecond}, sim)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	if _, err := s.SetPolicy(ctx, "t1", alice, Policy{Level: Full}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		req      Request
		want     Status
		attempts int
		errText  string
	}{
		{"isolate", isolate, Completed, 1, ""},
		{"disable", Request{Type: DisableAccount, Target: Target{Account: "bob@contoso.com"}}, Completed, 1, ""},
		{"quarantine", Request{Type: StopAndQuarantineFile, Target: Target{FileHash: "abc", FilePath: "/tmp/evil"}}, Completed, 1, ""},
		{"injected failure", Request{Type: IsolateDevice, Target: Target{Device: "ws9"}, Parameters: map[string]any{SimulateParam: "fail"}}, Failed, 1, "simulated failure"},
		{"transient, retried", Request{Type: BlockIndicator, Target: Target{Indicator: "1.2.3.4"}, Parameters: map[string]any{SimulateParam: "transient"}}, Failed, 3, "unreachable"},
		{"timeout", Request{Type: CollectInvestigationPackage, Target: Target{Device: "ws1"}, Parameters: map[string]any{SimulateParam: "hang"}}, TimedOut, 1, "did not finish in time"},
	}
	got := map[string]Action{}
	for _, c := range cases {
		a, err := s.Request(ctx, "t1", alice, c.req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		a = waitStatus(t, s, a.ID)
		got[c.name] = a
		if a.Status != c.want || a.Attempts != c.attempts || !strings.Contains(a.Result.Error, c.errText) ||
			a.SentAt == nil || a.StartedAt == nil || a.FinishedAt == nil {
			t.Errorf("%s: %s after %d attempts, result %+v; want %s after %d, error containing %q",
				c.name, a.Status, a.Attempts, a.Result, c.want, c.attempts, c.errText)
		}
	}
	state := simState(t, sim)
	if want := "disabledAccount:bob@contoso.com isolatedDevice:ws1 quarantinedFile:abc"; state != want {
		t.Errorf("simulated state %q, want %q", state, want)
	}
	for _, name := range []string{"isolate", "disable", "quarantine"} {
		u, err := s.Undo(ctx, "t1", got[name].ID, alice, "")
		if err != nil {
			t.Fatalf("undo %s: %v", name, err)
		}
		if u = waitStatus(t, s, u.ID); u.Status != Completed || u.UndoOf != got[name].ID {
			t.Errorf("undo %s: %+v", name, u)
		}
	}
	if _, err := s.Undo(ctx, "t1", got["isolate"].ID, alice, ""); err == nil {
		t.Error("second undo accepted")
	}
	if _, err := s.Undo(ctx, "t1", got["injected failure"].ID, alice, ""); err == nil {
		t.Error("undo of a failed action accepted")
	}
	if state := simState(t, sim); state != "" {
		t.Errorf("after undo, simulated state %q", state)
	}
}

func TestDispatcherCancelRunning(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := openMeta(t)
	s := New(st, Options{})
	d := NewDispatcher(s, DispatcherOptions{Timeout: time.Minute}, &SimulatedResponder{Store: st})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	s.SetPolicy(ctx, "t1", alice, Policy{Level: Full}) //nolint:errcheck // the default store takes it
	a, err := s.Request(ctx, "t1", alice, Request{Type: RunScript, Target: Target{Device: "ws1"},
		Parameters: map[string]any{"script": "x.sh", SimulateParam: "hang"}})
	if err != nil {
		t.Fatal(err)
	}
	for a.Status != Running {
		time.Sleep(5 * time.Millisecond)
		a, _ = s.Get(ctx, "t1", a.ID)
	}
	if a, err = s.Cancel(ctx, "t1", a.ID, bob, "stop"); err != nil || a.Status != Cancelled {
		t.Fatalf("cancel: %+v, %v", a, err)
	}
	time.Sleep(50 * time.Millisecond)
	if a, _ = s.Get(ctx, "t1", a.ID); a.Status != Cancelled || !strings.Contains(a.Result.Detail, "cancelled by bob: stop") {
		t.Errorf("after the responder returned: %+v", a)
	}
}

func TestDispatcherRecoversInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := openMeta(t)
	s := New(st, Options{})
	s.SetPolicy(ctx, "t1", alice, Policy{Level: Full}) //nolint:errcheck // the default store takes it
	a, _ := s.Request(ctx, "t1", alice, isolate)
	if _, err := st.UpdateActionStatus(ctx, "t1", a.ID, string(Approved), meta.ActionChange{Status: string(Sent)}); err != nil {
		t.Fatal(err)
	}
	d := NewDispatcher(s, DispatcherOptions{}, &SimulatedResponder{Store: st})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if a = waitStatus(t, s, a.ID); a.Status != Failed || !strings.Contains(a.Result.Error, "interrupted") {
		t.Errorf("interrupted action: %+v", a)
	}
}

func simState(t *testing.T, sim *SimulatedResponder) string {
	t.Helper()
	states, err := sim.State(context.Background(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range states {
		out = append(out, s.Kind+":"+s.TargetKey)
	}
	return strings.Join(out, " ")
}

// flaky fails transiently a number of times, then succeeds; it supports isolation only.
type flaky struct{ fails int }

func (f *flaky) Supports(t Type) bool { return t == IsolateDevice }

func (f *flaky) Execute(context.Context, Action) (Result, error) {
	if f.fails > 0 {
		f.fails--
		return Result{}, fmt.Errorf("agent offline: %w", ErrTransient)
	}
	return Result{Detail: "isolated"}, nil
}

func TestDispatcherRetriesAndRouting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := openMeta(t)
	s := New(st, Options{})
	d := NewDispatcher(s, DispatcherOptions{Workers: 1, Retries: 3, Backoff: time.Millisecond}, &flaky{fails: 2})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	s.SetPolicy(ctx, "t1", alice, Policy{Level: Full}) //nolint:errcheck // the default store takes it
	a, _ := s.Request(ctx, "t1", alice, isolate)
	if a = waitStatus(t, s, a.ID); a.Status != Completed || a.Attempts != 3 || a.Result.Detail != "isolated" {
		t.Errorf("flaky responder: %+v", a)
	}
	b, _ := s.Request(ctx, "t1", alice, Request{Type: DisableAccount, Target: Target{Account: "bob"}})
	if b = waitStatus(t, s, b.ID); b.Status != Failed || b.Result.Error != "no responder supports disableAccount" {
		t.Errorf("no responder: %+v", b)
	}
}

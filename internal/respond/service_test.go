package respond

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

type fakeAuditor struct {
	mu     sync.Mutex
	events []auth.Event
}

func (f *fakeAuditor) Audit(_ context.Context, ev auth.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	return nil
}

func (f *fakeAuditor) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.events)
}

func openMeta(t *testing.T) *meta.Store {
	t.Helper()
	st, err := meta.Open(context.Background(), meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "vigil.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

var (
	alice   = Actor{Name: "alice", Kind: auth.KindUser}
	bob     = Actor{Name: "bob", Kind: auth.KindUser}
	rule    = Actor{Name: "rule-1", Kind: auth.KindSystem, As: ByRule}
	isolate = Request{Type: IsolateDevice, Target: Target{Device: "ws1"}, Reason: "beaconing"}
)

func TestPolicyAndApproval(t *testing.T) {
	ctx := context.Background()
	aud := &fakeAuditor{}
	s := New(openMeta(t), Options{Auditor: aud})
	if p, err := s.Policy(ctx, "t1"); err != nil || p != DefaultPolicy {
		t.Fatalf("default policy: %+v, %v", p, err)
	}
	a, err := s.Request(ctx, "t1", alice, isolate)
	if err != nil || a.Status != PendingApproval || a.Requester != (Requester{ByUser, "alice"}) {
		t.Fatalf("request: %+v, %v", a, err)
	}
	if _, err := s.Approve(ctx, "t1", a.ID, alice, "mine"); !errors.Is(err, ErrFourEyes) {
		t.Errorf("self-approval: %v, want ErrFourEyes", err)
	}
	if a, err = s.Approve(ctx, "t1", a.ID, bob, "go"); err != nil || a.Status != Approved || a.Approver != "bob" || a.DecidedAt == nil {
		t.Fatalf("approve: %+v, %v", a, err)
	}
	if _, err := s.Reject(ctx, "t1", a.ID, bob, "late"); !errors.Is(err, meta.ErrInvalidTransition) {
		t.Errorf("reject approved: %v, want invalid transition", err)
	}
	if a, err = s.Cancel(ctx, "t1", a.ID, alice, "changed my mind"); err != nil || a.Status != Cancelled || a.FinishedAt == nil {
		t.Fatalf("cancel: %+v, %v", a, err)
	}
	steps := []struct {
		policy Policy
		actor  Actor
		want   Status
		err    error
	}{
		{Policy{Level: Full, FourEyes: true}, alice, Approved, nil},
		{Policy{Level: Full}, rule, Approved, nil},
		{Policy{Level: Semi}, rule, PendingApproval, nil},
		{Policy{Level: None}, rule, "", ErrAutomationOff},
		{Policy{Level: None}, alice, PendingApproval, nil},
	}
	for _, st := range steps {
		if _, err := s.SetPolicy(ctx, "t1", alice, st.policy); err != nil {
			t.Fatal(err)
		}
		a, err := s.Request(ctx, "t1", st.actor, isolate)
		if !errors.Is(err, st.err) || a.Status != st.want {
			t.Errorf("%+v by %s: %s, %v; want %s, %v", st.policy, st.actor.Name, a.Status, err, st.want, st.err)
		}
	}
	if _, err := s.SetPolicy(ctx, "t1", alice, Policy{Level: "max"}); err == nil {
		t.Error("level max accepted")
	}
	s.SetPolicy(ctx, "t1", alice, Policy{Level: Semi}) //nolint:errcheck // checked above
	a, _ = s.Request(ctx, "t1", alice, isolate)
	if a, err = s.Approve(ctx, "t1", a.ID, alice, "four eyes off"); err != nil || a.Status != Approved {
		t.Errorf("self-approval with four eyes off: %+v, %v", a, err)
	}
	if aud.count() < 10 {
		t.Errorf("%d audit events, want one per change", aud.count())
	}
	list, err := s.List(ctx, "t1", meta.ActionFilter{Status: string(Approved)})
	if err != nil || len(list) != 3 {
		t.Errorf("approved actions: %d, %v", len(list), err)
	}
}

// TestFleetWideActionNeedsWholeFleet: an actor scoped to device groups may block an
// indicator on a device but not fleet-wide, which reaches devices outside its groups.
func TestFleetWideActionNeedsWholeFleet(t *testing.T) {
	ctx := context.Background()
	s := New(openMeta(t), Options{})
	scoped := Actor{Name: "carol", Kind: auth.KindUser, DeviceGroups: []string{"servers"}}
	_, err := s.Request(ctx, "t1", scoped, Request{Type: BlockIndicator, Target: Target{Indicator: "198.51.100.7"}})
	var se *ScopeError
	if !errors.As(err, &se) || err.Error() != "a fleet-wide action reaches devices outside your device groups (servers)" {
		t.Errorf("fleet-wide block by a scoped actor: %v", err)
	}
	if a, err := s.Request(ctx, "t1", alice, Request{Type: BlockIndicator, Target: Target{Indicator: "198.51.100.7"}}); err != nil || a.Status != PendingApproval {
		t.Errorf("fleet-wide block by an unscoped actor: %+v %v", a, err)
	}
}

package meta

import (
	"context"
	"errors"
	"testing"
)

func TestActions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		mk := func(id, typ, key string, incident int64) Action {
			return Action{Tenant: "t1", ID: id, Type: typ, Status: "pendingApproval", Target: `{"device":"` + key + `"}`,
				TargetKey: key, Parameters: "{}", RequesterType: "user", Requester: "alice", Reason: "why",
				IncidentID: incident, Result: "{}"}
		}
		byDisruption := mk("a3", "isolateDevice", "ws2", 7)
		byDisruption.RequesterType, byDisruption.Requester = "disruption", "attack-disruption"
		for _, a := range []Action{mk("a1", "isolateDevice", "ws1", 7), mk("a2", "disableAccount", "bob", 0), byDisruption} {
			if _, err := s.CreateAction(ctx, a, false); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreateAction(ctx, mk("a1", "isolateDevice", "ws1", 0), false); err == nil {
			t.Error("duplicate id: no error")
		}
		filters := []struct {
			name string
			f    ActionFilter
			want []string
		}{
			{"all", ActionFilter{}, []string{"a3", "a2", "a1"}},
			{"type", ActionFilter{Type: "isolateDevice"}, []string{"a3", "a1"}},
			{"target", ActionFilter{TargetKey: "bob"}, []string{"a2"}},
			{"incident", ActionFilter{IncidentID: 7}, []string{"a3", "a1"}},
			{"page", ActionFilter{Top: 1, Skip: 1}, []string{"a2"}},
			{"status", ActionFilter{Status: "approved"}, nil},
			{"requester type", ActionFilter{RequesterType: "disruption"}, []string{"a3"}},
			{"requester type and type", ActionFilter{RequesterType: "user", Type: "isolateDevice"}, []string{"a1"}},
		}
		for _, f := range filters {
			got, err := s.Actions(ctx, "t1", f.f)
			if err != nil || !sameIDs(got, f.want) {
				t.Errorf("%s: %v, %v; want %v", f.name, ids(got), err, f.want)
			}
		}
		if got, _ := s.Actions(ctx, "t2", ActionFilter{}); len(got) != 0 {
			t.Errorf("tenant t2 sees %v", ids(got))
		}

		a, err := s.UpdateActionStatus(ctx, "t1", "a1", "pendingApproval",
			ActionChange{Status: "approved", Stamp: StampDecided, Approver: "carol", ApprovalComment: "ok"})
		if err != nil || a.Status != "approved" || a.Approver != "carol" || a.DecidedAt.IsZero() || !a.SentAt.IsZero() {
			t.Fatalf("approve: %+v, %v", a, err)
		}
		if _, err := s.UpdateActionStatus(ctx, "t1", "a1", "pendingApproval", ActionChange{Status: "rejected"}); !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("stale transition: %v, want ErrInvalidTransition", err)
		}
		if _, err := s.UpdateActionStatus(ctx, "t1", "nope", "pendingApproval", ActionChange{Status: "rejected"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing action: %v, want ErrNotFound", err)
		}
		a, err = s.UpdateActionStatus(ctx, "t1", "a1", "approved", ActionChange{Status: "completed", Stamp: StampFinished, Result: `{"ok":true}`, Attempts: 2})
		if err != nil || a.Result != `{"ok":true}` || a.Attempts != 2 || a.FinishedAt.IsZero() || a.Approver != "carol" {
			t.Fatalf("complete: %+v, %v", a, err)
		}
		if got, err := s.ActionsInStatus(ctx, "pendingApproval", "approved"); err != nil || !sameIDs(got, []string{"a2", "a3"}) {
			t.Errorf("ActionsInStatus: %v, %v", ids(got), err)
		}

		undo := mk("u1", "releaseIsolation", "ws1", 7)
		undo.UndoOf = "a1"
		if u, err := s.CreateAction(ctx, undo, true); err != nil || u.DecidedAt.IsZero() {
			t.Fatalf("undo: %+v, %v", u, err)
		}
		undo.ID = "u2"
		if _, err := s.CreateAction(ctx, undo, false); !errors.Is(err, ErrConflict) {
			t.Errorf("second undo: %v, want ErrConflict", err)
		}
		undo.ID, undo.UndoOf = "u3", "missing"
		if _, err := s.CreateAction(ctx, undo, false); !errors.Is(err, ErrNotFound) {
			t.Errorf("undo of missing: %v, want ErrNotFound", err)
		}
		if a, _ := s.Action(ctx, "t1", "a1"); a.UndoneBy != "u1" {
			t.Errorf("a1 undone by %q, want u1", a.UndoneBy)
		}
	})
}

func TestSimulatedState(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		for _, st := range []SimulatedState{
			{Tenant: "t1", Kind: "isolatedDevice", TargetKey: "ws1", ActionID: "a1"},
			{Tenant: "t1", Kind: "isolatedDevice", TargetKey: "ws1", ActionID: "a2"},
			{Tenant: "t1", Kind: "disabledAccount", TargetKey: "bob", ActionID: "a3", Detail: `{"x":1}`},
		} {
			if err := s.PutSimulatedState(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.SimulatedStates(ctx, "t1")
		if err != nil || len(got) != 2 || got[0].Kind != "disabledAccount" || got[1].ActionID != "a2" {
			t.Fatalf("states: %+v, %v", got, err)
		}
		if ok, err := s.DeleteSimulatedState(ctx, "t1", "isolatedDevice", "ws1"); !ok || err != nil {
			t.Errorf("delete: %v, %v", ok, err)
		}
		if ok, err := s.DeleteSimulatedState(ctx, "t1", "isolatedDevice", "ws1"); ok || err != nil {
			t.Errorf("delete again: %v, %v", ok, err)
		}
	})
}

func ids(as []Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func sameIDs(as []Action, want []string) bool {
	got := ids(as)
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

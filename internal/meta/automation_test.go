package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAutomationRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		s.now = ticker(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), time.Second)
		ctx := context.Background()
		mk := func(tenant, id, name string, order int) AutomationRule {
			return AutomationRule{Tenant: tenant, ID: id, Name: name, Order: order, Enabled: true, Definition: `{"name":"` + name + `"}`, CreatedBy: "alice"}
		}
		for _, r := range []AutomationRule{mk("default", "r1", "b", 2), mk("default", "r2", "a", 2), mk("default", "r3", "c", 1), mk("t2", "r4", "a", 0)} {
			if _, err := s.CreateAutomationRule(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreateAutomationRule(ctx, mk("default", "r9", "a", 5)); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate name: %v", err)
		}
		rs, err := s.AutomationRules(ctx, "default")
		if err != nil || len(rs) != 3 || rs[0].ID != "r3" || rs[1].ID != "r2" || rs[2].ID != "r1" {
			t.Fatalf("by order then name: %+v %v", rs, err)
		}
		if rs, _ := s.AutomationRules(ctx, "t2", "default"); len(rs) != 4 || rs[0].ID != "r4" {
			t.Errorf("two tenants: %+v", rs)
		}
		up := mk("default", "r1", "b2", 0)
		up.Enabled, up.UpdatedBy = false, "bob"
		got, err := s.UpdateAutomationRule(ctx, up)
		if err != nil || got.Name != "b2" || got.Enabled || got.UpdatedBy != "bob" || got.CreatedBy != "alice" || !got.UpdatedAt.After(got.CreatedAt) {
			t.Errorf("update: %+v %v", got, err)
		}
		up.Name = "a"
		if _, err := s.UpdateAutomationRule(ctx, up); !errors.Is(err, ErrConflict) {
			t.Errorf("rename onto another: %v", err)
		}
		if _, err := s.UpdateAutomationRule(ctx, mk("default", "nope", "z", 0)); !errors.Is(err, ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}
		if err := s.DeleteAutomationRule(ctx, "t2", "r1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete in another tenant: %v", err)
		}
		if err := s.DeleteAutomationRule(ctx, "default", "r1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AutomationRuleByID(ctx, "default", "r1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted: %v", err)
		}
	})
}

func TestPlaybooksAndRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		s.now = ticker(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), time.Second)
		ctx := context.Background()
		for i, src := range []string{"v1", "v2"} {
			v, err := s.SavePlaybook(ctx, "default", "p", src, "alice")
			if err != nil || v.Version != i+1 {
				t.Fatalf("save %d: %+v %v", i, v, err)
			}
		}
		if _, err := s.SavePlaybook(ctx, "default", "q", "q1", "alice"); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Playbook(ctx, "default", "p", 0); err != nil || v.Version != 2 || v.Source != "v2" {
			t.Errorf("latest: %+v %v", v, err)
		}
		if v, err := s.Playbook(ctx, "default", "p", 1); err != nil || v.Source != "v1" {
			t.Errorf("version 1: %+v %v", v, err)
		}
		if _, err := s.Playbook(ctx, "t2", "p", 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("other tenant: %v", err)
		}
		if ps, err := s.Playbooks(ctx, "default"); err != nil || len(ps) != 2 || ps[0].Name != "p" || ps[0].Version != 2 || ps[1].Name != "q" {
			t.Errorf("list: %+v %v", ps, err)
		}
		run := PlaybookRun{Tenant: "default", ID: "run1", Playbook: "p", Version: 2, Status: "running", Trigger: "manual",
			IncidentID: 4, StartedBy: "alice", Inputs: `{}`, Steps: `[{"id":"a","status":"pending"}]`}
		if _, err := s.CreatePlaybookRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		run2 := run
		run2.ID, run2.Playbook = "run2", "q"
		if _, err := s.CreatePlaybookRun(ctx, run2); err != nil {
			t.Fatal(err)
		}
		run.Status, run.Steps, run.Error, run.FinishedAt = "failed", `[{"id":"a","status":"failed"}]`, "step a failed", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		if _, err := s.UpdatePlaybookRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		got, err := s.PlaybookRunByID(ctx, "default", "run1")
		if err != nil || got.Status != "failed" || got.Steps != run.Steps || got.Error != run.Error || !got.FinishedAt.Equal(run.FinishedAt) || got.IncidentID != 4 {
			t.Errorf("run: %+v %v", got, err)
		}
		if rs, err := s.PlaybookRunsInStatus(ctx, "running", "waiting"); err != nil || len(rs) != 1 || rs[0].ID != "run2" || !rs[0].FinishedAt.IsZero() {
			t.Errorf("in status: %+v %v", rs, err)
		}
		if rs, err := s.PlaybookRuns(ctx, "default", "", 0); err != nil || len(rs) != 2 || rs[0].ID != "run2" {
			t.Errorf("runs newest first: %+v %v", rs, err)
		}
		if rs, err := s.PlaybookRuns(ctx, "default", "p", 1); err != nil || len(rs) != 1 || rs[0].ID != "run1" {
			t.Errorf("runs of p: %+v %v", rs, err)
		}
		if _, err := s.UpdatePlaybookRun(ctx, PlaybookRun{Tenant: "t2", ID: "run1"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update in another tenant: %v", err)
		}
	})
}

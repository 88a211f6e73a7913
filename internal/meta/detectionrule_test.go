package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDetectionRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		r := StoredRule{Tenant: "contoso", ID: "r1", Format: "sentinel-yaml", Document: "id: r1\n"}
		got, err := s.PutDetectionRule(ctx, r, "alice", 0)
		if err != nil || got.Version != 1 || got.CreatedBy != "alice" {
			t.Fatalf("create = %+v, %v", got, err)
		}
		r.Document = "id: r1\nname: x\n"
		if _, err := s.PutDetectionRule(ctx, r, "bob", 7); !errors.Is(err, ErrConflict) {
			t.Errorf("stale version: err = %v, want ErrConflict", err)
		}
		got, err = s.PutDetectionRule(ctx, r, "bob", 1)
		if err != nil || got.Version != 2 || got.CreatedBy != "alice" || got.UpdatedBy != "bob" {
			t.Fatalf("update = %+v, %v", got, err)
		}
		if _, err := s.PutDetectionRule(ctx, StoredRule{Tenant: "contoso", ID: "nope"}, "bob", 3); !errors.Is(err, ErrNotFound) {
			t.Errorf("update of a missing rule: err = %v, want ErrNotFound", err)
		}
		// Another tenant may use the same id.
		if _, err := s.PutDetectionRule(ctx, StoredRule{Tenant: "fabrikam", ID: "r1", Format: "sentinel-yaml", Document: "id: r1"}, "eve", 0); err != nil {
			t.Fatal(err)
		}
		all, err := s.DetectionRules(ctx)
		if err != nil || len(all) != 2 || all[0].Tenant != "contoso" || all[0].Document != r.Document || all[0].Version != 2 {
			t.Fatalf("list = %+v, %v", all, err)
		}
		if err := s.SetRuleEnabled(ctx, "contoso", "r1", false, "bob"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRuleEnabled(ctx, "contoso", "r1", true, "carol"); err != nil {
			t.Fatal(err)
		}
		sw, err := s.RuleSwitches(ctx)
		if err != nil || len(sw) != 1 || !sw[0].Enabled || sw[0].UpdatedBy != "carol" {
			t.Fatalf("switches = %+v, %v", sw, err)
		}
		if err := s.DeleteDetectionRule(ctx, "contoso", "r1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDetectionRule(ctx, "contoso", "r1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: err = %v, want ErrNotFound", err)
		}
		if sw, _ := s.RuleSwitches(ctx); len(sw) != 0 {
			t.Errorf("switch outlived its rule: %+v", sw)
		}
	})
}

func TestRuleRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		slot := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		steps := []struct {
			status       string
			wantFailures int
		}{
			{RuleRunFailed, 1}, {RuleRunFailed, 2}, {RuleRunCompleted, 0}, {RuleRunFailed, 1},
		}
		for i, st := range steps {
			run := RuleRun{Tenant: "contoso", ID: "r1", Slot: slot.Add(time.Duration(i) * time.Hour), StartedAt: slot,
				Duration: 1500 * time.Millisecond, Rows: i, Alerts: 1, Status: st.status, Error: "boom"}
			if err := s.RecordRuleRun(ctx, run); err != nil {
				t.Fatal(err)
			}
			runs, err := s.RuleRuns(ctx, "contoso")
			if err != nil || len(runs) != 1 {
				t.Fatalf("runs = %+v, %v", runs, err)
			}
			if got := runs[0]; got.Failures != st.wantFailures || got.Rows != i || !got.Slot.Equal(run.Slot) || got.Duration != run.Duration {
				t.Errorf("step %d: %+v, want failures %d", i, got, st.wantFailures)
			}
		}
		if runs, _ := s.RuleRuns(ctx, "fabrikam"); len(runs) != 0 {
			t.Errorf("other tenant sees runs: %+v", runs)
		}
	})
}

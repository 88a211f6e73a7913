package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestIncidentLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		a := seedIncident(t, s, "t1", "a1", at, "host:ws1")
		b := seedIncident(t, s, "t1", "a2", at, "host:ws2")
		// b is merged into a, as the correlator does.
		err := s.Correlate(ctx, "t1", func(tx *IncidentTx) error {
			cur, err := getIncident(ctx, tx.q, "t1", b.ID)
			if err != nil {
				return err
			}
			cur.MergedInto, cur.Status = a.ID, IncidentRedirected
			if err := tx.MoveAlerts(ctx, b.ID, a.ID); err != nil {
				return err
			}
			return tx.SaveIncident(ctx, cur)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Correlate(ctx, "t1", func(tx *IncidentTx) error {
			in, ok, err := tx.GroupIncident(ctx, "host:ws2", at.Add(-time.Hour))
			if err != nil || !ok || in.ID != a.ID {
				t.Errorf("GroupIncident follows the merge: %+v %v %v", in, ok, err)
			}
			ins, err := tx.IncidentsWith(ctx, []string{"host:ws1", "host:ws2"}, at.Add(-time.Hour))
			if err != nil || len(ins) != 1 || ins[0].ID != a.ID {
				t.Errorf("IncidentsWith = %+v, %v", ins, err)
			}
			ds, err := tx.AlertDigests(ctx, a.ID)
			if err != nil || len(ds) != 2 {
				t.Errorf("AlertDigests = %+v, %v", ds, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		owner := "bob"
		if _, err := s.UpdateIncident(ctx, "t1", b.ID, IncidentPatch{AssignedTo: &owner}, "alice"); !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("update of merged incident: %v, want ErrInvalidTransition", err)
		}
		status, fp, malware := IncidentResolved, ClassFalsePositive, "malware"
		if _, err := s.UpdateIncident(ctx, "t1", a.ID, IncidentPatch{Classification: &fp, Determination: &malware}, "alice"); !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("falsePositive/malware: %v, want ErrInvalidTransition", err)
		}
		closed, err := s.UpdateIncident(ctx, "t1", a.ID, IncidentPatch{Status: &status, Classification: &fp}, "alice")
		if err != nil || closed.ClosedAt.IsZero() {
			t.Fatalf("resolve: %+v %v", closed, err)
		}
		active := IncidentActive
		reopened, err := s.UpdateIncident(ctx, "t1", a.ID, IncidentPatch{Status: &active}, "alice")
		if err != nil || !reopened.ClosedAt.IsZero() {
			t.Fatalf("reopen: %+v %v", reopened, err)
		}
		// Alerts: analyst fields, versions, and history on the incident.
		inProgress, tp, phishing := "inProgress", ClassTruePositive, "phishing"
		al, err := s.UpdateAlert(ctx, "t1", "a2", AlertPatch{Status: &inProgress, Classification: &tp, Determination: &phishing, AssignedTo: &owner, Version: 1}, "carol")
		if err != nil || al.Version != 2 || al.Status != inProgress || al.AssignedTo != owner || al.IncidentID != a.ID {
			t.Fatalf("UpdateAlert = %+v, %v", al, err)
		}
		if got, _ := s.Alert(ctx, "t1", "a2"); got.Version != 2 || got.Determination != phishing || got.UpdatedAt.IsZero() {
			t.Errorf("stored alert = %+v", got)
		}
		if _, err := s.UpdateAlert(ctx, "t1", "a2", AlertPatch{Status: &inProgress, Version: 1}, "carol"); !errors.Is(err, ErrStaleVersion) {
			t.Errorf("stale alert version: %v", err)
		}
		if _, err := s.UpdateAlert(ctx, "t2", "a2", AlertPatch{Status: &inProgress}, "carol"); !errors.Is(err, ErrNotFound) {
			t.Errorf("other tenant's alert: %v", err)
		}
		hs, err := s.IncidentHistory(ctx, "t1", a.ID)
		if err != nil || len(hs) != 3 || hs[2].Action != "updateAlert" || hs[2].Actor != "carol" {
			t.Errorf("history = %+v, %v", hs, err)
		}
	})
}

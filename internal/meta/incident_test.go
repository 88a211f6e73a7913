package meta

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// seedIncident creates an incident of tenant holding one alert with keys, through a
// correlation transaction.
func seedIncident(t *testing.T, s *Store, tenant, alertID string, at time.Time, keys ...string) Incident {
	t.Helper()
	var in Incident
	err := s.Correlate(context.Background(), tenant, func(tx *IncidentTx) error {
		var err error
		in, err = tx.CreateIncident(context.Background(), Incident{Title: "T " + alertID, Severity: "low",
			Status: IncidentActive, Classification: "unknown", Determination: "unknown", FirstActivity: at, LastActivity: at})
		if err != nil {
			return err
		}
		in.AlertCount = 1
		if err := tx.SaveIncident(context.Background(), in); err != nil {
			return err
		}
		return tx.AddAlert(context.Background(), IncidentAlert{AlertID: alertID, IncidentID: in.ID, RuleID: "r", Title: "T",
			Severity: "low", Status: "new", FirstActivity: at, LastActivity: at, CreatedAt: at, Data: []byte(`{}`)}, keys)
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestIncidentCorrelationTx(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		at := time.Date(2026, 5, 1, 10, 0, 0, 123456000, time.UTC)
		i1 := seedIncident(t, s, "t1", "a1", at, "host:ws1", "ip:10.0.0.1")
		i2 := seedIncident(t, s, "t1", "a2", at.Add(time.Minute), "ip:10.0.0.1")
		seedIncident(t, s, "t2", "a3", at, "host:ws1")
		err := s.Correlate(ctx, "t1", func(tx *IncidentTx) error {
			if ok, err := tx.AlertExists(ctx, "a1"); err != nil || !ok {
				t.Errorf("AlertExists(a1) = %v, %v", ok, err)
			}
			if ok, _ := tx.AlertExists(ctx, "a3"); ok {
				t.Error("a3 of another tenant is visible")
			}
			n, err := tx.RecentAlerts(ctx, at)
			if err != nil || n != 2 {
				t.Errorf("RecentAlerts = %d, %v, want 2", n, err)
			}
			counts, err := tx.EntityCounts(ctx, []string{"host:ws1", "ip:10.0.0.1", "url:x"}, at)
			if want := map[string]int{"host:ws1": 1, "ip:10.0.0.1": 2}; err != nil || !reflect.DeepEqual(counts, want) {
				t.Errorf("EntityCounts = %v, %v, want %v", counts, err, want)
			}
			open, err := tx.OpenIncidentsWith(ctx, []string{"host:ws1"}, at)
			if err != nil || len(open) != 1 || open[0].ID != i1.ID || !open[0].FirstActivity.Equal(at) {
				t.Errorf("OpenIncidentsWith(host:ws1) = %+v, %v", open, err)
			}
			if open, _ := tx.OpenIncidentsWith(ctx, []string{"host:ws1"}, at.Add(time.Hour)); len(open) != 0 {
				t.Errorf("incident outside the window is open: %+v", open)
			}
			if err := tx.MoveAlerts(ctx, i2.ID, i1.ID); err != nil {
				return err
			}
			return tx.AddHistory(ctx, i1.ID, "correlator", "merged", "merged 2")
		})
		if err != nil {
			t.Fatal(err)
		}
		alerts, err := s.IncidentAlerts(ctx, "t1", i1.ID)
		if err != nil || len(alerts) != 2 || alerts[1].AlertID != "a2" || !alerts[0].CreatedAt.Equal(at) {
			t.Fatalf("IncidentAlerts after move = %+v, %v", alerts, err)
		}
		h, err := s.IncidentHistory(ctx, "t1", i1.ID)
		if err != nil || len(h) != 1 || h[0].Detail != "merged 2" {
			t.Fatalf("history = %+v, %v", h, err)
		}
		if _, err := s.Incident(ctx, "t2", i1.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("other tenant's incident: %v, want ErrNotFound", err)
		}
	})
}

func TestIncidentListUpdateComment(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		var ids []int64
		for _, a := range []string{"a1", "a2", "a3"} {
			ids = append(ids, seedIncident(t, s, "t1", a, at).ID)
		}
		list := func(f IncidentFilter) []int64 {
			ins, err := s.Incidents(ctx, "t1", f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, in := range ins {
				out = append(out, in.ID)
			}
			return out
		}
		resolved, tp := IncidentResolved, ClassTruePositive
		tags := []string{"apt", "x"}
		cur, err := s.Incident(ctx, "t1", ids[1])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateIncident(ctx, "t1", ids[1], IncidentPatch{Status: &resolved}, "alice"); !errors.Is(err, ErrInvalidTransition) {
			t.Fatalf("resolve without classification: %v, want ErrInvalidTransition", err)
		}
		in, err := s.UpdateIncident(ctx, "t1", ids[1], IncidentPatch{Status: &resolved, Classification: &tp, Tags: &tags, Version: cur.Version}, "alice")
		if err != nil || in.Status != resolved || in.Version != cur.Version+1 || !reflect.DeepEqual(in.Tags, tags) || in.ClosedAt.IsZero() {
			t.Fatalf("UpdateIncident = %+v, %v", in, err)
		}
		if got, _ := s.Incident(ctx, "t1", ids[1]); got.Version != in.Version || !got.ClosedAt.Equal(in.ClosedAt) {
			t.Fatalf("stored %+v, returned %+v", got, in)
		}
		if _, err := s.UpdateIncident(ctx, "t1", ids[1], IncidentPatch{Status: &resolved, Version: cur.Version}, "bob"); !errors.Is(err, ErrStaleVersion) {
			t.Fatalf("stale version: %v, want ErrStaleVersion", err)
		}
		if _, err := s.UpdateIncident(ctx, "t2", ids[1], IncidentPatch{Status: &resolved}, "bob"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("other tenant: %v, want ErrNotFound", err)
		}
		cases := []struct {
			name string
			f    IncidentFilter
			want []int64
		}{
			{"all newest first", IncidentFilter{}, []int64{ids[2], ids[1], ids[0]}},
			{"top", IncidentFilter{Top: 2}, []int64{ids[2], ids[1]}},
			{"skip", IncidentFilter{Skip: 1}, []int64{ids[1], ids[0]}},
			{"cursor", IncidentFilter{AfterID: ids[2], Top: 1}, []int64{ids[1]}},
			{"status", IncidentFilter{Status: resolved}, []int64{ids[1]}},
			{"severity", IncidentFilter{Severity: "high"}, nil},
		}
		for _, c := range cases {
			if got := list(c.f); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
		cs, err := s.AddIncidentComment(ctx, "t1", ids[0], "looking", "alice")
		if err != nil || len(cs) != 1 || cs[0].Comment != "looking" || cs[0].CreatedBy != "alice" {
			t.Fatalf("AddIncidentComment = %+v, %v", cs, err)
		}
		if _, err := s.AddIncidentComment(ctx, "t2", ids[0], "x", "eve"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("comment on other tenant's incident: %v", err)
		}
		as, err := s.Alerts(ctx, "t1", 2, 0)
		if err != nil || len(as) != 2 || as[0].AlertID != "a3" {
			t.Fatalf("Alerts = %+v, %v", as, err)
		}
		if _, err := s.Alert(ctx, "t2", "a1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("other tenant's alert: %v", err)
		}
	})
}

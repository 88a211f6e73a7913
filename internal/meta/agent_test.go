package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAgentEnrollment(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		ctx := context.Background()
		tok, err := s.CreateEnrollmentToken(ctx, "t1", "servers", "admin", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		short, err := s.CreateEnrollmentToken(ctx, "t1", "", "admin", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.EnrollAgent(ctx, tok.Token, Agent{DeviceName: "web1", OS: "linux", NKey: "UKEY1"})
		if err != nil {
			t.Fatalf("enroll: %v", err)
		}
		if a.Tenant != "t1" || a.DeviceGroup != "servers" || len(a.DeviceID) != 32 || !a.EnrolledAt.Equal(now) {
			t.Fatalf("agent = %+v", a)
		}
		now = now.Add(2 * time.Minute)
		for _, c := range []struct {
			name, token, key string
			want             error
		}{
			{"used twice", tok.Token, "UKEY2", ErrEnrollmentToken},
			{"expired", short.Token, "UKEY2", ErrEnrollmentToken},
			{"unknown", "vgl_enr_nope", "UKEY2", ErrEnrollmentToken},
		} {
			if _, err := s.EnrollAgent(ctx, c.token, Agent{DeviceName: "x", NKey: c.key}); !errors.Is(err, c.want) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
			}
		}
		again, _ := s.CreateEnrollmentToken(ctx, "t1", "", "admin", time.Hour)
		if _, err := s.EnrollAgent(ctx, again.Token, Agent{DeviceName: "web2", NKey: "UKEY1"}); !errors.Is(err, ErrConflict) {
			t.Errorf("same key twice: err = %v, want ErrConflict", err)
		}
		// The failed enrollment rolled back: the token still works.
		if _, err := s.EnrollAgent(ctx, again.Token, Agent{DeviceName: "web2", NKey: "UKEY2"}); err != nil {
			t.Errorf("token after a rolled-back enrollment: %v", err)
		}
		for _, dev := range []string{a.DeviceID, "web1"} {
			got, err := s.AgentByDevice(ctx, "t1", dev)
			if err != nil || got.NKey != "UKEY1" {
				t.Errorf("AgentByDevice(%s) = %+v, %v", dev, got, err)
			}
		}
		if _, err := s.AgentByDevice(ctx, "t2", "web1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("other tenant's device: err = %v", err)
		}
		all, err := s.Agents(ctx, "")
		if err != nil || len(all) != 2 {
			t.Fatalf("Agents = %d, %v", len(all), err)
		}
		if err := s.DeleteAgent(ctx, "t1", a.DeviceID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAgent(ctx, "t1", a.DeviceID); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete twice: err = %v", err)
		}
	})
}

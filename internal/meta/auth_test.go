package meta

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		s.now = ticker(start, time.Second)
		u, err := s.CreateUser(ctx, User{ID: "u1", Username: "Alice", PasswordHash: "h", DefaultTenant: "default"})
		if err != nil {
			t.Fatal(err)
		}
		if u.CreatedAt != start || u.Username != "Alice" || u.Disabled || !u.LockedUntil.IsZero() {
			t.Fatalf("created %+v", u)
		}
		if _, err := s.CreateUser(ctx, User{ID: "u2", Username: "alice", DefaultTenant: "default"}); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate name: err = %v, want ErrConflict", err)
		}
		if _, err := s.UserByName(ctx, "ALICE"); err != nil {
			t.Fatalf("UserByName ignoring case: %v", err)
		}
		lockAt := start.Add(time.Hour)
		for i := 1; i <= 3; i++ {
			n, err := s.RecordLoginFailure(ctx, "u1", func(n int) time.Time {
				if n >= 3 {
					return lockAt
				}
				return time.Time{}
			})
			if err != nil || n != i {
				t.Fatalf("failure %d: n = %d, err = %v", i, n, err)
			}
		}
		u, _ = s.User(ctx, "u1")
		if u.FailedLogins != 3 || !u.LockedUntil.Equal(lockAt) {
			t.Fatalf("after failures: %+v", u)
		}
		if err := s.RecordLoginSuccess(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		u, _ = s.User(ctx, "u1")
		if u.FailedLogins != 0 || !u.LockedUntil.IsZero() || u.LastLogin.IsZero() {
			t.Fatalf("after success: %+v", u)
		}
		disabled := true
		if u, err = s.UpdateUser(ctx, "u1", UserUpdate{Disabled: &disabled}); err != nil || !u.Disabled {
			t.Fatalf("disable: %+v %v", u, err)
		}
		if _, err := s.UpdateUser(ctx, "nobody", UserUpdate{}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
		us, err := s.Users(ctx)
		if err != nil || len(us) != 1 {
			t.Fatalf("Users = %+v, %v", us, err)
		}
	})
}

func TestGrantsAndRoles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		if err := s.PutRole(ctx, Role{ID: "triage", Name: "Triage", Permissions: []string{"incidents:read", "incidents:write"}}); err != nil {
			t.Fatal(err)
		}
		rs, err := s.Roles(ctx)
		if err != nil || len(rs) != 1 || !reflect.DeepEqual(rs[0].Permissions, []string{"incidents:read", "incidents:write"}) {
			t.Fatalf("Roles = %+v, %v", rs, err)
		}
		if err := s.SetGrants(ctx, "u1", []Grant{{Role: "triage", Tenant: "b"}, {Role: "reader", Tenant: "a"}, {Role: "triage", Tenant: "a"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddGrants(ctx, "u1", []Grant{{Role: "triage", Tenant: "a"}, {Role: "reader", Tenant: "*"}}); err != nil {
			t.Fatal(err)
		}
		gs, err := s.Grants(ctx, "u1")
		want := []Grant{{Role: "reader", Tenant: "*"}, {Role: "reader", Tenant: "a"}, {Role: "triage", Tenant: "a"}, {Role: "triage", Tenant: "b"}}
		if err != nil || !reflect.DeepEqual(gs, want) {
			t.Fatalf("Grants = %+v, %v; want %+v", gs, err, want)
		}
		if err := s.DeleteRole(ctx, "triage"); err != nil {
			t.Fatal(err)
		}
		gs, _ = s.Grants(ctx, "u1")
		if !reflect.DeepEqual(gs, []Grant{{Role: "reader", Tenant: "*"}, {Role: "reader", Tenant: "a"}}) {
			t.Fatalf("grants after delete role = %+v", gs)
		}
		if err := s.DeleteRole(ctx, "triage"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete missing role: %v", err)
		}
	})
}

func TestAPIKeysAndSessions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		k, err := s.CreateAPIKey(ctx, APIKey{ID: "k1", Name: "shipper", Prefix: "vgl_ab", KeyHash: "hh", DefaultTenant: "default", ExpiresAt: exp},
			[]Grant{{Role: "ingest", Tenant: "default"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.APIKeyByHash(ctx, "hh")
		if err != nil || got.ID != "k1" || !got.ExpiresAt.Equal(exp) || !got.RevokedAt.IsZero() || !got.CreatedAt.Equal(k.CreatedAt) {
			t.Fatalf("APIKeyByHash = %+v, %v", got, err)
		}
		if err := s.TouchAPIKey(ctx, "k1"); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIKey(ctx, "k1"); err != nil {
			t.Fatal(err)
		}
		ks, _ := s.APIKeys(ctx)
		if len(ks) != 1 || ks[0].RevokedAt.IsZero() || ks[0].LastUsedAt.IsZero() {
			t.Fatalf("APIKeys = %+v", ks)
		}
		if err := s.RevokeAPIKey(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("revoke missing: %v", err)
		}
		if _, err := s.CreateUser(ctx, User{ID: "u1", Username: "bob", DefaultTenant: "default"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSession(ctx, Session{TokenHash: "sh", UserID: "u1", Source: "10.0.0.1", ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		sess, err := s.SessionByHash(ctx, "sh")
		if err != nil || sess.UserID != "u1" || !sess.ExpiresAt.Equal(exp) {
			t.Fatalf("SessionByHash = %+v, %v", sess, err)
		}
		if err := s.DeleteUserSessions(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionByHash(ctx, "sh"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}

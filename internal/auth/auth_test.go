package auth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

var testHash = HashParams{Memory: 64, Time: 1, Threads: 1}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func newService(t *testing.T) (*Service, *clock) {
	t.Helper()
	st, err := meta.Open(context.Background(), meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "m.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	c := &clock{t: time.Now()}
	s, err := New(st, Options{Hash: testHash, SessionTTL: 8 * time.Hour, SessionIdle: time.Hour, FreeFailures: 3,
		LockoutBase: time.Second, LockoutMax: time.Minute, Now: c.now}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery", testHash)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pw, hash string
		ok       bool
		err      error
	}{
		{"correct horse battery", h, true, nil},
		{"correct horse batterY", h, false, nil},
		{"x", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", false, ErrBadHash},
		{"x", "plain", false, ErrBadHash},
		{"x", "$argon2id$v=19$m=64,t=0,p=1$c2FsdA$a2V5", false, ErrBadHash},
	} {
		ok, err := CheckPassword(tc.pw, tc.hash)
		if ok != tc.ok || !errors.Is(err, tc.err) {
			t.Errorf("CheckPassword(%q, %q) = %v, %v; want %v, %v", tc.pw, tc.hash, ok, err, tc.ok, tc.err)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{0, 0}, {2, 0}, {3, time.Second}, {4, 2 * time.Second}, {6, 8 * time.Second}, {40, time.Minute}} {
		if got := backoff(tc.n, 3, time.Second, time.Minute); got != tc.want {
			t.Errorf("backoff(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}

func TestAccess(t *testing.T) {
	roles := map[string]Role{}
	for _, r := range BuiltinRoles() {
		roles[r.ID] = r
	}
	a := NewAccess([]meta.Grant{{Role: RoleReader, Tenant: "*"}, {Role: RoleResponder, Tenant: "acme"}, {Role: "gone", Tenant: "x"}}, roles)
	if !a.Can(HuntingRun, "other") || a.Can(ResponseRequest, "other") || !a.Can(ResponseRequest, "acme") || a.Can(UsersManage, "acme") {
		t.Errorf("access = %+v", a)
	}
	if got := a.Tenants(); len(got) != 2 || got[0] != "*" || got[1] != "acme" {
		t.Errorf("Tenants = %v", got)
	}
	for _, r := range BuiltinRoles() {
		for _, p := range r.Permissions {
			if !Known(p) {
				t.Errorf("role %s: unknown permission %s", r.ID, p)
			}
		}
	}
}

func TestLoginLockoutAndSessions(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	u, pw, err := s.InitAdmin(ctx, "root")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.InitAdmin(ctx, "root2"); !errors.Is(err, ErrExists) {
		t.Fatalf("second InitAdmin: %v", err)
	}
	for i := range 3 {
		if _, _, err := s.Login(ctx, "root", "wrong password!", "10.0.0.1"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	var thr *ThrottledError
	if _, _, err := s.Login(ctx, "root", pw, "10.0.0.2"); !errors.As(err, &thr) {
		t.Fatalf("locked account: %v", err)
	}
	if _, _, err := s.Login(ctx, "nobody", pw, "10.0.0.1"); !errors.As(err, &thr) {
		t.Fatalf("throttled address: %v", err)
	}
	c.add(2 * time.Second)
	id, token, err := s.Login(ctx, "ROOT", pw, "10.0.0.3")
	if err != nil || id.ID != u.ID || !id.Access.Can(UsersManage, "any") {
		t.Fatalf("login after lockout: %+v %v", id, err)
	}
	if _, err := s.Session(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, token+"x"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("forged token: %v", err)
	}
	c.add(2 * time.Hour) // idle too long
	if _, err := s.Session(ctx, token); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("idle session: %v", err)
	}
	n, err := s.VerifyAudit(ctx)
	if err != nil || n < 6 {
		t.Fatalf("audit: %d records, %v", n, err)
	}
}

func TestAPIKeys(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	k, secret, err := s.CreateAPIKey(ctx, NewKey{Name: "beats", Grants: []meta.Grant{{Role: RoleIngest, Tenant: "acme"}}, ExpiresAt: c.now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.APIKey(ctx, secret)
	if err != nil || id.DefaultTenant != "acme" || !id.Access.Can(IngestWrite, "acme") || id.Access.Can(DataRead, "acme") {
		t.Fatalf("APIKey = %+v, %v", id, err)
	}
	c.add(2 * time.Hour)
	if _, err := s.APIKey(ctx, secret); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("expired key: %v", err)
	}
	_, secret2, _ := s.CreateAPIKey(ctx, NewKey{Name: "x", Grants: []meta.Grant{{Role: RoleReader, Tenant: "*"}}})
	if err := s.Store().RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIKey(ctx, secret2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateAPIKey(ctx, NewKey{Name: "bad", Grants: []meta.Grant{{Role: "nope", Tenant: "a"}}}); err == nil {
		t.Fatal("unknown role accepted")
	}
}

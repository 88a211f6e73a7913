package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
)

// session is a signed-in portal user: the cookie and the CSRF token.
type session struct {
	cookie *http.Cookie
	csrf   string
	body   string
}

// createUser makes a user with the admin key and returns its password.
func createUser(t *testing.T, s *testServer, name, role, tenant string) string {
	t.Helper()
	pw := "correct horse battery " + name
	body, _ := json.Marshal(map[string]any{"username": name, "password": pw, "defaultTenant": tenant,
		"roles": []map[string]string{{"role": role, "tenant": tenant}}})
	mustStatus(t, s.do(t, "POST", "/api/v1/users", body, nil), http.StatusCreated)
	return pw
}

func login(t *testing.T, s *testServer, user, pw string) (reply, *session) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	r := s.do(t, "POST", "/api/v1/auth/login", body, map[string]string{"Authorization": ""})
	if r.status != http.StatusOK {
		return r, nil
	}
	resp := http.Response{Header: r.header}
	var sess session
	for _, c := range resp.Cookies() {
		if c.Name == "vigil_session" {
			sess.cookie = c
		}
	}
	var me struct{ CSRFToken string }
	_ = json.Unmarshal([]byte(r.body), &me)
	sess.csrf, sess.body = me.CSRFToken, r.body
	return r, &sess
}

// with returns headers that send the session (and, when csrf, its token) and no key.
func (ss *session) with(csrf string) map[string]string {
	h := map[string]string{"Authorization": "", "Cookie": ss.cookie.Name + "=" + ss.cookie.Value}
	if csrf != "" {
		h["X-CSRF-Token"] = csrf
	}
	return h
}

func TestAuthLoginSessionCSRF(t *testing.T) {
	s := startTest(t, nil)
	pw := createUser(t, s, "ana", auth.RoleOperator, "default")
	r, sess := login(t, s, "ana", pw)
	if sess == nil || sess.cookie == nil {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	c := sess.cookie
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure || c.MaxAge <= 0 {
		t.Errorf("cookie attributes: %+v", c)
	}
	var me struct {
		User struct {
			Username string `json:"username"`
		} `json:"user"`
		Roles     []map[string]string `json:"roles"`
		Tenants   []string            `json:"tenants"`
		CSRFToken string              `json:"csrfToken"`
	}
	if err := json.Unmarshal([]byte(sess.body), &me); err != nil || me.User.Username != "ana" || me.CSRFToken == "" ||
		len(me.Roles) != 1 || me.Roles[0]["role"] != auth.RoleOperator || len(me.Tenants) != 1 || me.Tenants[0] != "default" {
		t.Fatalf("login answer: %s", sess.body)
	}
	got := s.do(t, "GET", "/api/v1/auth/me", nil, sess.with(""))
	if got.status != 200 || !strings.Contains(got.body, `"csrfToken":"`+sess.csrf+`"`) {
		t.Errorf("me: %d %s", got.status, got.body)
	}
	comment := []byte(`{"comment":"x"}`)
	path := "/api/v1/security/incidents/999/comments"
	for _, tc := range []struct {
		name, csrf string
		status     int
	}{
		{"csrf missing", "", http.StatusForbidden},
		{"csrf wrong", "AAAA" + sess.csrf[4:], http.StatusForbidden},
		{"csrf right", sess.csrf, http.StatusNotFound}, // passes; the incident does not exist
	} {
		if r := s.do(t, "POST", path, comment, sess.with(tc.csrf)); r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
		}
	}
	// A reader-only action the operator lacks is forbidden through the session too.
	if r := s.do(t, "GET", "/api/v1/users", nil, sess.with("")); r.status != http.StatusForbidden {
		t.Errorf("operator lists users: %d", r.status)
	}
	forged := map[string]string{"Authorization": "", "Cookie": "vigil_session=" + auth.NewSecret(auth.SessionPrefix)}
	if r := s.do(t, "GET", "/api/v1/auth/me", nil, forged); r.status != http.StatusUnauthorized {
		t.Errorf("forged session: %d %s", r.status, r.body)
	}
	if r := s.do(t, "POST", "/api/v1/auth/logout", nil, sess.with(sess.csrf)); r.status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := s.do(t, "GET", "/api/v1/auth/me", nil, sess.with("")); r.status != http.StatusUnauthorized {
		t.Errorf("session after logout: %d %s", r.status, r.body)
	}
	if r := s.do(t, "GET", "/api/v1/auth/me", nil, map[string]string{"Authorization": ""}); r.status != http.StatusUnauthorized {
		t.Errorf("no credentials: %d %s", r.status, r.body)
	}
}

func TestAuthSessionExpires(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Auth.SessionTTL, c.Auth.SessionIdle = 800*time.Millisecond, 800*time.Millisecond })
	pw := createUser(t, s, "bo", auth.RoleReader, "default")
	_, sess := login(t, s, "bo", pw)
	if sess == nil {
		t.Fatal("login failed")
	}
	if r := s.do(t, "GET", "/api/v1/auth/me", nil, sess.with("")); r.status != 200 {
		t.Fatalf("fresh session: %d", r.status)
	}
	time.Sleep(time.Second)
	if r := s.do(t, "GET", "/api/v1/auth/me", nil, sess.with("")); r.status != http.StatusUnauthorized {
		t.Errorf("expired session: %d %s", r.status, r.body)
	}
}

func TestAuthLockoutAndBadBodies(t *testing.T) {
	s := startTest(t, nil)
	pw := createUser(t, s, "cy", auth.RoleReader, "default")
	noKey := map[string]string{"Authorization": ""}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"malformed", `{"username":`, 400},
		{"unknown field", `{"username":"cy","password":"x","admin":true}`, 400},
		{"trailing data", `{"username":"cy","password":"x"} {}`, 400},
		{"empty", `{}`, 400},
		{"oversized", `{"username":"cy","password":"` + strings.Repeat("a", 128<<10) + `"}`, 413},
	} {
		if r := s.do(t, "POST", "/api/v1/auth/login", []byte(tc.body), noKey); r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
		}
	}
	for i := range 5 {
		if r, _ := login(t, s, "cy", "wrong password"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, r.status, r.body)
		}
	}
	r, _ := login(t, s, "cy", pw)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d %s", r.status, r.body)
	}
	if r, _ := login(t, s, "nobody", "whatever password"); r.status != http.StatusTooManyRequests {
		t.Errorf("throttled address, other user: %d", r.status)
	}
	var res struct {
		Value []struct{ Action, Result, Actor string }
	}
	a := s.do(t, "GET", "/api/v1/audit?action=auth.*", nil, nil)
	if err := json.Unmarshal([]byte(a.body), &res); err != nil {
		t.Fatal(err)
	}
	failures := 0
	for _, v := range res.Value {
		if v.Action == "auth.signin" && v.Result == "failure" && v.Actor == "cy" {
			failures++
		}
	}
	if failures != 5 {
		t.Errorf("audited failed sign-ins of cy: %d, want 5: %s", failures, a.body)
	}
}

func TestAuthAuditTrail(t *testing.T) {
	s := startTest(t, nil)
	key := createKey(t, s, "hunter", auth.RoleReader, "default")
	q := `{"Query":"SigninLogs | take 1"}`
	mustStatus(t, s.do(t, "POST", "/api/v1/security/runHuntingQuery", []byte(q), map[string]string{"Authorization": "Bearer " + key}), 200)
	mustStatus(t, s.do(t, "PUT", "/api/v1/tables/Bad", []byte(`{}`), map[string]string{"Authorization": "Bearer " + key}), 403)
	var res struct {
		Value []struct {
			Actor, Action, Result, Tenant string
			Detail                        map[string]any
		}
	}
	r := s.do(t, "GET", "/api/v1/audit", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatal(err)
	}
	var sawQuery, sawDenied, sawCreate bool
	for _, v := range res.Value {
		switch {
		case v.Action == "hunting.query" && v.Actor == "key:hunter" && v.Detail["query"] == "SigninLogs | take 1":
			sawQuery = true
		case v.Action == "api.request" && v.Actor == "key:hunter" && v.Result == "denied":
			sawDenied = true
		case v.Action == "api.request" && v.Actor == "admin" && v.Detail["route"] == "POST /api/v1/apiKeys":
			sawCreate = true
		}
	}
	if !sawQuery || !sawDenied || !sawCreate {
		t.Errorf("audit: query %v, denied %v, key creation %v: %s", sawQuery, sawDenied, sawCreate, r.body)
	}
	v := s.do(t, "GET", "/api/v1/audit/verify", nil, nil)
	if v.status != 200 || !strings.Contains(v.body, `"ok":true`) {
		t.Errorf("verify: %d %s", v.status, v.body)
	}
	// A reader may not read the audit log.
	if r := s.do(t, "GET", "/api/v1/audit", nil, map[string]string{"Authorization": "Bearer " + key}); r.status != 403 {
		t.Errorf("reader reads audit: %d", r.status)
	}
}

func TestAuthNoEscalation(t *testing.T) {
	s := startTest(t, nil)
	// A custom role that manages users in tenant default only.
	mustStatus(t, s.do(t, "PUT", "/api/v1/roles/tenant-admin", []byte(`{"name":"Tenant admin","permissions":["users:manage","data:read"]}`), nil), 200)
	key := createKey(t, s, "ta", "tenant-admin", "default")
	h := map[string]string{"Authorization": "Bearer " + key}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"grant a role it holds", `{"username":"u1","roles":[{"role":"tenant-admin","tenant":"default"}]}`, 201},
		{"grant more than it holds", `{"username":"u2","roles":[{"role":"global-admin","tenant":"default"}]}`, 403},
		{"grant in every tenant", `{"username":"u3","roles":[{"role":"tenant-admin","tenant":"*"}]}`, 403},
		{"grant in another tenant", `{"username":"u4","roles":[{"role":"security-reader","tenant":"other"}]}`, 403},
	} {
		if r := s.do(t, "POST", "/api/v1/users", []byte(tc.body), h); r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
		}
	}
	if r := s.do(t, "POST", "/api/v1/tenants", []byte(`{"id":"mine"}`), h); r.status != 403 {
		t.Errorf("tenant admin creates a tenant: %d", r.status)
	}
	if r := s.do(t, "PUT", "/api/v1/roles/global-admin", []byte(`{"name":"x","permissions":[]}`), nil); r.status != 400 {
		t.Errorf("change a built-in role: %d %s", r.status, r.body)
	}
}

// TestAuthTenantAdminCannotTouchOthers checks that an administrator of one
// tenant cannot see or change accounts with power elsewhere.
func TestAuthTenantAdminCannotTouchOthers(t *testing.T) {
	s := startTest(t, nil)
	mustStatus(t, s.do(t, "PUT", "/api/v1/roles/tenant-admin", []byte(`{"name":"Tenant admin","permissions":["users:manage","data:read"]}`), nil), 200)
	key := createKey(t, s, "ta", "tenant-admin", "default")
	h := map[string]string{"Authorization": "Bearer " + key}
	var root struct{ ID string }
	r := s.do(t, "POST", "/api/v1/users", []byte(`{"username":"root","roles":[{"role":"global-admin","tenant":"*"}]}`), nil)
	mustStatus(t, r, 201)
	_ = json.Unmarshal([]byte(r.body), &root)
	mine := s.do(t, "POST", "/api/v1/users", []byte(`{"username":"mine","roles":[{"role":"tenant-admin","tenant":"default"}]}`), h)
	mustStatus(t, mine, 201)
	if r := s.do(t, "GET", "/api/v1/users", nil, h); strings.Contains(r.body, `"root"`) || !strings.Contains(r.body, `"mine"`) {
		t.Errorf("tenant admin's user list: %s", r.body)
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/users/" + root.ID, ""},
		{"PATCH", "/api/v1/users/" + root.ID, `{"password":"a new password for root"}`},
		{"PATCH", "/api/v1/users/" + root.ID, `{"disabled":true}`},
	} {
		if r := s.do(t, c.method, c.path, []byte(c.body), h); r.status != http.StatusForbidden {
			t.Errorf("%s %s: %d %s, want 403", c.method, c.path, r.status, r.body)
		}
	}
	admKey := createKey(t, s, "global", "global-admin", "*")
	var keys struct{ Value []struct{ ID, Name string } }
	_ = json.Unmarshal([]byte(s.do(t, "GET", "/api/v1/apiKeys", nil, nil).body), &keys)
	for _, k := range keys.Value {
		if k.Name == "global" {
			if r := s.do(t, "DELETE", "/api/v1/apiKeys/"+k.ID, nil, h); r.status != http.StatusForbidden {
				t.Errorf("tenant admin revokes a global key: %d", r.status)
			}
		}
	}
	if r := s.do(t, "GET", "/api/v1/auth/me", nil, map[string]string{"Authorization": "Bearer " + admKey}); r.status != 200 {
		t.Errorf("global key after the attempt: %d", r.status)
	}
}

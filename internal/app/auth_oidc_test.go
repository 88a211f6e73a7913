package app

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
)

// TestAuthOIDC signs in through a real OpenID Connect provider started by
// the test (authorization code flow with PKCE): a user whose group maps to a
// role gets a session with that role; one whose groups map to nothing is
// refused.
func TestAuthOIDC(t *testing.T) {
	idp, s := startOIDCTest(t, map[string][]string{"soc": {"security-operator@default", "security-reader@acme"}})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}

	idp.QueueUser(&mockoidc.MockUser{Subject: "s-1", PreferredUsername: "ola", Email: "ola@example.com", Groups: []string{"soc", "other"}})
	resp, err := client.Get(s.url + "/api/v1/auth/oidc/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The callback redirects to the portal at "/" (which answers API clients without
	// Accept: text/html as the Elasticsearch root; the status does not matter here).
	if resp.Request.URL.Path != "/" || "http://"+resp.Request.URL.Host != s.url {
		t.Fatalf("sign-in ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	me, err := client.Get(s.url + "/api/v1/auth/me")
	if err != nil {
		t.Fatal(err)
	}
	defer me.Body.Close()
	var got struct {
		User struct {
			Username string `json:"username"`
			Kind     string `json:"kind"`
		} `json:"user"`
		Roles     []map[string]string `json:"roles"`
		CSRFToken string              `json:"csrfToken"`
	}
	if err := json.NewDecoder(me.Body).Decode(&got); err != nil || me.StatusCode != 200 {
		t.Fatalf("me: %d %v", me.StatusCode, err)
	}
	if got.User.Username != "ola" || got.User.Kind != "user" || len(got.Roles) != 2 || got.CSRFToken == "" {
		t.Errorf("me after single sign-on: %+v", got)
	}

	idp.QueueUser(&mockoidc.MockUser{Subject: "s-2", PreferredUsername: "eve", Groups: []string{"other"}})
	jar2, _ := cookiejar.New(nil)
	resp, err = (&http.Client{Jar: jar2}).Get(s.url + "/api/v1/auth/oidc/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unmapped groups: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// A callback without the flow cookie (a forged or replayed redirect) is refused.
	r := s.do(t, "GET", "/api/v1/auth/oidc/callback?state=x&code=y", nil, map[string]string{"Authorization": ""})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "state") {
		t.Errorf("forged callback: %d %s", r.status, r.body)
	}
}

// startOIDCTest starts a real OpenID Connect provider and a server signing in through it
// (authorization code flow with PKCE), its groups claim mapped to roles by groupRoles.
func startOIDCTest(t *testing.T, groupRoles map[string][]string) (*mockoidc.MockOIDC, *testServer) {
	t.Helper()
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := startTest(t, func(c *Config) {
		c.Server.Listen = addr
		c.Auth.OIDC = OIDCConfig{Issuer: idp.Issuer(), ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
			RedirectURL: "http://" + addr + "/api/v1/auth/oidc/callback", Scopes: []string{"openid", "profile", "email", "groups"},
			UsernameClaim: "preferred_username", GroupsClaim: "groups",
			GroupRoles: groupRoles}
	})
	return idp, s
}

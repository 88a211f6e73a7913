package app

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"
)

// TestAuthOIDCCustomRoles maps OIDC groups to a custom role restricted to a
// device group, resolved at sign-in: a mapping to a role that does not exist
// is skipped, and a user left with nothing is refused.
func TestAuthOIDCCustomRoles(t *testing.T) {
	idp, s := startOIDCTest(t, map[string][]string{
		"server-hunters": {"hunters@default/servers", "no-such-role@default"},
		"ghosts":         {"no-such-role@default", "hunters@default/no-such-group"},
	})
	mustStatus(t, s.do(t, "PUT", "/api/v1/roles/hunters", []byte(`{"name":"Hunters","permissions":["data:read","hunting:run"]}`), nil), http.StatusOK)
	mustStatus(t, s.do(t, "POST", "/api/v1/security/deviceGroups", []byte(`{"id":"servers","name":"Servers","rules":[{"field":"deviceName","op":"startsWith","value":"srv"}]}`), nil), http.StatusCreated)

	signIn := func(sub, name string, groups ...string) (*http.Client, int) {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		idp.QueueUser(&mockoidc.MockUser{Subject: sub, PreferredUsername: name, Groups: groups})
		resp, err := client.Get(s.url + "/api/v1/auth/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return client, resp.StatusCode
	}
	client, _ := signIn("s-10", "hunter", "server-hunters")
	me, err := client.Get(s.url + "/api/v1/auth/me")
	if err != nil {
		t.Fatal(err)
	}
	defer me.Body.Close()
	var got struct {
		Roles       []map[string]any `json:"roles"`
		Permissions []string         `json:"permissions"`
	}
	if err := json.NewDecoder(me.Body).Decode(&got); err != nil || me.StatusCode != 200 {
		t.Fatalf("me: %d %v", me.StatusCode, err)
	}
	b, _ := json.Marshal(got.Roles)
	if string(b) != `[{"deviceGroups":["servers"],"role":"hunters","tenant":"default"}]` || strings.Join(got.Permissions, ",") != "data:read,hunting:run" {
		t.Errorf("grants after sign-in: %s %v", b, got.Permissions)
	}
	if _, status := signIn("s-11", "ghost", "ghosts"); status != http.StatusUnauthorized {
		t.Errorf("groups mapping only to unknown roles and groups: %d, want 401", status)
	}
}

// TestOIDCGroupRolesSyntax checks the mapping syntax at config load.
func TestOIDCGroupRolesSyntax(t *testing.T) {
	for spec, want := range map[string]string{
		"security-reader@acme":         "",
		"my-custom-role@acme/g1,g2":    "",
		"security-reader@*":            "",
		"security-reader":              `"security-reader" is not ROLE@TENANT or ROLE@TENANT/GROUP1,GROUP2`,
		"security-reader@*/g1":         "device groups belong to one tenant",
		"security-reader@acme/":        `"" is not a device group id`,
		"security-reader@acme/g1,,g2":  `"" is not a device group id`,
		"security-reader@bad tenant/x": "is not ROLE@TENANT",
	} {
		_, err := OIDCConfig{GroupRoles: map[string][]string{"g": {spec}}}.Grants()
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: err = %v, want %q", spec, err, want)
		}
	}
}

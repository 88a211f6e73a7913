package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/respond/responders/webhook"
)

func TestRespondersConfig(t *testing.T) {
	const ldapOK = "    ldap: {flavor: openldap, url: ldap://dir:389, bindDN: cn=vigil, passwordEnv: P, baseDN: dc=x}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"all three", "response:\n  responders:\n" + ldapOK +
			"    imap: {address: mail:143, user: vigil, passwordFile: /run/secrets/imap, accounts: [alice]}\n" +
			"    webhooks:\n      - {name: soar, url: https://soar/hook, secretEnv: S, types: [blockIndicator]}\n", ""},
		{"ldap error is placed", "response:\n  responders:\n    ldap: {flavor: novell, url: ldap://dir, bindDN: x, passwordEnv: P, baseDN: y}\n",
			`response.responders.ldap.flavor: "novell" is not activeDirectory or openldap`},
		{"unknown ldap key", "response:\n  responders:\n    ldap:\n      bindDn: x\n",
			`line 4: unknown key "bindDn" in section response.responders.ldap`},
		{"unknown imap key", "response:\n  responders:\n    imap:\n      host: x\n",
			`line 4: unknown key "host" in section response.responders.imap`},
		{"imap error is placed", "response:\n  responders:\n    imap: {address: mail, user: v, passwordEnv: P}\n",
			`response.responders.imap.address: "mail" is not host:port`},
		{"webhook error is placed", "response:\n  responders:\n    webhooks:\n      - {name: a, url: https://a, secretEnv: S, types: [fly]}\n",
			`response.responders.webhooks[0].types[0]: "fly" is not an action type`},
		{"one webhook per type", "response:\n  responders:\n    webhooks:\n" +
			"      - {name: a, url: https://a, secretEnv: S, types: [isolateDevice]}\n" +
			"      - {name: b, url: https://b, secretEnv: S, types: [runScript, isolateDevice]}\n",
			`response.responders.webhooks[1].types: isolateDevice goes to webhook "a" already`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml))
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("ParseConfig = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestWebhookResponderWired configures a webhook for blockIndicator and checks that an
// approved action goes to it, signed, rather than to the simulated responder.
func TestWebhookResponderWired(t *testing.T) {
	const secret = "wired-secret"
	var mu sync.Mutex
	var got []webhook.Delivery
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]byte(secret), r.Header.Get(webhook.TimestampHeader), r.Header.Get(webhook.SignatureHeader), body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var d webhook.Delivery
		_ = json.Unmarshal(body, &d)
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
		_, _ = io.WriteString(w, `{"blocked":true}`)
	}))
	defer hook.Close()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, func(c *Config) {
		c.Response.Responders.Webhooks = []webhook.Config{{Name: "fw", URL: hook.URL, SecretFile: secretFile, Types: []string{"blockIndicator"}}}
	})
	const base = "/api/v1/security/actions"
	requester := createKey(t, s, "resp", auth.RoleResponder, "default")
	approver := createKey(t, s, "secadmin", auth.RoleSecAdmin, "default")
	a := decodeAction(t, s.as(t, requester, "POST", base, `{"type":"blockIndicator","target":{"indicator":"198.51.100.7"},"comment":"C2"}`), http.StatusCreated)
	decodeAction(t, s.as(t, approver, "POST", base+"/"+a.ID+"/approve", `{}`), http.StatusOK)
	done := s.waitAction(t, a.ID)
	if done.Status != "completed" || done.Result.Detail != `webhook fw accepted the action: 200 OK: {"blocked":true}` {
		t.Fatalf("action = %+v", done)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Action.ID != a.ID || got[0].Action.Target.Indicator != "198.51.100.7" {
		t.Fatalf("deliveries = %+v", got)
	}
}

package ldap

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/vigilsec/vigil/internal/respond"
)

// testResponder returns a responder on url bound as the service account, with reset and
// reveal as given.
func testResponder(t *testing.T, url, reset string, reveal bool) *Responder {
	t.Helper()
	pwFile := filepath.Join(t.TempDir(), "bind-password")
	if err := os.WriteFile(pwFile, []byte(servicePW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Flavor: OpenLDAP, URL: url, BindDN: serviceDN, PasswordFile: pwFile, BaseDN: peopleBase,
		Timeout: 5 * time.Second, Reset: reset, RevealPassword: reveal})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func act(typ respond.Type, account string) respond.Action {
	return respond.Action{Tenant: "default", ID: "a1", Type: typ, Target: respond.Target{Account: account}}
}

func changes(t *testing.T, res respond.Result) []Change {
	t.Helper()
	cs, ok := res.Data["changes"].([]Change)
	if !ok {
		t.Fatalf("result data has no changes: %#v", res.Data)
	}
	return cs
}

func TestOpenLDAPDisableEnable(t *testing.T) {
	url := startSlapd(t)
	r := testResponder(t, url, "", false)
	ctx := context.Background()
	alice := "uid=alice," + peopleBase
	if err := bind(t, url, alice, "alice-password"); err != nil {
		t.Fatalf("alice cannot bind before the test: %v", err)
	}

	res, err := r.Execute(ctx, act(respond.DisableAccount, `EXAMPLE\alice`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{"pwdAccountLockedTime", "", lockedForever}}
	if cs := changes(t, res); len(cs) != 1 || cs[0] != want[0] || res.Data["dn"] != alice {
		t.Fatalf("disable result = %+v", res)
	}
	err = bind(t, url, alice, "alice-password")
	if !goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidCredentials) {
		t.Fatalf("bind as disabled alice: err = %v, want invalid credentials", err)
	}
	res, err = r.Execute(ctx, act(respond.DisableAccount, "alice"))
	if err != nil || len(changes(t, res)) != 0 || !strings.Contains(res.Detail, "already") {
		t.Fatalf("second disable = %+v, %v; want no change", res, err)
	}

	res, err = r.Execute(ctx, act(respond.EnableAccount, "alice@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	if cs := changes(t, res); len(cs) != 1 || cs[0] != (Change{"pwdAccountLockedTime", lockedForever, ""}) {
		t.Fatalf("enable result = %+v", res)
	}
	if err := bind(t, url, alice, "alice-password"); err != nil {
		t.Fatalf("bind as enabled alice: %v", err)
	}
}

func TestOpenLDAPResetPassword(t *testing.T) {
	url := startSlapd(t)
	ctx := context.Background()
	tests := []struct {
		name, user, reset string
		reveal            bool
		wantPwdReset      string
		oldWorks          bool
	}{
		{"both, revealed", "alice", ResetBoth, true, "TRUE", false},
		{"both, hidden", "bob", "", false, "TRUE", false},
		{"force change only", "carol", ResetForceChange, false, "TRUE", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dn := "uid=" + tt.user + "," + peopleBase
			res, err := testResponder(t, url, tt.reset, tt.reveal).Execute(ctx, act(respond.ResetPassword, tt.user))
			if err != nil {
				t.Fatal(err)
			}
			if got := operational(t, url, dn, "pwdReset"); got != tt.wantPwdReset {
				t.Errorf("pwdReset = %q, want %q", got, tt.wantPwdReset)
			}
			if err := bind(t, url, dn, tt.user+"-password"); (err == nil) != tt.oldWorks {
				t.Errorf("bind with the old password: err = %v, want it to work: %v", err, tt.oldWorks)
			}
			pw, revealed := res.Data["newPassword"].(string)
			if revealed != tt.reveal {
				t.Fatalf("newPassword in the result: %v, want %v", revealed, tt.reveal)
			}
			if strings.Contains(res.Detail, pw) && pw != "" {
				t.Fatalf("the password is in the detail %q", res.Detail)
			}
			if revealed {
				if err := bind(t, url, dn, pw); err != nil {
					t.Fatalf("bind with the new password: %v", err)
				}
			}
		})
	}
}

func TestOpenLDAPErrors(t *testing.T) {
	url := startSlapd(t)
	ctx := context.Background()
	r := testResponder(t, url, "", false)
	tests := []struct {
		name, account string
		want          string
		transient     bool
	}{
		{"unknown account", "mallory", `account "mallory": not found under ` + peopleBase, false},
		{"ambiguous account", "shared@example.org", "ambiguous", false},
		{"filter injection is escaped", "*", `account "*": not found`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Execute(ctx, act(respond.DisableAccount, tt.account))
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, respond.ErrTransient) != tt.transient {
				t.Fatalf("err = %v, want %q (transient %v)", err, tt.want, tt.transient)
			}
		})
	}

	t.Run("wrong service password is permanent and not echoed", func(t *testing.T) {
		pwFile := filepath.Join(t.TempDir(), "pw")
		_ = os.WriteFile(pwFile, []byte("wrong-secret-xyz"), 0o600)
		bad, _ := New(Config{Flavor: OpenLDAP, URL: url, BindDN: serviceDN, PasswordFile: pwFile, BaseDN: peopleBase})
		_, err := bad.Execute(ctx, act(respond.DisableAccount, "alice"))
		if err == nil || errors.Is(err, respond.ErrTransient) || strings.Contains(err.Error(), "wrong-secret-xyz") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("server down is transient", func(t *testing.T) {
		down := testResponder(t, "ldap://127.0.0.1:1", "", false)
		_, err := down.Execute(ctx, act(respond.DisableAccount, "alice"))
		if !errors.Is(err, respond.ErrTransient) {
			t.Fatalf("err = %v, want transient", err)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Flavor: OpenLDAP, URL: "ldap://dir:389", BindDN: "cn=x", PasswordEnv: "X", BaseDN: "dc=x"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"valid", func(*Config) {}, ""},
		{"flavor", func(c *Config) { c.Flavor = "novell" }, `flavor: "novell" is not activeDirectory or openldap`},
		{"scheme", func(c *Config) { c.URL = "http://dir" }, `url: scheme "http" is not ldap or ldaps`},
		{"no host", func(c *Config) { c.URL = "dir" }, `url: "dir" is not ldap://host[:port]`},
		{"two passwords", func(c *Config) { c.PasswordFile = "/x" }, "passwordFile, passwordEnv: set one"},
		{"filter without account", func(c *Config) { c.Filter = "(uid=x)" }, "names neither {account} nor {name}"},
		{"bad filter", func(c *Config) { c.Filter = "(uid={name}" }, `filter: "(uid={name}"`},
		{"bad reset", func(c *Config) { c.Reset = "email" }, `reset: "email" is not`},
		{"ad random needs tls", func(c *Config) { c.Flavor = ActiveDirectory }, "Active Directory takes only over TLS"},
		{"ad force change plain", func(c *Config) { c.Flavor, c.Reset = ActiveDirectory, ResetForceChange }, ""},
		{"ad ldaps", func(c *Config) { c.Flavor, c.URL = ActiveDirectory, "ldaps://dc1" }, ""},
		{"ldaps with starttls", func(c *Config) { c.URL, c.StartTLS = "ldaps://dc1", true }, "startTLS: not with an ldaps:// url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestExpandFilter(t *testing.T) {
	tests := []struct{ account, tmpl, want string }{
		{`CORP\jdoe`, "(|(sAMAccountName={name})(x={domain}))", "(|(sAMAccountName=jdoe)(x=CORP))"},
		{"jdoe@corp.example", "(|(userPrincipalName={account})(sAMAccountName={name}))", "(|(userPrincipalName=jdoe@corp.example)(sAMAccountName=jdoe))"},
		{"jdoe", "(uid={name})", "(uid=jdoe)"},
		{"a*)(uid=*", "(uid={name})", `(uid=a\2a\29\28uid=\2a)`},
	}
	for _, tt := range tests {
		if got := expand(tt.tmpl, parseAccount(tt.account)); got != tt.want {
			t.Errorf("expand(%q, %q) = %q, want %q", tt.tmpl, tt.account, got, tt.want)
		}
	}
}

func TestUnicodePwdAndRandomPassword(t *testing.T) {
	if got, want := unicodePwd("aé"), "\"\x00a\x00\xe9\x00\"\x00"; got != want {
		t.Fatalf("unicodePwd = %q, want %q", got, want)
	}
	pw, err := randomPassword(passwordLength)
	if err != nil || len(pw) != passwordLength {
		t.Fatalf("randomPassword = %q, %v", pw, err)
	}
	for _, class := range passwordClasses {
		if !strings.ContainsAny(pw, class) {
			t.Errorf("password %q has none of %q", pw, class)
		}
	}
}

package ldap

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/vigilsec/vigil/internal/respond"
)

// adConf is a slapd shaped like Active Directory: AD's user attributes with their
// Microsoft OIDs (adSchema; Debian's msuser.schema has them without matching rules, so
// they cannot be searched), StartTLS with a test certificate, and ACLs giving the service
// account what docs/responders.md lists for AD. slapd does not enforce userAccountControl
// at bind, so the tests check the attributes the responder writes, not a sign-in.
const adConf = `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include {dir}/ad.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
TLSCertificateFile {dir}/cert.pem
TLSCertificateKeyFile {dir}/key.pem
database mdb
suffix "` + suffix + `"
rootdn "` + rootDN + `"
rootpw ` + rootPW + `
directory {dir}/db
maxsize 10485760
access to attrs=userPassword
  by anonymous auth
  by * none
access to attrs=userAccountControl,pwdLastSet,unicodePwd
  by dn.exact="` + serviceDN + `" ssf=128 write
  by * none
access to *
  by dn.exact="` + serviceDN + `" read
  by * none
`

// adSchema declares the attributes of AD users the responder reads and writes.
const adSchema = `attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.96 NAME 'pwdLastSet'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.90 NAME 'unicodePwd'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP inetOrgPerson STRUCTURAL
  MAY ( userAccountControl $ pwdLastSet $ unicodePwd $ sAMAccountName $ userPrincipalName ) )
`

// adFilter replaces the AD default, whose objectCategory=person only AD expands.
const adFilter = "(&(objectClass=user)(|(userPrincipalName={account})(sAMAccountName={name})))"

func TestActiveDirectoryShape(t *testing.T) {
	url, caFile := runSlapd(t, adConf, true, map[string]string{"ad.schema": adSchema})
	conn := rootConn(t, url)
	staff := "ou=staff," + suffix
	for _, e := range []*goldap.AddRequest{
		addReq(suffix, map[string][]string{"objectClass": {"dcObject", "organization"}, "dc": {"example"}, "o": {"Example"}}),
		addReq("ou=services,"+suffix, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"services"}}),
		addReq(serviceDN, map[string][]string{"objectClass": {"organizationalRole", "simpleSecurityObject"}, "cn": {"vigil"}, "userPassword": {servicePW}}),
		addReq(staff, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"staff"}}),
		addReq("cn=Jane Doe,"+staff, map[string][]string{"objectClass": {"user"}, "cn": {"Jane Doe"}, "sn": {"Doe"},
			"sAMAccountName": {"jdoe"}, "userPrincipalName": {"jdoe@corp.example"}, "userAccountControl": {"512"},
			"pwdLastSet": {"133000000000000000"}}),
	} {
		if err := conn.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	pwFile := filepath.Join(t.TempDir(), "pw")
	_ = os.WriteFile(pwFile, []byte(servicePW), 0o600)
	newAD := func(reset string) *Responder {
		r, err := New(Config{Flavor: ActiveDirectory, URL: url, StartTLS: true, CAFile: caFile, BindDN: serviceDN,
			PasswordFile: pwFile, BaseDN: staff, Filter: adFilter, Reset: reset, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ctx := context.Background()
	dn := "cn=Jane Doe," + staff
	tests := []struct {
		name, reset string
		typ         respond.Type
		account     string
		want        []Change
		attr, value string
	}{
		{"disable by DOMAIN\\sam", "", respond.DisableAccount, `CORP\jdoe`, []Change{{"userAccountControl", "512", "514"}}, "userAccountControl", "514"},
		{"disable again", "", respond.DisableAccount, "jdoe", nil, "userAccountControl", "514"},
		{"enable by UPN", "", respond.EnableAccount, "jdoe@corp.example", []Change{{"userAccountControl", "514", "512"}}, "userAccountControl", "512"},
		{"force change", ResetForceChange, respond.ResetPassword, "jdoe", []Change{{"pwdLastSet", "133000000000000000", "0"}}, "pwdLastSet", "0"},
		{"random and force change", ResetBoth, respond.ResetPassword, "jdoe", []Change{{"unicodePwd", "(hidden)", "(random)"}, {"pwdLastSet", "0", "0"}}, "pwdLastSet", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := newAD(tt.reset).Execute(ctx, respond.Action{Type: tt.typ, Target: respond.Target{Account: tt.account}})
			if err != nil {
				t.Fatal(err)
			}
			cs := changes(t, res)
			if len(cs) != len(tt.want) || res.Data["dn"] != dn {
				t.Fatalf("result = %+v, want changes %+v", res, tt.want)
			}
			for i := range cs {
				if cs[i] != tt.want[i] {
					t.Fatalf("change %d = %+v, want %+v", i, cs[i], tt.want[i])
				}
			}
			if got := operational(t, url, dn, tt.attr); got != tt.value {
				t.Fatalf("%s = %q, want %q", tt.attr, got, tt.value)
			}
		})
	}
	if pw := operational(t, url, dn, "unicodePwd"); !strings.HasPrefix(pw, "\"\x00") || len(pw) != 2*(passwordLength+2) {
		t.Fatalf("unicodePwd is %d bytes, want a quoted UTF-16LE password of %d", len(pw), 2*(passwordLength+2))
	}
	t.Run("without TLS the ACL hides the attributes", func(t *testing.T) {
		plain, err := New(Config{Flavor: ActiveDirectory, URL: url, BindDN: serviceDN, PasswordFile: pwFile, BaseDN: staff,
			Filter: adFilter, Reset: ResetForceChange})
		if err != nil {
			t.Fatal(err)
		}
		_, err = plain.Execute(ctx, respond.Action{Type: respond.DisableAccount, Target: respond.Target{Account: "jdoe"}})
		if err == nil || !strings.Contains(err.Error(), `userAccountControl "" is not a number (does the service account read it?)`) {
			t.Fatalf("err = %v, want the attribute unreadable without TLS", err)
		}
	})
}

func addReq(dn string, attrs map[string][]string) *goldap.AddRequest {
	r := goldap.NewAddRequest(dn, nil)
	for k, v := range attrs {
		r.Attribute(k, v)
	}
	return r
}

package ldap

import (
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/vigilsec/vigil/internal/respond/responders/ldap/ldaptest"
)

// The test directory of ldaptest, under the names this package's tests use.
const (
	suffix     = ldaptest.Suffix
	rootDN     = ldaptest.RootDN
	rootPW     = ldaptest.RootPW
	serviceDN  = ldaptest.ServiceDN
	servicePW  = ldaptest.ServicePW
	peopleBase = ldaptest.PeopleBase
)

func startSlapd(t *testing.T) string { return ldaptest.Start(t) }

func runSlapd(t *testing.T, confTmpl string, withTLS bool, files map[string]string) (string, string) {
	return ldaptest.Run(t, confTmpl, withTLS, files)
}

func rootConn(t *testing.T, url string) *goldap.Conn { return ldaptest.RootConn(t, url) }

func bind(t *testing.T, url, dn, pw string) error { return ldaptest.Bind(t, url, dn, pw) }

func operational(t *testing.T, url, dn, attr string) string {
	return ldaptest.Operational(t, url, dn, attr)
}

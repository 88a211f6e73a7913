package ldaptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
)

// The test directory: its suffix, root and service accounts, and where people are.
const (
	Suffix     = "dc=example,dc=org"
	RootDN     = "cn=admin," + Suffix
	RootPW     = "root-secret"
	ServiceDN  = "cn=vigil,ou=services," + Suffix
	ServicePW  = "service-secret"
	PeopleBase = "ou=people," + Suffix
)

// Conf is a test slapd: mdb with the ppolicy overlay and a default policy, and ACLs
// that give the Vigil service account exactly the privileges docs/responders.md lists.
const Conf = `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
database mdb
Suffix "` + Suffix + `"
rootdn "` + RootDN + `"
rootpw ` + RootPW + `
directory {dir}/db
maxsize 10485760
access to attrs=userPassword,pwdAccountLockedTime,pwdReset
  by dn.exact="` + ServiceDN + `" write
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="` + ServiceDN + `" read
  by self read
  by * none
overlay ppolicy
ppolicy_default "cn=default,ou=policies,` + Suffix + `"
`

// Start starts a slapd of its own on a free port and seeds it; it returns the URL. It
// skips when slapd is not installed, and fails then when CI is set.
func Start(t testing.TB) string {
	t.Helper()
	url, _ := Run(t, Conf, false, nil)
	conn := RootConn(t, url)
	defer func() { _ = conn.Close() }()
	seed(t, conn)
	return url
}

// Run starts slapd with a configuration template ({dir} is its directory) and more
// files for that directory, and returns its URL and, with tls, the PEM file of the CA of
// its certificate.
func Run(t testing.TB, confTmpl string, withTLS bool, files map[string]string) (string, string) {
	t.Helper()
	bin, err := exec.LookPath("slapd")
	if err != nil {
		bin = "/usr/sbin/slapd"
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "slapd is not installed (Debian: apt-get install slapd ldap-utils)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the directory responder tests must run")
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	caFile := ""
	if withTLS {
		caFile = writeCert(t, dir)
	}
	conf := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(confTmpl, "{dir}", dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	url := fmt.Sprintf("ldap://127.0.0.1:%d", port)
	var logs strings.Builder
	cmd := exec.Command(bin, "-h", url+"/", "-f", conf, "-d", "0") //nolint:gosec // the test's own slapd, found on PATH or at its Debian path
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start slapd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	_ = waitLDAP(t, url, &logs).Close()
	return url, caFile
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key to dir, and returns
// the certificate's file (its own CA).
func writeCert(t testing.TB, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert := filepath.Join(dir, "cert.pem")
	_ = os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600)
	return cert
}

// RootConn binds to the directory at url as the root DN.
func RootConn(t testing.TB, url string) *goldap.Conn {
	t.Helper()
	conn, err := goldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Bind(RootDN, RootPW); err != nil {
		t.Fatal(err)
	}
	return conn
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// waitLDAP binds as the root DN once slapd listens.
func waitLDAP(t testing.TB, url string, logs *strings.Builder) *goldap.Conn {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := goldap.DialURL(url)
		if err == nil {
			if err = conn.Bind(RootDN, RootPW); err == nil {
				return conn
			}
			_ = conn.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("slapd did not come up at %s: %v\n%s", url, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seed adds the tree: the policy, the service account and the people.
func seed(t testing.TB, conn *goldap.Conn) {
	t.Helper()
	entries := []struct {
		dn    string
		attrs map[string][]string
	}{
		{Suffix, map[string][]string{"objectClass": {"dcObject", "organization"}, "dc": {"example"}, "o": {"Example"}}},
		{"ou=policies," + Suffix, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"policies"}}},
		{"cn=default,ou=policies," + Suffix, map[string][]string{"objectClass": {"organizationalRole", "pwdPolicy"},
			"cn": {"default"}, "pwdAttribute": {"userPassword"}, "pwdMustChange": {"TRUE"}, "pwdLockout": {"TRUE"},
			"pwdMaxFailure": {"5"}, "pwdAllowUserChange": {"TRUE"}}},
		{"ou=services," + Suffix, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"services"}}},
		{ServiceDN, map[string][]string{"objectClass": {"organizationalRole", "simpleSecurityObject"}, "cn": {"vigil"}, "userPassword": {ServicePW}}},
		{PeopleBase, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"people"}}},
		person("alice", "alice@example.org"),
		person("bob", "bob@example.org"),
		person("carol", "shared@example.org"),
		person("dave", "shared@example.org"),
	}
	for _, e := range entries {
		req := goldap.NewAddRequest(e.dn, nil)
		for k, v := range e.attrs {
			req.Attribute(k, v)
		}
		if err := conn.Add(req); err != nil {
			t.Fatalf("add %s: %v", e.dn, err)
		}
	}
}

func person(uid, mail string) struct {
	dn    string
	attrs map[string][]string
} {
	return struct {
		dn    string
		attrs map[string][]string
	}{"uid=" + uid + "," + PeopleBase, map[string][]string{"objectClass": {"inetOrgPerson"}, "uid": {uid},
		"cn": {uid}, "sn": {uid}, "mail": {mail}, "userPassword": {uid + "-password"}}}
}

// Bind reports whether dn binds with pw.
func Bind(t testing.TB, url, dn, pw string) error {
	t.Helper()
	conn, err := goldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	return conn.Bind(dn, pw)
}

// Operational reads an operational attribute as the root DN.
func Operational(t testing.TB, url, dn, attr string) string {
	t.Helper()
	conn, err := goldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if err := conn.Bind(RootDN, RootPW); err != nil {
		t.Fatal(err)
	}
	res, err := conn.Search(goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases, 1, 5, false,
		"(objectClass=*)", []string{attr}, nil))
	if err != nil {
		t.Fatalf("read %s of %s: %v", attr, dn, err)
	}
	return res.Entries[0].GetAttributeValue(attr)
}

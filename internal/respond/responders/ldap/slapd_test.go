package ldap

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

// The test directory: its suffix, root and service accounts.
const (
	suffix     = "dc=example,dc=org"
	rootDN     = "cn=admin," + suffix
	rootPW     = "root-secret"
	serviceDN  = "cn=vigil,ou=services," + suffix
	servicePW  = "service-secret"
	peopleBase = "ou=people," + suffix
)

// slapdConf is a test slapd: mdb with the ppolicy overlay and a default policy, and ACLs
// that give the Vigil service account exactly the privileges docs/responders.md lists.
const slapdConf = `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
database mdb
suffix "` + suffix + `"
rootdn "` + rootDN + `"
rootpw ` + rootPW + `
directory {dir}/db
maxsize 10485760
access to attrs=userPassword,pwdAccountLockedTime,pwdReset
  by dn.exact="` + serviceDN + `" write
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="` + serviceDN + `" read
  by self read
  by * none
overlay ppolicy
ppolicy_default "cn=default,ou=policies,` + suffix + `"
`

// startSlapd starts a slapd of its own on a free port and seeds it; it returns the URL. It
// skips when slapd is not installed, and fails then when CI is set.
func startSlapd(t *testing.T) string {
	t.Helper()
	url, _ := runSlapd(t, slapdConf, false, nil)
	conn := rootConn(t, url)
	defer conn.Close()
	seed(t, conn)
	return url
}

// runSlapd starts slapd with a configuration template ({dir} is its directory) and more
// files for that directory, and returns its URL and, with tls, the PEM file of the CA of
// its certificate.
func runSlapd(t *testing.T, confTmpl string, withTLS bool, files map[string]string) (string, string) {
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
	cmd := exec.Command(bin, "-h", url+"/", "-f", conf, "-d", "0")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start slapd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitLDAP(t, url, &logs).Close()
	return url, caFile
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key to dir, and returns
// the certificate's file (its own CA).
func writeCert(t *testing.T, dir string) string {
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

func rootConn(t *testing.T, url string) *goldap.Conn {
	t.Helper()
	conn, err := goldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Bind(rootDN, rootPW); err != nil {
		t.Fatal(err)
	}
	return conn
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitLDAP binds as the root DN once slapd listens.
func waitLDAP(t *testing.T, url string, logs *strings.Builder) *goldap.Conn {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := goldap.DialURL(url)
		if err == nil {
			if err = conn.Bind(rootDN, rootPW); err == nil {
				return conn
			}
			conn.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("slapd did not come up at %s: %v\n%s", url, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seed adds the tree: the policy, the service account and the people.
func seed(t *testing.T, conn *goldap.Conn) {
	t.Helper()
	entries := []struct {
		dn    string
		attrs map[string][]string
	}{
		{suffix, map[string][]string{"objectClass": {"dcObject", "organization"}, "dc": {"example"}, "o": {"Example"}}},
		{"ou=policies," + suffix, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"policies"}}},
		{"cn=default,ou=policies," + suffix, map[string][]string{"objectClass": {"organizationalRole", "pwdPolicy"},
			"cn": {"default"}, "pwdAttribute": {"userPassword"}, "pwdMustChange": {"TRUE"}, "pwdLockout": {"TRUE"},
			"pwdMaxFailure": {"5"}, "pwdAllowUserChange": {"TRUE"}}},
		{"ou=services," + suffix, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"services"}}},
		{serviceDN, map[string][]string{"objectClass": {"organizationalRole", "simpleSecurityObject"}, "cn": {"vigil"}, "userPassword": {servicePW}}},
		{peopleBase, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {"people"}}},
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
	}{"uid=" + uid + "," + peopleBase, map[string][]string{"objectClass": {"inetOrgPerson"}, "uid": {uid},
		"cn": {uid}, "sn": {uid}, "mail": {mail}, "userPassword": {uid + "-password"}}}
}

// bind reports whether dn binds with pw.
func bind(t *testing.T, url, dn, pw string) error {
	t.Helper()
	conn, err := goldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.Bind(dn, pw)
}

// operational reads an operational attribute as the root DN.
func operational(t *testing.T, url, dn, attr string) string {
	t.Helper()
	conn, err := goldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(rootDN, rootPW); err != nil {
		t.Fatal(err)
	}
	res, err := conn.Search(goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases, 1, 5, false,
		"(objectClass=*)", []string{attr}, nil))
	if err != nil {
		t.Fatalf("read %s of %s: %v", attr, dn, err)
	}
	return res.Entries[0].GetAttributeValue(attr)
}

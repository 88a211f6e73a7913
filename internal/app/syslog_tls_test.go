package app

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pki is a test CA and the PEM files of certificates it signed.
type pki struct {
	dir  string
	ca   *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newPKI(t *testing.T, dir, name string) *pki {
	t.Helper()
	p := &pki{dir: dir}
	der, key := p.sign(t, &x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature})
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, p.key, p.pool = ca, key, x509.NewCertPool()
	p.pool.AddCert(ca)
	writePEM(t, filepath.Join(dir, name+".pem"), "CERTIFICATE", der)
	return p
}

// sign makes a key and a certificate from tmpl, signed by the CA (self-signed before it exists).
func (p *pki) sign(t *testing.T, tmpl *x509.Certificate) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl.SerialNumber, tmpl.NotBefore, tmpl.NotAfter = serial, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	parent, signKey := tmpl, key
	if p.ca != nil {
		parent, signKey = p.ca, p.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

// issue writes name.pem and name.key, a certificate for 127.0.0.1 (server or client use).
func (p *pki) issue(t *testing.T, name string, client bool) (certFile, keyFile string) {
	t.Helper()
	eku := x509.ExtKeyUsageServerAuth
	if client {
		eku = x509.ExtKeyUsageClientAuth
	}
	der, key := p.sign(t, &x509.Certificate{Subject: pkix.Name{CommonName: name}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku}})
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(p.dir, name+".pem"), filepath.Join(p.dir, name+".key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", kb)
	return certFile, keyFile
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSyslogTLS starts the server with the syslog receiver on TLS with mutual TLS, sends RFC
// 5425 frames and rsyslog-style newline frames with openssl s_client (a real TLS client) and
// Go's crypto/tls, checks that a client without a certificate is refused and counted, and that
// a renewed server certificate is served without a restart.
func TestSyslogTLS(t *testing.T) {
	dir := t.TempDir()
	ca := newPKI(t, dir, "ca")
	certFile, keyFile := ca.issue(t, "server", false)
	cliCert, cliKey := ca.issue(t, "client", true)
	s := startTest(t, func(c *Config) {
		c.Receivers.Syslog.TLS = SyslogTLSConfig{Listen: "127.0.0.1:0", CertFile: certFile, KeyFile: keyFile,
			ClientCAFile: filepath.Join(dir, "ca.pem"), ReloadInterval: time.Millisecond}
		c.Receivers.Syslog.BatchWait = 10 * time.Millisecond
	})
	addr := s.a.syslog.Addr().TLS
	if addr == "" {
		t.Fatal("no TLS listener")
	}
	frame := func(m string) string { return fmt.Sprintf("%d %s", len(m), m) }
	pair, err := tls.LoadX509KeyPair(cliCert, cliKey)
	if err != nil {
		t.Fatal(err)
	}
	goSend := func(roots *x509.CertPool, data string) error {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(c, data); err != nil {
			return err
		}
		return c.Close()
	}
	if err := goSend(ca.pool, frame("<14>1 2024-03-10T10:00:00Z gohost goclient 7 - - rfc 5425 over go tls")+
		frame("<134>1 2024-03-10T10:00:01Z fw - - - - CEF:0|V|P|1|s|n|3|src=10.0.0.1")); err != nil {
		t.Fatal(err)
	}

	if openssl, err := exec.LookPath("openssl"); err == nil {
		// One connection per framing: a sender keeps one framing on a connection.
		for _, data := range []string{
			frame("<38>1 2024-03-10T10:00:02Z osslhost sshd 42 - - octet counted over openssl"),
			"<38>Mar 10 10:00:03 osslhost sudo: newline framed over openssl\n",
		} {
			cmd := exec.Command(openssl, "s_client", "-connect", addr, "-CAfile", filepath.Join(dir, "ca.pem"),
				"-cert", cliCert, "-key", cliKey, "-verify_return_error", "-quiet", "-no_ign_eof")
			cmd.Stdin = strings.NewReader(data)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("openssl s_client: %v\n%s", err, out)
			}
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("openssl is required in CI: apt-get install openssl")
	} else {
		t.Log("openssl not installed; sending its messages with Go")
		for _, data := range []string{
			frame("<38>1 2024-03-10T10:00:02Z osslhost sshd 42 - - octet counted over openssl"),
			"<38>Mar 10 10:00:03 osslhost sudo: newline framed over openssl\n",
		} {
			if err := goSend(ca.pool, data); err != nil {
				t.Fatal(err)
			}
		}
	}

	// A client without a certificate is refused, counted, and the listener goes on.
	if c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.pool, MinVersion: tls.VersionTLS12}); err == nil {
		_, _ = io.WriteString(c, "<13>Mar 10 10:00:04 h app: no client certificate\n")
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("a client without a certificate was served")
		}
		_ = c.Close()
	}
	waitRows(t, s, `SELECT count(*) FROM Syslog`, "3")
	waitRows(t, s, `SELECT count(*) FROM CommonSecurityLog`, "1")
	got := query(t, s, `SELECT HostName, ProcessName, SyslogMessage FROM Syslog ORDER BY SyslogMessage`)
	want := "[[osslhost sudo newline framed over openssl] [osslhost sshd octet counted over openssl] [gohost goclient rfc 5425 over go tls]]"
	if fmt.Sprint(got) != want {
		t.Errorf("Syslog rows:\n got %v\nwant %s", got, want)
	}
	waitMetric(t, s, "vigil_syslog_tls_handshake_errors_total 1")
	waitMetric(t, s, `vigil_ingest_receiver_messages_total{protocol="tls",receiver="syslog"} 4`)
	waitMetric(t, s, `vigil_ingest_receiver_connections{protocol="tls",receiver="syslog"} 0`)

	// Renew the server certificate from another CA: new connections get it without a restart.
	ca2 := newPKI(t, t.TempDir(), "ca2")
	c2, k2 := ca2.issue(t, "server2", false)
	for _, f := range [][2]string{{c2, certFile}, {k2, keyFile}} {
		b, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f[1], b, 0o600); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Minute)
		if err := os.Chtimes(f[1], later, later); err != nil {
			t.Fatal(err)
		}
	}
	if err := goSend(ca2.pool, frame("<14>1 2024-03-10T10:00:05Z gohost goclient 7 - - after renewal")); err != nil {
		t.Fatalf("after renewal: %v", err)
	}
	waitRows(t, s, `SELECT count(*) FROM Syslog`, "4")
}

// waitMetric waits for /metrics to hold line.
func waitMetric(t *testing.T, s *testServer, line string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var body string
	for time.Now().Before(deadline) {
		if body = s.do(t, "GET", "/metrics", nil, nil).body; strings.Contains(body, line) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("/metrics lacks %q", line)
}

// TestSyslogListenerTenants gives a customer its own port: what arrives there is stored for its
// tenant, the rest for receivers.syslog.tenant.
func TestSyslogListenerTenants(t *testing.T) {
	s := startTest(t, func(c *Config) {
		c.Receivers.Syslog.TCP = "127.0.0.1:0"
		c.Receivers.Syslog.Listeners = []SyslogListenerConfig{{Tenant: "acme", TCP: "127.0.0.1:0", UDP: "127.0.0.1:0"}}
		c.Receivers.Syslog.BatchWait = 10 * time.Millisecond
	})
	addrs := s.a.syslog.Addrs()
	if len(addrs) != 2 || addrs[1].Tenant != "acme" {
		t.Fatalf("addrs %+v", addrs)
	}
	send := func(network, addr, msg string) {
		t.Helper()
		if loggerPath, err := exec.LookPath("logger"); err == nil {
			host, port, _ := net.SplitHostPort(addr)
			if out, err := exec.Command(loggerPath, "--server", host, "--port", port, "--"+network, "--rfc3164", "-t", "app", msg).CombinedOutput(); err != nil {
				t.Fatalf("logger: %v\n%s", err, out)
			}
			return
		}
		c, err := net.Dial(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "<13>1 2024-03-10T10:00:00Z h app - - - %s\n", msg)
		_ = c.Close()
	}
	send("tcp", addrs[0].TCP, "for default")
	send("tcp", addrs[1].TCP, "for acme over tcp")
	send("udp", addrs[1].UDP, "for acme over udp")
	waitRows(t, s, `SELECT count(*) FROM Syslog`, "3")
	got := query(t, s, `SELECT TenantId, SyslogMessage FROM Syslog ORDER BY SyslogMessage`)
	if want := "[[acme for acme over tcp] [acme for acme over udp] [default for default]]"; fmt.Sprint(got) != want {
		t.Errorf("Syslog: %v, want %s", got, want)
	}
}

package app

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
)

// TestAuthTLS serves HTTPS from certificate files and checks that the
// session cookie is then Secure.
func TestAuthTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	pool := writeTestCert(t, certFile, keyFile)
	s := startTest(t, func(c *Config) { c.Server.TLS.CertFile, c.Server.TLS.KeyFile = certFile, keyFile })
	pw := createUserTLS(t, s, pool)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	body, _ := json.Marshal(map[string]string{"username": "tls-user", "password": pw})
	resp, err := client.Post(strings.Replace(s.url, "http://", "https://", 1)+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var secure bool
	for _, c := range resp.Cookies() {
		secure = secure || (c.Name == "vigil_session" && c.Secure)
	}
	if resp.StatusCode != 200 || !secure {
		t.Errorf("login over TLS: %d, secure cookie %v", resp.StatusCode, secure)
	}
	if plain, err := http.Get(s.url + "/healthz"); err == nil {
		plain.Body.Close()
		if plain.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the TLS listener: %d", plain.StatusCode)
		}
	}
}

func createUserTLS(t *testing.T, s *testServer, pool *x509.CertPool) string {
	t.Helper()
	pw := "correct horse battery staple"
	body, _ := json.Marshal(map[string]any{"username": "tls-user", "password": pw,
		"roles": []map[string]string{{"role": auth.RoleReader, "tenant": "default"}}})
	req, _ := http.NewRequest("POST", strings.Replace(s.url, "http://", "https://", 1)+"/api/v1/users", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create user over TLS: %d", resp.StatusCode)
	}
	return pw
}

// writeTestCert writes a self-signed certificate for 127.0.0.1 and returns a
// pool that trusts it.
func writeTestCert(t *testing.T, certFile, keyFile string) *x509.CertPool {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigil-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return pool
}

package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writePair writes a self-signed certificate for cn and its key.
func writePair(t *testing.T, certFile, keyFile, cn string, mod time.Time) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{cn}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	_ = os.Chtimes(certFile, mod, mod)
	_ = os.Chtimes(keyFile, mod, mod)
}

func servedCN(t *testing.T, r *CertReloader) string {
	t.Helper()
	c, err := r.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf.Subject.CommonName
}

func TestCertReloader(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	base := time.Now().Add(-time.Hour)
	writePair(t, cert, key, "one", base)
	r, err := NewCertReloader(cert, key, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r.now = func() time.Time { return now }
	if cn := servedCN(t, r); cn != "one" {
		t.Fatalf("served %q", cn)
	}
	writePair(t, cert, key, "two", base.Add(time.Minute))
	if cn := servedCN(t, r); cn != "one" {
		t.Errorf("reloaded before the interval: %q", cn)
	}
	now = now.Add(time.Minute)
	if cn := servedCN(t, r); cn != "two" {
		t.Errorf("not reloaded after the interval: %q", cn)
	}
	_ = os.WriteFile(cert, []byte("garbage"), 0o600)
	_ = os.Chtimes(cert, base.Add(2*time.Minute), base.Add(2*time.Minute))
	now = now.Add(time.Minute)
	if cn := servedCN(t, r); cn != "two" {
		t.Errorf("a broken pair replaced the good one: %q", cn)
	}
	if _, err := NewCertReloader(filepath.Join(dir, "missing"), key, time.Minute, nil); err == nil {
		t.Error("missing certificate accepted")
	}
}

package syslog

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// testCert makes a certificate for 127.0.0.1 signed by parent (self-signed when nil).
func testCert(t *testing.T, cn string, parent *tls.Certificate, client bool) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: parent == nil,
	}
	switch {
	case parent == nil:
		tmpl.ExtKeyUsage = nil // a CA for both uses
	case client:
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	signer, signKey := tmpl, any(key)
	if parent != nil {
		signer, signKey = parent.Leaf, parent.PrivateKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// TestTLS: RFC 5425 octet-counted frames and rsyslog-style newline frames over TLS with a
// client certificate; a client without one and a plain-text client are counted and
// refused, and the listener goes on.
func TestTLS(t *testing.T) {
	ca := testCert(t, "test ca", nil, false)
	srv := testCert(t, "vigil", &ca, false)
	cli := testCert(t, "rsyslog", &ca, true)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Leaf)
	f := &fakeIngest{rows: map[string][][]schema.Value{}, rejects: map[string][]ingest.RowError{}}
	reg := prometheus.NewRegistry()
	r, err := newReceiver(Config{
		TLS: "127.0.0.1:0", Tenant: "t1", Metrics: reg, BatchWait: 10 * time.Millisecond, HandshakeTimeout: time.Second,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{srv}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert},
	}, f, schema.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{r: r, f: f, reg: reg}
	runHarness(t, h)
	addr := r.Addr().TLS
	dial := func(certs ...tls.Certificate) (*tls.Conn, error) {
		return tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, Certificates: certs, MinVersion: tls.VersionTLS12})
	}
	write := func(data string) {
		t.Helper()
		c, err := dial(cli)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, data); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write(octets("<14>1 2024-03-10T10:00:00Z h app 1 - - rfc 5425 frame", "CEF:0|V|P|1|s|n|3|src=10.0.0.1"))
	write("<13>Mar 10 08:00:00 h app: newline one\n<13>Mar 10 08:00:01 h app: newline two\n")

	// No client certificate: TLS 1.3 reports the refusal on the first read.
	if c, err := dial(); err == nil {
		_, _ = io.WriteString(c, "<13>Mar 10 08:00:00 h app: not taken\n")
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("a client without a certificate was served")
		}
		_ = c.Close()
	}
	// Plain text on the TLS port.
	send(t, "tcp", addr, "<13>Mar 10 08:00:00 h app: plain text\n")
	h.waitFor(t, 4, 0)
	deadline := time.Now().Add(5 * time.Second)
	for counterValue(t, r.m.tlsErrors) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := counterValue(t, r.m.tlsErrors); got != 2 {
		t.Errorf("tls handshake errors = %v, want 2", got)
	}
	write("<13>Mar 10 08:00:02 h app: still listening\n")
	h.waitFor(t, 5, 0)
	h.stop()
	if got := gathered(t, reg, "vigil_ingest_receiver_messages_total", "syslog", "tls"); got != 5 {
		t.Errorf("tls messages = %v, want 5", got)
	}
	if rows, rejects := f.count(); rows != 5 || rejects != 0 {
		t.Errorf("got %d rows and %d rejects, want 5 and 0", rows, rejects)
	}
}

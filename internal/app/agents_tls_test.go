package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	vigilagent "github.com/vigilsec/vigil/internal/agent"
)

// TestAgentListenerTLS serves the agent listener with server.tls: an agent that trusts the
// certificate's CA enrolls over HTTPS, connects over TLS and carries an action out; a client
// that speaks plain NATS, and one that trusts another CA, are refused.
func TestAgentListenerTLS(t *testing.T) {
	dir, scripts := t.TempDir(), t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	pool := writeTestCert(t, certFile, keyFile)
	otherPool := writeTestCert(t, filepath.Join(dir, "other.crt"), filepath.Join(dir, "other.key"))
	if err := os.WriteFile(filepath.Join(scripts, "hello.sh"), []byte("echo over-tls-$1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, func(c *Config) {
		c.Server.TLS.CertFile, c.Server.TLS.KeyFile = certFile, keyFile
		c.Agents.Listen, c.Agents.Scripts = "127.0.0.1:0", scripts
	})
	base := strings.Replace(s.url, "http://", "https://", 1)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	call := func(method, path, body string, want int) string {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.key)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		return string(b)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(call("POST", "/api/v1/agents/enrollmentTokens", `{"expiresInHours":1}`, http.StatusCreated)), &tok)
	state := t.TempDir()
	id, err := vigilagent.Enroll(ctx, base, tok.Token, state, hc)
	if err != nil {
		t.Fatalf("enroll over HTTPS: %v", err)
	}
	addr := s.a.bus.AgentAddr()
	nc, err := vigilagent.Connect("tls://"+addr, id, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	dev := &vigilagent.Device{State: &vigilagent.StateFile{Path: filepath.Join(state, "state.json")}, Servers: []string{"127.0.0.1"}}
	go func() { _ = dev.Serve(ctx, nc, id) }()
	for deadline := time.Now().Add(10 * time.Second); !nc.IsConnected() && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if !nc.IsConnected() || !nc.TLSRequired() {
		t.Fatalf("agent over TLS: connected %v, TLS %v, last error %v", nc.IsConnected(), nc.TLSRequired(), nc.LastError())
	}

	call("PUT", "/api/v1/security/automationLevel", `{"level":"full","fourEyes":false}`, http.StatusOK)
	var a actionReply
	_ = json.Unmarshal([]byte(call("POST", "/api/v1/security/actions",
		`{"type":"runScript","target":{"device":"`+id.DeviceID+`"},"parameters":{"script":"hello.sh","args":["x"]}}`, http.StatusCreated)), &a)
	var done struct {
		actionReply
		Result struct{ Data map[string]any }
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _ = json.Unmarshal([]byte(call("GET", "/api/v1/security/actions/"+a.ID, "", http.StatusOK)), &done); done.Status != "approved" && done.Status != "sent" && done.Status != "running" {
			break
		}
	}
	if done.Status != "completed" || done.Result.Data["stdout"] != "over-tls-x\n" || done.Result.Data["deviceId"] != id.DeviceID {
		t.Errorf("script through the agent over TLS: %+v %v", done.actionReply, done.Result.Data)
	}

	kp, err := nkeys.FromSeed([]byte(id.Seed))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	// Trusting another CA: the handshake fails on the server's certificate, the agent's own
	// key notwithstanding.
	_, err = nats.Connect("tls://"+addr, nats.Nkey(pub, kp.Sign), nats.Timeout(3*time.Second),
		nats.Secure(&tls.Config{RootCAs: otherPool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}))
	if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("connection trusting another CA: %v, want the certificate refused", err)
	}
	checkPlainRefused(t, addr)
}

// checkPlainRefused speaks plain NATS to a TLS listener: it announces that TLS is required,
// and a CONNECT sent in clear text gets no PONG back: the server closes the connection.
func checkPlainRefused(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	info, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(info, "INFO ") || !strings.Contains(info, `"tls_required":true`) {
		t.Fatalf("INFO of the TLS listener: %q %v", info, err)
	}
	if _, err := c.Write([]byte("CONNECT {\"verbose\":false}\r\nPING\r\n")); err != nil {
		return // refused already
	}
	rest, err := io.ReadAll(r)
	var ne net.Error
	if bytes.Contains(rest, []byte("PONG")) || errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("a plain-text client was served or kept: %q %v", rest, err)
	}
}

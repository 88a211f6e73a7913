package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	vigilagent "github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/auth"
)

// TestAgentEndToEnd enrolls a real agent through the API, connects it to the server's
// agent listener, and carries actions out through the Action Center: on the agent's
// device by the agent, on another device by the simulated responder.
func TestAgentEndToEnd(t *testing.T) {
	scripts := t.TempDir()
	if err := os.WriteFile(filepath.Join(scripts, "whoami.sh"), []byte("echo agent-ran-$1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startTest(t, func(c *Config) { c.Agents.Listen, c.Agents.Scripts = "127.0.0.1:0", scripts })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	r := s.do(t, "POST", "/api/v1/agents/enrollmentTokens", []byte(`{"expiresInHours":1}`), nil)
	mustStatus(t, r, http.StatusCreated)
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(r.body), &tok)
	state := t.TempDir()
	id, err := vigilagent.Enroll(ctx, s.url, tok.Token, state, nil)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if _, err := vigilagent.Enroll(ctx, s.url, tok.Token, t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("second enrollment with the same token: %v, want 401", err)
	}
	if saved, err := vigilagent.LoadIdentity(state); err != nil || saved != id {
		t.Errorf("saved identity %+v, %v", saved, err)
	}
	nc, err := vigilagent.Connect("nats://"+s.a.bus.AgentAddr(), id, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	dev := &vigilagent.Device{State: &vigilagent.StateFile{Path: filepath.Join(state, "state.json")},
		Quarantine: vigilagent.Quarantine{Dir: filepath.Join(state, "quarantine")}, Servers: []string{"127.0.0.1"}}
	go func() { _ = dev.Serve(ctx, nc, id) }()
	host, _ := os.Hostname()

	responder := createKey(t, s, "resp", auth.RoleResponder, "default")
	approver := createKey(t, s, "secadmin", auth.RoleSecAdmin, "default")
	run := func(body string) (actionReply, map[string]any) {
		t.Helper()
		a := decodeAction(t, s.as(t, responder, "POST", "/api/v1/security/actions", body), http.StatusCreated)
		mustStatus(t, s.as(t, approver, "POST", "/api/v1/security/actions/"+a.ID+"/approve", `{}`), http.StatusOK)
		done := s.waitAction(t, a.ID)
		var full struct{ Result struct{ Data map[string]any } }
		_ = json.Unmarshal([]byte(s.do(t, "GET", "/api/v1/security/actions/"+a.ID, nil, nil).body), &full)
		return done, full.Result.Data
	}
	a, data := run(`{"type":"runScript","target":{"device":"` + host + `"},"parameters":{"script":"whoami.sh","args":["x"]}}`)
	if a.Status != "completed" || data["stdout"] != "agent-ran-x\n" {
		t.Errorf("script through the agent: %+v %v", a, data)
	}
	a, _ = run(`{"type":"collectInvestigationPackage","target":{"device":"` + id.DeviceID + `"}}`)
	if a.Status != "completed" {
		t.Fatalf("package: %+v", a)
	}
	pkg := s.do(t, "GET", "/api/v1/agents/packages/"+a.ID, nil, nil)
	mustStatus(t, pkg, http.StatusOK)
	if !strings.HasPrefix(pkg.body, "\x1f\x8b") || pkg.header.Get("Content-Type") != "application/gzip" {
		t.Errorf("package download: %d bytes, %s", len(pkg.body), pkg.header.Get("Content-Type"))
	}
	a, _ = run(`{"type":"stopAndQuarantineFile","target":{"device":"` + host + `","fileSha256":"` + strings.Repeat("ab", 32) + `"}}`)
	if a.Status != "failed" || !strings.Contains(a.Result.Error, "no file or running process") {
		t.Errorf("failed action through the agent: %+v", a)
	}
	a, data = run(`{"type":"runScript","target":{"device":"no-agent-here"},"parameters":{"script":"whoami.sh"}}`)
	if a.Status != "completed" || data["simulated"] != true {
		t.Errorf("device without an agent: %+v %v, want the simulated responder", a, data)
	}

	checkTelemetry(t, s, ctx, nc, id)

	mustStatus(t, s.do(t, "DELETE", "/api/v1/agents/"+id.DeviceID, nil, nil), http.StatusNoContent)
	deadline := time.Now().Add(5 * time.Second)
	for nc.IsConnected() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if nc.IsConnected() {
		t.Error("a removed agent stays connected")
	}
	var list struct{ Value []any }
	_ = json.Unmarshal([]byte(s.do(t, "GET", "/api/v1/agents", nil, nil).body), &list)
	if len(list.Value) != 0 {
		t.Errorf("agents after removal: %v", list.Value)
	}
}

// checkTelemetry sends rows as the agent and expects them in the tables, stamped with the
// device and tenant of the subject, not of the payload; a bad row reaches IngestionErrors.
func checkTelemetry(t *testing.T, s *testServer, ctx context.Context, nc *nats.Conn, id vigilagent.Identity) {
	t.Helper()
	tel, err := vigilagent.NewTelemetry(nc, id)
	if err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = tel.Run(tctx) }()
	tel.Add("DeviceProcessEvents", vigilagent.Row{"DeviceId": "forged", "TenantId": "other", "FileName": "evil.bin", "ProcessId": 4242})
	tel.Add("DeviceProcessEvents", vigilagent.Row{"FileName": "bad.bin", "ProcessId": "not-a-number"})
	tel.Add("SigninLogs", vigilagent.Row{"UserPrincipalName": "forged@example.com"})
	want := fmt.Sprint([][]any{{id.DeviceID, "default", float64(4242)}})
	var got string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got = fmt.Sprint(s.sql(t, `SELECT DeviceId, TenantId, ProcessId FROM DeviceProcessEvents WHERE FileName = 'evil.bin'`))
		if got == want {
			break
		}
	}
	if got != want {
		t.Errorf("telemetry rows: %s, want %s", got, want)
	}
	errs := fmt.Sprint(s.sql(t, `SELECT "Table", Source FROM IngestionErrors WHERE Source = 'agent:`+id.DeviceID+`' ORDER BY "Table"`))
	if errs != "[[DeviceProcessEvents agent:"+id.DeviceID+"] [agent table SigninLogs agent:"+id.DeviceID+"]]" {
		t.Errorf("ingestion errors of the agent: %s", errs)
	}
}

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vigilagent "github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/auth"
)

// TestFleetBlockIndicator blocks a file hash fleet-wide through the Action Center: the
// connected agent stops the running program and keeps the hash blocked, the indicator is
// listed as a block indicator, an agent that connects later gets the block at start, and
// the undo unblocks it on both.
func TestFleetBlockIndicator(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Agents.Listen = "127.0.0.1:0" })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dev1 := startFleetAgent(t, ctx, s)
	path, exited := startUniqueSleep(t)
	sha, err := vigilagent.HashFile(path)
	if err != nil {
		t.Fatal(err)
	}

	responder := createKey(t, s, "resp", auth.RoleResponder, "default")
	approver := createKey(t, s, "secadmin", auth.RoleSecAdmin, "default")
	approve := func(r reply) actionReply {
		t.Helper()
		a := decodeAction(t, r, http.StatusCreated)
		mustStatus(t, s.as(t, approver, "POST", "/api/v1/security/actions/"+a.ID+"/approve", `{}`), http.StatusOK)
		return s.waitAction(t, a.ID)
	}
	block := approve(s.as(t, responder, "POST", "/api/v1/security/actions", `{"type":"blockIndicator","target":{"indicator":"`+sha+`"},"comment":"dropper"}`))
	if block.Status != "completed" || !strings.Contains(block.Result.Detail, "added to the fleet block list") ||
		!strings.Contains(block.Result.Detail, "1 agent(s) told to sync") {
		t.Fatalf("fleet-wide block: %+v", block)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the running program of a fleet-blocked hash was not stopped")
	}
	waitBlocked(t, dev1, sha, true)
	// The program dies before its file is moved: wait for the quarantine.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err = dev1.Quarantine.Entry(sha); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Errorf("the program's file was not quarantined: %v", err)
	}

	var list struct {
		Value []struct {
			ID, Type, Value, Action, Source, Description string
			Active                                       bool
		}
	}
	r := s.do(t, "GET", "/api/v1/security/tiIndicators?search="+url.QueryEscape(sha), nil, nil)
	mustStatus(t, r, http.StatusOK)
	_ = json.Unmarshal([]byte(r.body), &list)
	if len(list.Value) != 1 || list.Value[0].ID != "vigil-block-"+block.ID || list.Value[0].Action != "block" || !list.Value[0].Active ||
		list.Value[0].Type != "file" || list.Value[0].Source != "Vigil Action Center" || !strings.HasPrefix(list.Value[0].Description, "dropper") {
		t.Errorf("indicator listing: %s", r.body)
	}

	dev2 := startFleetAgent(t, ctx, s) // connects after the block: gets it at start
	waitBlocked(t, dev2, sha, true)

	undo := approve(s.as(t, responder, "POST", "/api/v1/security/actions/"+block.ID+"/undo", `{}`))
	if undo.Status != "completed" || undo.UndoOf != block.ID || !strings.Contains(undo.Result.Detail, "2 agent(s) told to sync") {
		t.Fatalf("undo: %+v", undo)
	}
	waitBlocked(t, dev1, sha, false)
	waitBlocked(t, dev2, sha, false)
}

// startFleetAgent enrolls an agent, connects it, and runs its command handling and fleet
// block list sync while ctx lasts.
func startFleetAgent(t *testing.T, ctx context.Context, s *testServer) *vigilagent.Device {
	t.Helper()
	r := s.do(t, "POST", "/api/v1/agents/enrollmentTokens", []byte(`{"expiresInHours":1}`), nil)
	mustStatus(t, r, http.StatusCreated)
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(r.body), &tok)
	state := t.TempDir()
	id, err := vigilagent.Enroll(ctx, s.url, tok.Token, state, nil)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	nc, err := vigilagent.Connect("nats://"+s.a.bus.AgentAddr(), id, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	dev := &vigilagent.Device{State: &vigilagent.StateFile{Path: filepath.Join(state, "state.json")},
		Quarantine: vigilagent.Quarantine{Dir: filepath.Join(state, "quarantine")}, Servers: []string{"127.0.0.1"}}
	go func() { _ = dev.Serve(ctx, nc, id) }()
	go dev.RunFleetSync(ctx, nc, id)
	return dev
}

// waitBlocked waits up to 10 seconds for dev to block (or not) the hash.
func waitBlocked(t *testing.T, dev *vigilagent.Device, sha string, want bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); dev.Blocked(sha) != want; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			st, _ := dev.State.Load()
			t.Fatalf("hash blocked = %v after 10 s, want %v (state %+v)", !want, want, st)
		}
	}
}

// startUniqueSleep starts a copy of /bin/sleep whose trailing bytes make its hash unique,
// so that blocking it cannot touch another program on the machine.
func startUniqueSleep(t *testing.T) (string, chan error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet-evil")
	in, err := os.Open("/bin/sleep")
	if err != nil {
		t.Skipf("no /bin/sleep: %v", err)
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o700)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(out, "\x00vigil-fleet-test-%d-%d", os.Getpid(), time.Now().UnixNano()); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return path, exited
}

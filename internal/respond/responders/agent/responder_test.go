package agent

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nkeys"

	endpoint "github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// rig is a bus with an agent listener, a state store, and one connected agent (dev1) plus
// one enrolled but not connected (dev2).
type rig struct {
	bus        *bus.Bus
	meta       *meta.Store
	resp       *Responder
	dev1, dev2 meta.Agent
	pkgs       *ObjectPackages
}

func enroll(t *testing.T, ctx context.Context, m *meta.Store, name string) (meta.Agent, string) {
	t.Helper()
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	tok, err := m.CreateEnrollmentToken(ctx, "t1", "", "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.EnrollAgent(ctx, tok.Token, meta.Agent{DeviceName: name, OS: "linux", NKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	return a, string(seed)
}

func newRig(t *testing.T) *rig {
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{StoreDir: t.TempDir(), Agents: &bus.AgentListener{Listen: "127.0.0.1:0"}}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	m, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	r := &rig{bus: b, meta: m}
	var seed1 string
	r.dev1, seed1 = enroll(t, ctx, m, "web1")
	r.dev2, _ = enroll(t, ctx, m, "web2")
	if err := b.SetAgents([]bus.AgentUser{{NKey: r.dev1.NKey, Tenant: "t1", Device: r.dev1.DeviceID}, {NKey: r.dev2.NKey, Tenant: "t1", Device: r.dev2.DeviceID}}); err != nil {
		t.Fatal(err)
	}
	id := endpoint.Identity{Tenant: "t1", DeviceID: r.dev1.DeviceID, Seed: seed1}
	nc, err := endpoint.Connect("nats://"+b.AgentAddr(), id, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	dir := t.TempDir()
	dev := &endpoint.Device{State: &endpoint.StateFile{Path: filepath.Join(dir, "state.json")},
		Quarantine: endpoint.Quarantine{Dir: filepath.Join(dir, "q")}, Servers: []string{"127.0.0.1"},
		Journal: &endpoint.Journal{Path: filepath.Join(dir, "commands.json")}}
	sctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go func() { _ = dev.Serve(sctx, nc, id) }()
	scripts := t.TempDir()
	if err := os.WriteFile(filepath.Join(scripts, "hostinfo.sh"), []byte("echo host=$(uname -s) arg=$1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(scripts, "count.sh"), []byte("echo started >> $1; sleep 1; echo ended >> $1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r.pkgs, err = NewObjectPackages(ctx, b.Conn()); err != nil {
		t.Fatal(err)
	}
	r.resp = &Responder{Conn: b.Conn(), Agents: m, Scripts: scripts, Packages: r.pkgs, Wait: 20 * time.Second}
	waitServing(t, r)
	return r
}

// waitServing waits until the agent answers.
func waitServing(t *testing.T, r *rig) {
	subj, _ := bus.AgentSubject("t1", r.dev1.DeviceID, "cmd")
	for i := 0; i < 100; i++ {
		if _, err := r.bus.Conn().Request(subj, []byte(`{"type":"ping"}`), time.Second); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("agent does not answer")
}

func TestResponderExecute(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	missing := strings.Repeat("0", 64)
	for _, c := range []struct {
		name      string
		a         respond.Action
		wantErr   string
		transient bool
		check     func(t *testing.T, res respond.Result)
	}{
		{"script", respond.Action{Type: respond.RunScript, Target: respond.Target{Device: "web1"},
			Parameters: map[string]any{"script": "hostinfo.sh", "args": []any{"x1"}}}, "", false,
			func(t *testing.T, res respond.Result) {
				if res.Data["stdout"] != "host=Linux arg=x1\n" || res.Data["exitCode"] != float64(0) {
					t.Errorf("script data = %v", res.Data)
				}
			}},
		{"script outside the library", respond.Action{Type: respond.RunScript, Target: respond.Target{Device: "web1"},
			Parameters: map[string]any{"script": "../../etc/passwd"}}, "plain file name", false, nil},
		{"quarantine of a missing file fails with the reason", respond.Action{Type: respond.StopAndQuarantineFile,
			Target: respond.Target{Device: "web1", FileHash: missing}}, "no file or running process", false, nil},
		{"package", respond.Action{ID: "act-pkg", Type: respond.CollectInvestigationPackage, Target: respond.Target{Device: r.dev1.DeviceID}}, "", false,
			func(t *testing.T, res respond.Result) {
				ref, _ := res.Data["package"].(map[string]any)
				if ref["name"] != "t1/act-pkg.tar.gz" {
					t.Fatalf("package ref = %v", res.Data["package"])
				}
				rc, err := r.pkgs.Package(ctx, "t1", "act-pkg")
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				b, _ := io.ReadAll(rc)
				if len(b) != ref["size"] || len(b) < 100 || b[0] != 0x1f || b[1] != 0x8b {
					t.Errorf("downloaded package: %d bytes, ref says %v", len(b), ref["size"])
				}
			}},
		{"block a hash on the device", respond.Action{Type: respond.BlockIndicator, Target: respond.Target{Device: "web1", Indicator: strings.Repeat("ab", 32)}}, "", false,
			func(t *testing.T, res respond.Result) {
				if !strings.HasPrefix(res.Detail, "hash "+strings.Repeat("ab", 32)+" blocked") {
					t.Errorf("block detail = %q", res.Detail)
				}
			}},
		{"unblock it", respond.Action{Type: respond.UnblockIndicator, Target: respond.Target{Device: "web1", Indicator: strings.Repeat("AB", 32)}}, "", false,
			func(t *testing.T, res respond.Result) {
				if res.Detail != "hash "+strings.Repeat("ab", 32)+" unblocked" {
					t.Errorf("unblock detail = %q", res.Detail)
				}
			}},
		{"agent not connected", respond.Action{Type: respond.ReleaseIsolation, Target: respond.Target{Device: "web2"}}, "not connected", true, nil},
		{"no agent", respond.Action{Type: respond.ReleaseIsolation, Target: respond.Target{Device: "nope"}}, "no agent is enrolled", false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.a.Tenant = "t1"
			res, err := r.resp.Execute(ctx, c.a)
			if c.wantErr == "" && err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
			}
			if errors.Is(err, respond.ErrTransient) != c.transient {
				t.Errorf("transient = %v, want %v", errors.Is(err, respond.ErrTransient), c.transient)
			}
			if c.check != nil {
				c.check(t, res)
			}
		})
	}
}

func TestResponderSupportsAction(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for _, c := range []struct {
		a    respond.Action
		want bool
	}{
		{respond.Action{Tenant: "t1", Type: respond.IsolateDevice, Target: respond.Target{Device: "web1"}}, true},
		{respond.Action{Tenant: "t1", Type: respond.IsolateDevice, Target: respond.Target{Device: "laptop9"}}, false},
		{respond.Action{Tenant: "t2", Type: respond.IsolateDevice, Target: respond.Target{Device: "web1"}}, false},
		{respond.Action{Tenant: "t1", Type: respond.BlockIndicator, Target: respond.Target{Indicator: "1.2.3.4"}}, false},
	} {
		if got := r.resp.Supports(c.a.Type) && r.resp.SupportsAction(ctx, c.a); got != c.want {
			t.Errorf("%s %s on %q: supported = %v, want %v", c.a.Tenant, c.a.Type, c.a.Target.Device, got, c.want)
		}
	}
	if r.resp.Supports(respond.DisableAccount) {
		t.Error("the agent responder claims disableAccount")
	}
}

// TestResponderRetryRunsScriptOnce is the dispatcher's retry of a slow script: the first
// request's answer does not come in time (the agent stops the script at the command's
// deadline), so the dispatcher sends the command again; the agent answers the retry with
// the first run's result instead of running the script a second time.
func TestResponderRetryRunsScriptOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	counter := filepath.Join(t.TempDir(), "counter")
	a := respond.Action{ID: "act-retry", Tenant: "t1", Type: respond.RunScript, Target: respond.Target{Device: "web1"},
		Parameters: map[string]any{"script": "count.sh", "args": []any{counter}}}
	impatient := *r.resp
	impatient.Wait = 300 * time.Millisecond
	if _, err := impatient.Execute(ctx, a); err == nil {
		t.Fatal("a script longer than the wait completed")
	}
	time.Sleep(500 * time.Millisecond) // the stopped first run has answered by now
	res, err := r.resp.Execute(ctx, a)
	if err == nil || !strings.Contains(err.Error(), "timed out after") || res.Data["repeated"] != true {
		t.Errorf("retry: %v %v, want the first run's time-out, repeated", res.Data, err)
	}
	time.Sleep(1500 * time.Millisecond) // a second run, had there been one, would have ended
	if b, err := os.ReadFile(counter); err != nil || string(b) != "started\n" {
		t.Errorf("the script's runs: %q %v, want one start", b, err)
	}
}

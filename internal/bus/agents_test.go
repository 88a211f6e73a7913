package bus

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

type testAgent struct {
	user AgentUser
	seed []byte
}

func newTestAgent(t *testing.T, tenant, device string) testAgent {
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	return testAgent{AgentUser{NKey: pub, Tenant: tenant, Device: device}, seed}
}

// connect connects as the agent and returns the connection and its permission errors.
func (a testAgent) connect(t *testing.T, url string) (*nats.Conn, chan error, error) {
	opt, err := nkeyOption(a.seed)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 16)
	nc, err := nats.Connect(url, opt, nats.CustomInboxPrefix(AgentInboxPrefix(a.user.Tenant, a.user.Device)),
		nats.MaxReconnects(0), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	if err == nil {
		t.Cleanup(nc.Close)
	}
	return nc, errs, err
}

func nkeyOption(seed []byte) (nats.Option, error) {
	kp, err := nkeys.FromSeed(seed)
	if err != nil {
		return nil, err
	}
	pub, _ := kp.PublicKey()
	return nats.Nkey(pub, kp.Sign), nil
}

func expectViolation(t *testing.T, errs chan error, what string) {
	t.Helper()
	select {
	case err := <-errs:
		if !errors.Is(err, nats.ErrPermissionViolation) && !strings.Contains(strings.ToLower(err.Error()), "permissions violation") {
			t.Errorf("%s: got error %v, want a permissions violation", what, err)
		}
	case <-time.After(3 * time.Second):
		t.Errorf("%s: no permissions violation", what)
	}
}

func TestAgentListenerPermissions(t *testing.T) {
	ctx := context.Background()
	b, err := Open(ctx, Config{StoreDir: t.TempDir(), Agents: &AgentListener{Listen: "127.0.0.1:0"}}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	url := "nats://" + b.AgentAddr()
	a1, a2 := newTestAgent(t, "t1", "dev1"), newTestAgent(t, "t1", "dev2")
	if _, _, err := a1.connect(t, url); err == nil {
		t.Fatal("an agent that is not enrolled connected")
	}
	if err := b.SetAgents([]AgentUser{a1.user, a2.user}); err != nil {
		t.Fatal(err)
	}
	nc1, _, err := a1.connect(t, url)
	if err != nil {
		t.Fatalf("enrolled agent: %v", err)
	}
	cmd1, _ := AgentSubject("t1", "dev1", "cmd")
	sub, err := nc1.Subscribe(cmd1, func(m *nats.Msg) { _ = m.Respond(append([]byte("done:"), m.Data...)) })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc1.Flush(); err != nil {
		t.Fatal(err)
	}
	// The server reaches the agent and gets its answer.
	reply, err := b.Conn().Request(cmd1, []byte("isolate"), 3*time.Second)
	if err != nil {
		t.Fatalf("request to agent: %v", err)
	}
	if string(reply.Data) != "done:isolate" {
		t.Fatalf("agent answered %q", reply.Data)
	}

	nc2, errs2, err := a2.connect(t, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc2.SubscribeSync(cmd1); err != nil {
		t.Fatal(err)
	}
	_ = nc2.Flush()
	expectViolation(t, errs2, "dev2 subscribing to dev1's commands")
	tel1, _ := AgentSubject("t1", "dev1", "telemetry.DeviceProcessEvents")
	got := make(chan *nats.Msg, 1)
	spy, _ := b.Conn().ChanSubscribe(tel1, got)
	defer spy.Unsubscribe()
	_ = b.Conn().Flush()
	if err := nc2.Publish(tel1, []byte(`{"forged":true}`)); err != nil {
		t.Fatal(err)
	}
	_ = nc2.Flush()
	expectViolation(t, errs2, "dev2 publishing as dev1")
	if _, err := nc2.SubscribeSync("_INBOX.>"); err != nil {
		t.Fatal(err)
	}
	_ = nc2.Flush()
	expectViolation(t, errs2, "dev2 subscribing to every inbox")
	select {
	case m := <-got:
		t.Fatalf("forged telemetry was delivered: %s", m.Data)
	case <-time.After(200 * time.Millisecond):
	}
	// dev2 may publish its own telemetry.
	tel2, _ := AgentSubject("t1", "dev2", "telemetry.DeviceProcessEvents")
	_ = nc2.Publish(tel2, []byte("{}"))
	_ = nc2.Flush()
	select {
	case err := <-errs2:
		t.Errorf("own telemetry refused: %v", err)
	case <-time.After(200 * time.Millisecond):
	}

	// Removing dev2 disconnects it and keeps it out.
	if err := b.SetAgents([]AgentUser{a1.user}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !nc2.IsClosed() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !nc2.IsClosed() {
		t.Error("a removed agent stays connected")
	}
	if _, _, err := a2.connect(t, url); err == nil {
		t.Error("a removed agent connected again")
	}
	if !nc1.IsConnected() {
		t.Error("reload disconnected an agent still enrolled")
	}
}

func TestAgentSubject(t *testing.T) {
	for _, c := range []struct{ tenant, device, want string }{
		{"t1", "d1", "vigil.agent.t1.d1.cmd"},
		{"t.1", "d1", "cannot name"},
		{"t1", "d*", "cannot name"},
		{"t1", "", "cannot name"},
	} {
		s, err := AgentSubject(c.tenant, c.device, "cmd")
		out := s
		if err != nil {
			out = err.Error()
		}
		if !strings.Contains(out, c.want) {
			t.Errorf("AgentSubject(%q, %q) = %q", c.tenant, c.device, out)
		}
	}
}

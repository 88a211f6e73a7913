package agent

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/agent/netnstest"
)

// helperEnv names the role a re-executed test binary plays inside a network namespace.
const helperEnv = "VIGIL_AGENT_HELPER"

// TestHelperProcess is not a test: the netns test runs the test binary inside a namespace
// with helperEnv set to listen, dial, or apply a device action there.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		t.Skip("helper process for TestIsolationNetns")
	}
	arg := os.Getenv(helperEnv + "_ARG")
	dev := &Device{State: &StateFile{Path: os.Getenv(helperEnv + "_STATE")}, Servers: strings.Fields(os.Getenv(helperEnv + "_SERVERS"))}
	var err error
	switch role {
	case "listen":
		err = listen(arg)
	case "dial":
		var c net.Conn
		if c, err = net.DialTimeout("tcp", arg, 700*time.Millisecond); err == nil {
			c.Close()
		}
	case "isolate":
		_, err = dev.Isolate()
	case "release":
		_, err = dev.Release()
	case "block":
		_, err = dev.BlockIndicator(arg)
	case "reapply":
		err = dev.Reapply()
	case "wipe": // what an admin's `nft delete table inet vigil_isolation` does
		err = Firewall{}.Apply(NetState{})
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func listen(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		c.Close()
	}
}

// netnsLab is three network namespaces: agent, linked by veth pairs to server and third.
type netnsLab struct {
	t                    *testing.T
	agent, server, third string
	state                string
}

const (
	labAgentToServer = "10.231.1.1"
	labServer        = "10.231.1.2"
	labAgentToThird  = "10.231.2.1"
	labThird         = "10.231.2.2"
	labPort          = "7422"
)

func requireNetns(t *testing.T) { netnstest.Require(t, nil) }

func newNetnsLab(t *testing.T) *netnsLab {
	requireNetns(t)
	p := os.Getpid() % 100000
	l := &netnsLab{t: t, agent: fmt.Sprintf("va%d", p), server: fmt.Sprintf("vs%d", p), third: fmt.Sprintf("vt%d", p),
		state: filepath.Join(t.TempDir(), "state.json")}
	t.Cleanup(func() {
		for _, ns := range []string{l.agent, l.server, l.third} {
			_ = exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	for _, ns := range []string{l.agent, l.server, l.third} {
		l.ip("netns", "add", ns)
		l.ip("-n", ns, "link", "set", "lo", "up")
	}
	l.link("s", l.server, labAgentToServer, labServer)
	l.link("t", l.third, labAgentToThird, labThird)
	for _, ns := range []string{l.server, l.third} {
		cmd := l.helper(ns, "listen", "0.0.0.0:"+labPort)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	return l
}

func (l *netnsLab) ip(args ...string) {
	l.t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		l.t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// link joins the agent namespace to peer with a veth pair and addresses in a /24.
func (l *netnsLab) link(tag, peer, agentAddr, peerAddr string) {
	a, b := fmt.Sprintf("vga%s%d", tag, os.Getpid()%10000), fmt.Sprintf("vgp%s%d", tag, os.Getpid()%10000)
	l.ip("link", "add", a, "netns", l.agent, "type", "veth", "peer", "name", b, "netns", peer)
	l.ip("-n", l.agent, "addr", "add", agentAddr+"/24", "dev", a)
	l.ip("-n", peer, "addr", "add", peerAddr+"/24", "dev", b)
	l.ip("-n", l.agent, "link", "set", a, "up")
	l.ip("-n", peer, "link", "set", b, "up")
}

func (l *netnsLab) helper(ns, role, arg string) *exec.Cmd {
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role, helperEnv+"_ARG="+arg, helperEnv+"_STATE="+l.state,
		helperEnv+"_SERVERS="+labServer+":"+labPort)
	return cmd
}

// inAgent runs a helper role in the agent namespace and returns its error output when it
// fails.
func (l *netnsLab) inAgent(role, arg string) error {
	out, err := l.helper(l.agent, role, arg).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", role, arg, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// expect checks which of server and third the agent reaches.
func (l *netnsLab) expect(step string, server, third bool) {
	l.t.Helper()
	for _, c := range []struct {
		addr string
		want bool
	}{{labServer, server}, {labThird, third}} {
		err := l.inAgent("dial", c.addr+":"+labPort)
		if (err == nil) != c.want {
			l.t.Errorf("%s: agent -> %s connects=%v, want %v (%v)", step, c.addr, err == nil, c.want, err)
		}
	}
}

func TestIsolationNetns(t *testing.T) {
	l := newNetnsLab(t)
	waitListening(t, l)
	l.expect("before isolation", true, true)
	for _, step := range []struct {
		name, role, arg string
		server, third   bool
	}{
		{"isolate", "isolate", "", true, false},
		{"isolate again (idempotent)", "isolate", "", true, false},
		{"table deleted by hand", "wipe", "", true, true},
		{"agent restarted", "reapply", "", true, false},
		{"release", "release", "", true, true},
		{"release again (idempotent)", "release", "", true, true},
		{"block third's address", "block", labThird, true, false},
		{"isolate while blocking", "isolate", "", true, false},
		{"release keeps the block", "release", "", true, false},
	} {
		if err := l.inAgent(step.role, step.arg); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		l.expect(step.name, step.server, step.third)
	}
	if err := l.inAgent("block", labServer); err == nil || !strings.Contains(err.Error(), "Vigil server") {
		t.Errorf("blocking the server's address: err = %v, want a refusal", err)
	}
}

// waitListening waits for the listeners of the lab to accept.
func waitListening(t *testing.T, l *netnsLab) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, addr := range []string{labServer, labThird} {
		for l.inAgent("dial", addr+":"+labPort) != nil {
			if time.Now().After(deadline) {
				t.Fatalf("listener at %s did not start", addr)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

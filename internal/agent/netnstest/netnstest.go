// Package netnstest is for tests that build network namespaces (ip netns, veth pairs): it
// checks the machine can, and skips the test when it cannot, or fails it under CI=true,
// where .ci/run provides root and iproute2.
package netnstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Require skips t (fails it under CI=true) unless this process is root, ip is installed and
// a network namespace can be made. probe, when not nil, is then run on a fresh namespace's
// path (/run/netns/NAME), e.g. to check nftables works inside one; its error skips too.
func Require(t testing.TB, probe func(nsPath string) error) {
	t.Helper()
	skip := func(why string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("network-namespace test cannot run under CI=true: %s", why)
		}
		t.Skip(why)
	}
	if os.Geteuid() != 0 {
		skip("needs root to create network namespaces and nftables tables")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		skip("needs ip from iproute2")
	}
	name := fmt.Sprintf("vigilprobe%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil { //nolint:gosec // a name made of this process's pid
		skip("no network namespace support: " + strings.TrimSpace(string(out)))
	}
	defer func() { _ = exec.Command("ip", "netns", "del", name).Run() }() //nolint:gosec // the same name
	if probe != nil {
		if err := probe(filepath.Join("/run/netns", name)); err != nil {
			skip(err.Error())
		}
	}
}

package agent

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestDevice(t *testing.T) *Device {
	dir := t.TempDir()
	return &Device{State: &StateFile{Path: filepath.Join(dir, "state.json")}, Quarantine: Quarantine{Dir: filepath.Join(dir, "quarantine")}}
}

// startSleepCopy copies /bin/sleep (made unique) into a temp directory and starts it.
func startSleepCopy(t *testing.T) (path string, cmd *exec.Cmd, exited chan error) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "evil-sleep")
	in, err := os.Open("/bin/sleep")
	if err != nil {
		t.Skipf("no /bin/sleep: %v", err)
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o751)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	// Trailing bytes make the copy's hash unique, so that stopping "every process with this
	// hash" cannot touch a real sleep running elsewhere on the machine.
	if _, err := fmt.Fprintf(out, "\x00vigil-test-%d-%d", os.Getpid(), time.Now().UnixNano()); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(path, "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return path, cmd, exited
}

func TestStopAndQuarantine(t *testing.T) {
	for _, by := range []string{"hash", "path"} {
		t.Run(by, func(t *testing.T) {
			d := newTestDevice(t)
			path, _, exited := startSleepCopy(t)
			sha, err := HashFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var res StopResult
			if by == "hash" {
				res, err = d.StopAndQuarantine(sha, "")
			} else {
				res, err = d.StopAndQuarantine("", path)
			}
			if err != nil {
				t.Fatalf("StopAndQuarantine: %v", err)
			}
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				t.Fatal("the process still runs after StopAndQuarantine")
			}
			if len(res.Killed) != 1 || res.Quarantined == nil || res.Quarantined.OriginalPath != path {
				t.Fatalf("result = %+v, want one process killed and %s quarantined", res, path)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s still exists: %v", path, err)
			}
			assertMode(t, d.Quarantine.Dir, 0o700)
			assertMode(t, d.Quarantine.Path(sha), 0o600)
			assertMode(t, d.Quarantine.Path(sha)+".json", 0o600)
			if got, _ := HashFile(d.Quarantine.Path(sha)); got != sha {
				t.Errorf("quarantined file hash = %s, want %s", got, sha)
			}
			if _, err := d.RestoreFile(sha); err != nil {
				t.Fatalf("RestoreFile: %v", err)
			}
			assertMode(t, path, 0o751)
			if _, err := os.Stat(d.Quarantine.Path(sha)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("restored file still in quarantine: %v", err)
			}
			if _, err := d.RestoreFile(sha); !errors.Is(err, ErrNotQuarantined) {
				t.Errorf("second restore: err = %v, want ErrNotQuarantined", err)
			}
		})
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s mode = %v, want %v", path, fi.Mode().Perm(), want)
	}
}

func TestBlockHashStopsRunningProcess(t *testing.T) {
	d := newTestDevice(t)
	path, _, exited := startSleepCopy(t)
	sha, _ := HashFile(path)
	detail, err := d.BlockIndicator(strings.ToUpper(sha))
	if err != nil {
		t.Fatalf("BlockIndicator: %v", err)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the process still runs after its hash was blocked")
	}
	if !d.Blocked(sha) || !strings.Contains(detail, "1 process(es) stopped") {
		t.Errorf("blocked=%v detail=%q", d.Blocked(sha), detail)
	}
}

// TestDeviceFailures checks that actions that cannot be carried out fail with the reason.
func TestDeviceFailures(t *testing.T) {
	notNetns, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer notNetns.Close()
	missing := "0000000000000000000000000000000000000000000000000000000000000000"
	for _, c := range []struct {
		name string
		run  func(d *Device) (string, error)
		want string
	}{
		{"isolate without nftables", func(d *Device) (string, error) {
			d.Firewall.NetNSFd = int(notNetns.Fd())
			return d.Isolate()
		}, "nftables unavailable"},
		{"isolate without a server address", func(d *Device) (string, error) { d.Servers = nil; return d.Isolate() }, "no server address"},
		{"quarantine a missing hash", func(d *Device) (string, error) {
			r, err := d.StopAndQuarantine(missing, "")
			return r.Detail(), err
		}, "no file or running process"},
		{"quarantine a missing file", func(d *Device) (string, error) {
			r, err := d.StopAndQuarantine("", "/nonexistent/evil")
			return r.Detail(), err
		}, "no such file"},
		{"quarantine with a bad hash", func(d *Device) (string, error) {
			r, err := d.StopAndQuarantine("xyz", "")
			return r.Detail(), err
		}, "not a SHA-256"},
		{"restore what is not quarantined", func(d *Device) (string, error) { return d.RestoreFile(missing) }, "not in quarantine"},
		{"block a malformed indicator", func(d *Device) (string, error) { return d.BlockIndicator("evil.example") }, "not an IP address or a SHA-256"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := newTestDevice(t)
			d.Servers = []string{"192.0.2.10:4222"}
			_, err := c.run(d)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
			st, _ := d.State.Load()
			if st.Net.Isolated {
				t.Error("a failed isolation was saved in the state")
			}
		})
	}
}

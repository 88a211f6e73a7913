package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Device carries response actions out on this device. Its methods are safe for
// concurrent use; each returns a sentence for people saying what it did, or an error
// saying why it failed.
type Device struct {
	// State keeps what the agent changed, for restarts.
	State *StateFile
	// Firewall applies isolation and blocked addresses.
	Firewall Firewall
	// Quarantine keeps quarantined files.
	Quarantine Quarantine
	// Servers are the endpoints ("ip:port", or "ip") of the Vigil server that stay
	// reachable while the device is isolated.
	Servers []string
	// ProcDir is where processes are listed (default /proc).
	ProcDir string
	// Log receives what the device does on its own (the hash block enforcement).
	Log *slog.Logger
	// BufferDir, when set, is where telemetry waits on disk for the server (see Buffer);
	// otherwise it waits in memory.
	BufferDir string
	// Journal, when set, remembers the replies to commands so that one sent again is not
	// carried out twice (see Journal).
	Journal *Journal
	// Collect configures the telemetry collectors other than processes (network,
	// files, logons, software inventory).
	Collect CollectConfig

	hashes HashCache
	fleet  fleetKick // asks RunFleetSync to sync at once
}

func (d *Device) procDir() string {
	if d.ProcDir == "" {
		return "/proc"
	}
	return d.ProcDir
}

// Reapply applies the saved network state again: a restarted agent calls it first, so a
// host stays isolated and its blocks stay in force.
func (d *Device) Reapply() error {
	st, err := d.State.Load()
	if err != nil {
		return err
	}
	return d.Firewall.Apply(st.Net)
}

// changeNet changes the network state and applies it; when applying fails, the saved
// state goes back to what it was and the table is re-applied from it.
func (d *Device) changeNet(change func(*NetState) error) (before, after NetState, err error) {
	b, a, err := d.State.Update(func(s *State) error { return change(&s.Net) })
	if err != nil {
		return b.Net, b.Net, err
	}
	if err := d.Firewall.Apply(a.Net); err != nil {
		if _, _, rerr := d.State.Update(func(s *State) error { s.Net = b.Net; return nil }); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return b.Net, b.Net, err
	}
	return b.Net, a.Net, nil
}

// Isolate drops all traffic but loopback, established connections and the server's.
func (d *Device) Isolate() (string, error) {
	if len(d.Servers) == 0 {
		return "", errors.New("no server address is known: isolating would cut the agent off")
	}
	if _, err := parseEndpoints(d.Servers); err != nil {
		return "", err
	}
	before, _, err := d.changeNet(func(n *NetState) error {
		n.Isolated, n.Allow = true, slices.Clone(d.Servers)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("isolate: %w", err)
	}
	detail := "device isolated: only " + strings.Join(d.Servers, ", ") + " reachable"
	if before.Isolated {
		detail += " (it was isolated already)"
	}
	return detail, nil
}

// Release ends isolation; blocked addresses stay blocked.
func (d *Device) Release() (string, error) {
	before, after, err := d.changeNet(func(n *NetState) error {
		n.Isolated, n.Allow = false, nil
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("release: %w", err)
	}
	detail := "device released from isolation"
	if !before.Isolated {
		detail += " (it was not isolated)"
	}
	if len(after.BlockedIPs) > 0 {
		detail += fmt.Sprintf("; %d blocked address(es) stay blocked", len(after.BlockedIPs))
	}
	return detail, nil
}

// BlockIndicator blocks an IP address (dropped to and from) or a SHA-256 file hash
// (running processes are stopped and their file quarantined now; the sensor does the same
// to processes that start later).
func (d *Device) BlockIndicator(ind string) (string, error) {
	ind = strings.TrimSpace(ind)
	if a, err := netip.ParseAddr(ind); err == nil {
		if d.isServer(a) {
			return "", fmt.Errorf("block %s: it is the Vigil server's address", a)
		}
		_, _, err := d.changeNet(func(n *NetState) error {
			n.BlockedIPs = addUnique(n.BlockedIPs, a.Unmap().String())
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("block %s: %w", a, err)
		}
		// A block the device is sent stays when the fleet list drops the address.
		if _, _, err := d.State.Update(func(s *State) error {
			s.FleetBlocked = without(s.FleetBlocked, a.Unmap().String())
			return nil
		}); err != nil {
			return "", fmt.Errorf("block %s: %w", a, err)
		}
		return fmt.Sprintf("address %s blocked in and out", a), nil
	}
	h := strings.ToLower(ind)
	if !validHash(h) {
		return "", fmt.Errorf("block %q: not an IP address or a SHA-256 hash", ind)
	}
	if _, _, err := d.State.Update(func(s *State) error {
		s.BlockedHashes = addUnique(s.BlockedHashes, h)
		s.FleetBlocked = without(s.FleetBlocked, h)
		return nil
	}); err != nil {
		return "", fmt.Errorf("block %s: %w", h, err)
	}
	res, err := d.stopAndQuarantine(h, "", false)
	if err != nil {
		return "", fmt.Errorf("hash %s blocked, but stopping its processes failed: %w", h, err)
	}
	return fmt.Sprintf("hash %s blocked; %s", h, res.Detail()), nil
}

func (d *Device) isServer(a netip.Addr) bool {
	eps, _ := parseEndpoints(d.Servers)
	for _, ep := range eps {
		if ep.Addr().Unmap() == a.Unmap() {
			return true
		}
	}
	return false
}

// Blocked reports whether the hash h is blocked.
func (d *Device) Blocked(h string) bool {
	st, err := d.State.Load()
	return err == nil && slices.Contains(st.BlockedHashes, h)
}

// StopResult is what stopAndQuarantine did.
type StopResult struct {
	SHA256      string
	Killed      []int
	Quarantined *QuarantineEntry
}

// Detail says what was done, for people.
func (r StopResult) Detail() string {
	s := fmt.Sprintf("%d process(es) stopped", len(r.Killed))
	if r.Quarantined != nil {
		s += "; " + r.Quarantined.OriginalPath + " quarantined"
	}
	return s
}

// StopAndQuarantine kills every process whose executable has the SHA-256 sha (or, when
// sha is empty, is the file at path) and moves the file into the quarantine. The action
// fails when no such file or process is found.
func (d *Device) StopAndQuarantine(sha, path string) (StopResult, error) {
	return d.stopAndQuarantine(strings.ToLower(sha), path, true)
}

func (d *Device) stopAndQuarantine(sha, path string, mustFind bool) (StopResult, error) {
	if sha != "" && !validHash(sha) {
		return StopResult{}, fmt.Errorf("%q is not a SHA-256 hash", sha)
	}
	if path != "" {
		h, err := HashFile(path)
		switch {
		case err == nil && sha != "" && h != sha:
			return StopResult{}, fmt.Errorf("%s has SHA-256 %s, not %s", path, h, sha)
		case err == nil:
			sha = h
		case sha == "":
			return StopResult{}, fmt.Errorf("file %s: %w", path, err)
		default:
			path = "" // gone from there; look for it by its hash
		}
	}
	if sha == "" {
		return StopResult{}, errors.New("the action needs a file hash or a file path")
	}
	res := StopResult{SHA256: sha}
	procs, err := Processes(d.procDir())
	if err != nil {
		return res, err
	}
	for _, p := range procs {
		h, err := d.hashes.Hash(filepath.Join(d.procDir(), fmt.Sprint(p.PID), "exe"))
		if err != nil || h != sha || p.PID == os.Getpid() {
			continue
		}
		if err := syscall.Kill(p.PID, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return res, fmt.Errorf("kill process %d (%s): %w", p.PID, p.Exe, err)
		}
		res.Killed = append(res.Killed, p.PID)
		if path == "" {
			path = p.Exe
		}
	}
	d.waitGone(res.Killed)
	if path == "" {
		if e, err := d.Quarantine.Entry(sha); err == nil {
			res.Quarantined = &e
			return res, nil
		}
		if mustFind && len(res.Killed) == 0 {
			return res, fmt.Errorf("no file or running process with SHA-256 %s found on the device", sha)
		}
		return res, nil
	}
	e, err := d.Quarantine.Put(path, sha)
	if err != nil {
		return res, err
	}
	res.Quarantined = &e
	return res, nil
}

// waitGone waits up to 5 seconds for the killed processes to go (or become zombies).
func (d *Device) waitGone(pids []int) {
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) {
			b, err := os.ReadFile(filepath.Join(d.procDir(), fmt.Sprint(pid), "stat"))
			if err != nil || procState(b) == 'Z' {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// procState returns the state letter of a /proc/<pid>/stat line.
func procState(stat []byte) byte {
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return 0
	}
	return s[i+2]
}

// RestoreFile puts a quarantined file back with its mode and owner. A blocked hash is
// unblocked first, so that the sensor does not quarantine it again.
func (d *Device) RestoreFile(sha string) (string, error) {
	sha = strings.ToLower(sha)
	if !validHash(sha) {
		return "", fmt.Errorf("%q is not a SHA-256 hash", sha)
	}
	if _, _, err := d.State.Update(func(s *State) error {
		s.BlockedHashes = slices.DeleteFunc(s.BlockedHashes, func(h string) bool { return h == sha })
		return nil
	}); err != nil {
		return "", err
	}
	e, err := d.Quarantine.Restore(sha)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s restored with mode %s", e.OriginalPath, e.Mode), nil
}

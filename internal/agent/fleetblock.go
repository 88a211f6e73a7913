package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vigilsec/vigil/internal/bus"
)

// FleetSyncInterval is how often the agent asks the server for the fleet block list; the
// server also tells it to ask at once (CmdSyncBlocklist) when the list changes.
const FleetSyncInterval = time.Minute

// fleetRequestTimeout bounds one request for the list.
const fleetRequestTimeout = 15 * time.Second

// BlocklistSubjectKind is the kind of the subject (vigil.agent.<tenant>.<device>.blocklist)
// an agent requests its tenant's fleet block list on.
const BlocklistSubjectKind = "blocklist"

// Blocklist is the server's answer to a block list request: the tenant's active block
// indicators, newest first.
type Blocklist struct {
	Indicators []BlocklistEntry `json:"indicators"`
	// Truncated is set when the list was cut; the agent then keeps the blocks it has.
	Truncated bool `json:"truncated,omitempty"`
	// Error says why the server could not read the list; the agent then changes nothing.
	Error string `json:"error,omitempty"`
}

// BlocklistEntry is one indicator of the fleet block list.
type BlocklistEntry struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"` // sha256, sha1, md5, ip, url, domain
	Value string `json:"value"`
}

// FleetSyncResult is what applying a block list did.
type FleetSyncResult struct {
	// Blocked and Unblocked are the hashes and addresses newly blocked and unblocked.
	Blocked, Unblocked []string
	// NotEnforced are the listed values this agent does not enforce, with the reason.
	NotEnforced map[string]string
	// Errors are the failures to stop a newly blocked hash's processes.
	Errors []string
}

// fleetKick is the signal to sync at once.
type fleetKick struct {
	once sync.Once
	ch   chan struct{}
}

func (k *fleetKick) c() chan struct{} {
	k.once.Do(func() { k.ch = make(chan struct{}, 1) })
	return k.ch
}

// kickFleet asks the running RunFleetSync to sync at once.
func (d *Device) kickFleet() {
	select {
	case d.fleet.c() <- struct{}{}:
	default: // a sync is asked for already
	}
}

// RunFleetSync keeps the device's blocks in step with the tenant's fleet block list until
// ctx ends: at once, every FleetSyncInterval, and whenever the server says the list
// changed. A failed sync changes nothing and is logged.
func (d *Device) RunFleetSync(ctx context.Context, nc *nats.Conn, id Identity) {
	t := time.NewTicker(FleetSyncInterval)
	defer t.Stop()
	for {
		res, err := d.SyncBlocklist(ctx, nc, id)
		switch {
		case err != nil && ctx.Err() == nil && d.Log != nil:
			d.Log.Warn("fleet block list not synced; the blocks stay as they are", "err", err)
		case err == nil && d.Log != nil && (len(res.Blocked) > 0 || len(res.Unblocked) > 0 || len(res.Errors) > 0):
			d.Log.Info("fleet block list synced", "blocked", res.Blocked, "unblocked", res.Unblocked,
				"notEnforced", len(res.NotEnforced), "errors", res.Errors)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.fleet.c():
		}
	}
}

// SyncBlocklist asks the server for the fleet block list and applies it.
func (d *Device) SyncBlocklist(ctx context.Context, nc *nats.Conn, id Identity) (FleetSyncResult, error) {
	subj, err := bus.AgentSubject(id.Tenant, id.DeviceID, BlocklistSubjectKind)
	if err != nil {
		return FleetSyncResult{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, fleetRequestTimeout)
	defer cancel()
	msg, err := nc.RequestWithContext(rctx, subj, nil)
	if err != nil {
		return FleetSyncResult{}, fmt.Errorf("request the fleet block list: %w", err)
	}
	var list Blocklist
	if err := json.Unmarshal(msg.Data, &list); err != nil {
		return FleetSyncResult{}, fmt.Errorf("malformed fleet block list: %w", err)
	}
	if list.Error != "" {
		return FleetSyncResult{}, fmt.Errorf("the server could not read the fleet block list: %s", list.Error)
	}
	return d.ApplyBlocklist(list)
}

// ApplyBlocklist makes the device's fleet blocks match list: it blocks the SHA-256 hashes
// and IP addresses listed that are not blocked yet (stopping the hashes' running processes
// and quarantining their files) and unblocks those it blocked because of the list that
// left it. Blocks the device was sent itself stay. Other kinds of indicator, and the
// server's own addresses, are reported as not enforced. A truncated list only adds.
// Hashes are applied first: a device whose firewall cannot be changed still blocks them.
func (d *Device) ApplyBlocklist(list Blocklist) (FleetSyncResult, error) {
	want, res := d.fleetWant(list)
	add, remove, err := d.syncFleet(want, list.Truncated, false)
	if err != nil {
		return res, fmt.Errorf("apply the fleet block list: %w", err)
	}
	res.Blocked, res.Unblocked = add, remove
	for _, v := range add {
		if _, err := d.stopAndQuarantine(v, "", false); err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("hash %s blocked, but stopping its processes failed: %v", v, err))
		}
	}
	add, remove, err = d.syncFleet(want, list.Truncated, true)
	if err != nil {
		return res, fmt.Errorf("block the addresses of the fleet block list: %w", err)
	}
	res.Blocked, res.Unblocked = append(res.Blocked, add...), append(res.Unblocked, remove...)
	return res, nil
}

// syncFleet applies the hash part (addresses false) or the address part of the fleet
// block list, adding only when keep is set, and returns what it blocked and unblocked.
func (d *Device) syncFleet(want map[string]bool, keep, addresses bool) (add, remove []string, err error) {
	part := func(v string) bool { return validHash(v) != addresses }
	change := func(s *State) error {
		add, remove = planFleet(*s, want)
		add, remove = slices.DeleteFunc(add, func(v string) bool { return !part(v) }), slices.DeleteFunc(remove, func(v string) bool { return !part(v) })
		if keep {
			remove = nil
		}
		applyFleet(s, add, remove)
		return nil
	}
	if addresses {
		_, _, err = d.changeBlocks(change)
	} else {
		_, _, err = d.State.Update(change)
	}
	return add, remove, err
}

// fleetWant returns the values of list this agent enforces, and the result listing the
// others with the reason.
func (d *Device) fleetWant(list Blocklist) (map[string]bool, FleetSyncResult) {
	want := map[string]bool{}
	res := FleetSyncResult{NotEnforced: map[string]string{}}
	for _, e := range list.Indicators {
		switch e.Kind {
		case "sha256":
			if h := strings.ToLower(strings.TrimSpace(e.Value)); validHash(h) {
				want[h] = true
			} else {
				res.NotEnforced[e.Value] = "not a SHA-256 hash"
			}
		case "ip":
			a, err := netip.ParseAddr(strings.TrimSpace(e.Value))
			switch {
			case err != nil:
				res.NotEnforced[e.Value] = "not an IP address"
			case d.isServer(a):
				res.NotEnforced[e.Value] = "it is the Vigil server's address"
			default:
				want[a.Unmap().String()] = true
			}
		default:
			res.NotEnforced[e.Value] = "the Linux agent does not enforce " + e.Kind + " indicators"
		}
	}
	return want, res
}

// planFleet returns the values to block (wanted, not blocked yet) and to unblock (blocked
// only because of the fleet list, no longer wanted), each sorted.
func planFleet(st State, want map[string]bool) (add, remove []string) {
	for v := range want {
		if !slices.Contains(st.BlockedHashes, v) && !slices.Contains(st.Net.BlockedIPs, v) {
			add = append(add, v)
		}
	}
	for _, v := range st.FleetBlocked {
		if !want[v] {
			remove = append(remove, v)
		}
	}
	slices.Sort(add)
	slices.Sort(remove)
	return add, remove
}

// applyFleet blocks add and unblocks remove in s, flagging the values added as fleet
// blocks.
func applyFleet(s *State, add, remove []string) {
	for _, v := range add {
		if validHash(v) {
			s.BlockedHashes = addUnique(s.BlockedHashes, v)
		} else {
			s.Net.BlockedIPs = addUnique(s.Net.BlockedIPs, v)
		}
		s.FleetBlocked = addUnique(s.FleetBlocked, v)
	}
	for _, v := range remove {
		s.BlockedHashes = without(s.BlockedHashes, v)
		s.Net.BlockedIPs = without(s.Net.BlockedIPs, v)
		s.FleetBlocked = without(s.FleetBlocked, v)
	}
}

// without returns list without v.
func without(list []string, v string) []string {
	return slices.DeleteFunc(list, func(x string) bool { return x == v })
}

// changeBlocks changes the state and, when its network part changed, applies it; when
// applying fails, the network part and the fleet flags go back to what they were.
func (d *Device) changeBlocks(change func(*State) error) (before, after State, err error) {
	b, a, err := d.State.Update(change)
	if err != nil || netEqual(b.Net, a.Net) {
		return b, a, err
	}
	if err := d.Firewall.Apply(a.Net); err != nil {
		if _, _, rerr := d.State.Update(func(s *State) error {
			s.Net, s.FleetBlocked = b.Net, b.FleetBlocked
			return nil
		}); rerr != nil {
			err = errors.Join(err, rerr)
		}
		_ = d.Firewall.Apply(b.Net)
		return b, b, err
	}
	return b, a, nil
}

func netEqual(a, b NetState) bool {
	return a.Isolated == b.Isolated && slices.Equal(a.Allow, b.Allow) && slices.Equal(a.BlockedIPs, b.BlockedIPs)
}

// UnblockIndicator ends the block of an IP address or a SHA-256 file hash, whether the
// device was sent it or the fleet block list holds it (a value still on the fleet list is
// blocked again at the next sync). A quarantined file stays in quarantine: restoreFile
// puts it back.
func (d *Device) UnblockIndicator(ind string) (string, error) {
	ind = strings.TrimSpace(ind)
	v := strings.ToLower(ind)
	if a, err := netip.ParseAddr(ind); err == nil {
		v = a.Unmap().String()
	} else if !validHash(v) {
		return "", fmt.Errorf("unblock %q: not an IP address or a SHA-256 hash", ind)
	}
	before, _, err := d.changeBlocks(func(s *State) error {
		s.BlockedHashes, s.Net.BlockedIPs = without(s.BlockedHashes, v), without(s.Net.BlockedIPs, v)
		s.FleetBlocked = without(s.FleetBlocked, v)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("unblock %s: %w", v, err)
	}
	what := "hash"
	if !validHash(v) {
		what = "address"
	}
	detail := fmt.Sprintf("%s %s unblocked", what, v)
	switch {
	case !slices.Contains(before.BlockedHashes, v) && !slices.Contains(before.Net.BlockedIPs, v):
		detail += " (it was not blocked)"
	case slices.Contains(before.FleetBlocked, v):
		detail += "; it was on the fleet block list, which blocks it again at the next sync while it holds it"
	}
	return detail, nil
}

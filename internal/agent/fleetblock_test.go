package agent

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/nftables"
)

func TestPlanFleet(t *testing.T) {
	h1, h2, h3 := strings.Repeat("a1", 32), strings.Repeat("b2", 32), strings.Repeat("c3", 32)
	for _, c := range []struct {
		name         string
		st           State
		want         []string
		add, remove  []string
		blocked, net []string // after applying
		fleet        []string
	}{
		{name: "empty list, nothing blocked", st: State{}},
		{name: "new hash and address", st: State{}, want: []string{h1, "203.0.113.9"},
			add: []string{"203.0.113.9", h1}, blocked: []string{h1}, net: []string{"203.0.113.9"}, fleet: []string{"203.0.113.9", h1}},
		{name: "already fleet-blocked: nothing to do",
			st:   State{BlockedHashes: []string{h1}, FleetBlocked: []string{h1}},
			want: []string{h1}, blocked: []string{h1}, fleet: []string{h1}},
		{name: "blocked on the device itself: not flagged",
			st:   State{BlockedHashes: []string{h2}},
			want: []string{h2}, blocked: []string{h2}},
		{name: "left the list: unblocked; a device block stays",
			st:     State{BlockedHashes: []string{h1, h2}, Net: NetState{BlockedIPs: []string{"203.0.113.9"}}, FleetBlocked: []string{h1, "203.0.113.9"}},
			want:   []string{h3},
			add:    []string{h3},
			remove: []string{"203.0.113.9", h1}, blocked: []string{h2, h3}, fleet: []string{h3}},
		{name: "flagged but unblocked (restoreFile): blocked again",
			st:   State{FleetBlocked: []string{h1}},
			want: []string{h1}, add: []string{h1}, blocked: []string{h1}, fleet: []string{h1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := map[string]bool{}
			for _, v := range c.want {
				want[v] = true
			}
			add, remove := planFleet(c.st, want)
			if !slices.Equal(add, c.add) || !slices.Equal(remove, c.remove) {
				t.Errorf("plan = +%v -%v, want +%v -%v", add, remove, c.add, c.remove)
			}
			s := c.st.clone()
			applyFleet(&s, add, remove)
			if !slices.Equal(s.BlockedHashes, c.blocked) || !slices.Equal(s.Net.BlockedIPs, c.net) || !slices.Equal(s.FleetBlocked, c.fleet) {
				t.Errorf("after = hashes %v ips %v fleet %v, want %v %v %v", s.BlockedHashes, s.Net.BlockedIPs, s.FleetBlocked, c.blocked, c.net, c.fleet)
			}
		})
	}
}

// TestApplyBlocklistHashes applies fleet block lists to a device: a listed hash's running
// process is stopped and its file quarantined, a hash the device blocked itself stays when
// the list drops it, kinds the agent cannot enforce are reported, and a truncated list
// only adds.
func TestApplyBlocklistHashes(t *testing.T) {
	d := newTestDevice(t)
	d.Servers = []string{"192.0.2.10:4222"}
	path, _, exited := startSleepCopy(t)
	sha, _ := HashFile(path)
	own := strings.Repeat("d4", 32)
	if _, err := d.BlockIndicator(own); err != nil {
		t.Fatal(err)
	}
	list := Blocklist{Indicators: []BlocklistEntry{
		{ID: "i1", Kind: "sha256", Value: strings.ToUpper(sha)}, {ID: "i2", Kind: "sha256", Value: own},
		{ID: "i3", Kind: "url", Value: "http://evil.example/x"}, {ID: "i4", Kind: "ip", Value: "192.0.2.10"},
		{ID: "i5", Kind: "md5", Value: strings.Repeat("e5", 16)},
	}}
	res, err := d.ApplyBlocklist(list)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("a process of a hash on the fleet block list still runs")
	}
	if _, err := d.Quarantine.Entry(sha); err != nil {
		t.Errorf("the file of a fleet-blocked hash is not quarantined: %v", err)
	}
	wantNot := map[string]string{"http://evil.example/x": "the Linux agent does not enforce url indicators",
		"192.0.2.10": "it is the Vigil server's address", strings.Repeat("e5", 16): "the Linux agent does not enforce md5 indicators"}
	if !slices.Equal(res.Blocked, []string{sha}) || len(res.Unblocked) != 0 || fmt.Sprint(res.NotEnforced) != fmt.Sprint(wantNot) || len(res.Errors) != 0 {
		t.Errorf("result = %+v", res)
	}
	st, _ := d.State.Load()
	if !d.Blocked(sha) || !d.Blocked(own) || !slices.Equal(st.FleetBlocked, []string{sha}) {
		t.Errorf("state = %+v", st)
	}

	other := strings.Repeat("f6", 32)
	if res, err = d.ApplyBlocklist(Blocklist{Indicators: []BlocklistEntry{{ID: "i6", Kind: "sha256", Value: other}}, Truncated: true}); err != nil ||
		!slices.Equal(res.Blocked, []string{other}) || len(res.Unblocked) != 0 {
		t.Errorf("truncated list: %+v %v, want an addition only", res, err)
	}
	if res, err = d.ApplyBlocklist(Blocklist{}); err != nil || !slices.Equal(res.Unblocked, []string{sha, other}) {
		t.Errorf("empty list: %+v %v", res, err)
	}
	if d.Blocked(sha) || d.Blocked(other) || !d.Blocked(own) {
		st, _ := d.State.Load()
		t.Errorf("after the list emptied: %+v, want only the device's own block", st)
	}
}

// TestBlockIndicatorTakesOverFleetBlock: a hash the device is sent itself stays blocked
// when the fleet list drops it, and UnblockIndicator lifts either kind of block.
func TestBlockIndicatorTakesOverFleetBlock(t *testing.T) {
	d := newTestDevice(t)
	h := strings.Repeat("a7", 32)
	if _, err := d.ApplyBlocklist(Blocklist{Indicators: []BlocklistEntry{{Kind: "sha256", Value: h}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.BlockIndicator(h); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ApplyBlocklist(Blocklist{}); err != nil || !d.Blocked(h) {
		t.Fatalf("a hash the device was sent was unblocked with the fleet list: %v", err)
	}
	for _, c := range []struct{ ind, want string }{
		{strings.ToUpper(h), "hash " + h + " unblocked"},
		{h, "hash " + h + " unblocked (it was not blocked)"},
		{"evil.example", `unblock "evil.example": not an IP address or a SHA-256 hash`},
	} {
		detail, err := d.UnblockIndicator(c.ind)
		if err != nil {
			detail = err.Error()
		}
		if detail != c.want {
			t.Errorf("UnblockIndicator(%s) = %q, want %q", c.ind, detail, c.want)
		}
	}
	if d.Blocked(h) {
		t.Error("the hash is still blocked")
	}
}

// TestApplyBlocklistAddressesNetns applies listed addresses to the nftables sets of a
// network namespace, removes them when the list drops them, and keeps hash blocks when the
// firewall cannot be changed.
func TestApplyBlocklistAddressesNetns(t *testing.T) {
	requireNetns(t)
	name := fmt.Sprintf("vfb%d", os.Getpid()%100000)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	ns, err := os.Open("/var/run/netns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	d := newTestDevice(t)
	d.Firewall = Firewall{NetNSFd: int(ns.Fd())}
	list := Blocklist{Indicators: []BlocklistEntry{{Kind: "ip", Value: "203.0.113.9"}, {Kind: "ip", Value: "2001:db8::9"}}}
	if res, err := d.ApplyBlocklist(list); err != nil || len(res.Blocked) != 2 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	if got := setAddrs(t, d.Firewall); got != "[203.0.113.9 2001:db8::9]" {
		t.Errorf("blocked sets hold %s", got)
	}
	if res, err := d.ApplyBlocklist(Blocklist{}); err != nil || len(res.Unblocked) != 2 {
		t.Fatalf("apply the empty list: %+v %v", res, err)
	}
	if active, err := d.Firewall.Active(); err != nil || active {
		t.Errorf("table still there with nothing blocked: %v %v", active, err)
	}

	broken := newTestDevice(t)
	notNetns, _ := os.Open(os.DevNull)
	defer notNetns.Close()
	broken.Firewall = Firewall{NetNSFd: int(notNetns.Fd())}
	h := strings.Repeat("b8", 32)
	list.Indicators = append(list.Indicators, BlocklistEntry{Kind: "sha256", Value: h})
	res, err := broken.ApplyBlocklist(list)
	st, _ := broken.State.Load()
	if err == nil || !strings.Contains(err.Error(), "nftables unavailable") || !slices.Equal(res.Blocked, []string{h}) ||
		!slices.Equal(st.BlockedHashes, []string{h}) || !slices.Equal(st.FleetBlocked, []string{h}) || len(st.Net.BlockedIPs) != 0 {
		t.Errorf("without a firewall: %+v %v, state %+v; want the hash blocked, no address", res, err, st)
	}
}

// setAddrs returns the addresses in the blocked sets of f's table.
func setAddrs(t *testing.T, f Firewall) string {
	t.Helper()
	c, err := f.conn()
	if err != nil {
		t.Fatal(err)
	}
	table := &nftables.Table{Family: nftables.TableFamilyINet, Name: TableName}
	var out []string
	for _, name := range []string{blocked4Set, blocked6Set} {
		s, err := c.GetSetByName(table, name)
		if err != nil {
			t.Fatalf("set %s: %v", name, err)
		}
		els, err := c.GetSetElements(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range els {
			a, _ := netip.AddrFromSlice(e.Key)
			out = append(out, a.String())
		}
	}
	return fmt.Sprint(out)
}

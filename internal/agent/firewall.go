package agent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// TableName is the nftables table (family inet) the agent owns. Deleting it by hand
// (`nft delete table inet vigil_isolation`) releases a host whose agent is gone.
const TableName = "vigil_isolation"

// The sets of blocked addresses in TableName.
const (
	blocked4Set = "blocked4"
	blocked6Set = "blocked6"
)

// Firewall applies the network part of the agent's state (isolation and blocked IPs) to
// the kernel's nftables. Apply replaces the whole table in one atomic batch, so it is
// idempotent and never leaves a half-built table behind.
type Firewall struct {
	// NetNSFd, when not zero, is an open network namespace the rules go to (tests).
	NetNSFd int
}

// ErrNoNftables is returned when the kernel's nftables cannot be reached.
var ErrNoNftables = errors.New("nftables unavailable")

func (f Firewall) conn() (*nftables.Conn, error) {
	var opts []nftables.ConnOption
	if f.NetNSFd != 0 {
		opts = append(opts, nftables.WithNetNSFd(f.NetNSFd))
	}
	c, err := nftables.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoNftables, err)
	}
	return c, nil
}

// Apply makes the table match net: absent when the device is neither isolated nor blocks
// any address; otherwise input and output chains that drop the blocked addresses and, when
// isolated, drop everything but loopback, established/related traffic and traffic with the
// allowed server endpoints.
func (f Firewall) Apply(net NetState) error {
	c, err := f.conn()
	if err != nil {
		return err
	}
	t := &nftables.Table{Family: nftables.TableFamilyINet, Name: TableName}
	// Adding then deleting the table in the same batch removes it whether it existed or not.
	c.AddTable(t)
	c.DelTable(t)
	if net.Isolated || len(net.BlockedIPs) > 0 {
		if err := build(c, t, net); err != nil {
			return err
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("%w: apply table %s: %w", ErrNoNftables, TableName, err)
	}
	return nil
}

// Active reports whether the table exists.
func (f Firewall) Active() (bool, error) {
	c, err := f.conn()
	if err != nil {
		return false, err
	}
	_, err = c.ListTableOfFamily(TableName, nftables.TableFamilyINet)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: list table %s: %w", ErrNoNftables, TableName, err)
	}
	return true, nil
}

func build(c *nftables.Conn, t *nftables.Table, net NetState) error {
	c.AddTable(t)
	s4 := &nftables.Set{Table: t, Name: blocked4Set, KeyType: nftables.TypeIPAddr}
	s6 := &nftables.Set{Table: t, Name: blocked6Set, KeyType: nftables.TypeIP6Addr}
	var e4, e6 []nftables.SetElement
	for _, s := range net.BlockedIPs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return fmt.Errorf("blocked address %q: %w", s, err)
		}
		if a.Unmap().Is4() {
			b := a.Unmap().As4()
			e4 = append(e4, nftables.SetElement{Key: b[:]})
		} else {
			b := a.As16()
			e6 = append(e6, nftables.SetElement{Key: b[:]})
		}
	}
	if err := c.AddSet(s4, e4); err != nil {
		return fmt.Errorf("set %s: %w", blocked4Set, err)
	}
	if err := c.AddSet(s6, e6); err != nil {
		return fmt.Errorf("set %s: %w", blocked6Set, err)
	}
	policy := nftables.ChainPolicyAccept
	if net.Isolated {
		policy = nftables.ChainPolicyDrop
	}
	allow, err := parseEndpoints(net.Allow)
	if err != nil {
		return err
	}
	for _, dir := range []direction{input, output} {
		ch := c.AddChain(&nftables.Chain{Name: dir.chain, Table: t, Type: nftables.ChainTypeFilter,
			Hooknum: dir.hook, Priority: nftables.ChainPriorityFilter, Policy: &policy})
		rules := [][]expr.Any{
			dir.blocked(4, s4), dir.blocked(16, s6),
		}
		if net.Isolated {
			rules = append(rules, dir.loopback(), established())
			for _, ep := range allow {
				rules = append(rules, dir.endpoint(ep))
			}
		}
		for _, r := range rules {
			c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: r})
		}
	}
	return nil
}

// direction is what differs between the input and the output chain: which header fields
// name the remote end.
type direction struct {
	chain      string
	hook       *nftables.ChainHook
	ifname     expr.MetaKey
	addr4      uint32 // offset of the remote IPv4 address in the network header
	addr6      uint32
	remotePort uint32 // offset of the remote port in the transport header
}

var (
	input  = direction{"input", nftables.ChainHookInput, expr.MetaKeyIIFNAME, 12, 8, 0}
	output = direction{"output", nftables.ChainHookOutput, expr.MetaKeyOIFNAME, 16, 24, 2}
)

func nfproto(family byte) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{family}},
	}
}

// blocked drops packets whose remote address is in set (addrLen 4 or 16 bytes).
func (d direction) blocked(addrLen uint32, set *nftables.Set) []expr.Any {
	fam, off := byte(unix.NFPROTO_IPV4), d.addr4
	if addrLen == 16 {
		fam, off = unix.NFPROTO_IPV6, d.addr6
	}
	return append(nfproto(fam),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: addrLen},
		&expr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID},
		&expr.Verdict{Kind: expr.VerdictDrop})
}

func (d direction) loopback() []expr.Any {
	name := make([]byte, unix.IFNAMSIZ)
	copy(name, "lo")
	return []expr.Any{
		&expr.Meta{Key: d.ifname, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: name},
		&expr.Verdict{Kind: expr.VerdictAccept},
	}
}

func established() []expr.Any {
	mask := binary.NativeEndian.AppendUint32(nil, expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED)
	return []expr.Any{
		&expr.Ct{Key: expr.CtKeySTATE, Register: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: make([]byte, 4)},
		&expr.Verdict{Kind: expr.VerdictAccept},
	}
}

// endpoint accepts traffic with the server endpoint ep (any port when ep's port is 0).
func (d direction) endpoint(ep netip.AddrPort) []expr.Any {
	a := ep.Addr().Unmap()
	var rule []expr.Any
	if a.Is4() {
		b := a.As4()
		rule = append(nfproto(unix.NFPROTO_IPV4),
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: d.addr4, Len: 4},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: b[:]})
	} else {
		b := a.As16()
		rule = append(nfproto(unix.NFPROTO_IPV6),
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: d.addr6, Len: 16},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: b[:]})
	}
	if ep.Port() != 0 {
		rule = append(rule,
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_TCP}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: d.remotePort, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binary.BigEndian.AppendUint16(nil, ep.Port())})
	}
	return append(rule, &expr.Verdict{Kind: expr.VerdictAccept})
}

// parseEndpoints parses "ip:port" (or a bare IP, any port) endpoints.
func parseEndpoints(eps []string) ([]netip.AddrPort, error) {
	out := make([]netip.AddrPort, 0, len(eps))
	for _, s := range eps {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			out = append(out, ap)
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("server endpoint %q: want ip or ip:port", s)
		}
		out = append(out, netip.AddrPortFrom(a, 0))
	}
	return out, nil
}

package agent

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/iptype"
)

// DefaultNetInterval is how often the socket tables are read for new connections.
const DefaultNetInterval = 2 * time.Second

// TCP states as /proc/net/tcp prints them (include/net/tcp_states.h).
const (
	tcpEstablished = 0x01
	tcpClose       = 0x07 // an unconnected UDP socket shows this state
	tcpListen      = 0x0A
)

// socket is one line of /proc/net/{tcp,tcp6,udp,udp6}.
type socket struct {
	proto         string // "Tcp" or "Udp", as Defender's Protocol column spells them
	local, remote netip.AddrPort
	state         uint8
	inode         uint64
}

// sockKey identifies a socket across scans: the same tuple on a new inode is a new socket.
type sockKey struct {
	proto         string
	local, remote netip.AddrPort
	inode         uint64
}

// procNetFiles are the socket tables read on each scan, relative to the /proc root.
var procNetFiles = []struct {
	rel, proto string
}{{"net/tcp", "Tcp"}, {"net/tcp6", "Tcp"}, {"net/udp", "Udp"}, {"net/udp6", "Udp"}}

// parseProcNet calls fn for every socket in the text of a /proc/net/{tcp,udp}[6] table. A
// line that does not parse is an error naming its line number, since it means the kernel's
// format is not the one this parser knows.
func parseProcNet(data []byte, proto string, fn func(socket)) error {
	for n := 0; len(data) > 0; n++ {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if n == 0 || len(bytes.TrimSpace(line)) == 0 {
			continue // the header
		}
		s, err := parseSocketLine(line, proto)
		if err != nil {
			return fmt.Errorf("line %d: %w", n+1, err)
		}
		fn(s)
	}
	return nil
}

func parseSocketLine(line []byte, proto string) (socket, error) {
	f := bytes.Fields(line)
	if len(f) < 10 {
		return socket{}, fmt.Errorf("want at least 10 fields, got %d", len(f))
	}
	s := socket{proto: proto}
	var err error
	if s.local, err = parseHexAddrPort(f[1]); err != nil {
		return s, fmt.Errorf("local address %q: %w", f[1], err)
	}
	if s.remote, err = parseHexAddrPort(f[2]); err != nil {
		return s, fmt.Errorf("remote address %q: %w", f[2], err)
	}
	st, err := strconv.ParseUint(string(f[3]), 16, 8)
	if err != nil {
		return s, fmt.Errorf("state %q: %w", f[3], err)
	}
	s.state = uint8(st)
	if s.inode, err = strconv.ParseUint(string(f[9]), 10, 64); err != nil {
		return s, fmt.Errorf("inode %q: %w", f[9], err)
	}
	return s, nil
}

// parseHexAddrPort reads "0100007F:1F90": the address as the kernel prints it (each 32-bit
// word of the network-order address printed as a native-endian number) and the port in
// hexadecimal.
func parseHexAddrPort(b []byte) (netip.AddrPort, error) {
	a, p, ok := bytes.Cut(b, []byte{':'})
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("no ':' between address and port")
	}
	port, err := strconv.ParseUint(string(p), 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("port: %w", err)
	}
	if len(a) != 8 && len(a) != 32 {
		return netip.AddrPort{}, fmt.Errorf("address has %d hex digits, want 8 or 32", len(a))
	}
	var raw [16]byte
	if _, err := hex.Decode(raw[:len(a)/2], a); err != nil {
		return netip.AddrPort{}, err
	}
	// Each word was printed most significant digit first from a native-endian load:
	// turn the printed (big-endian) word back into the bytes that were in memory.
	for i := 0; i < len(a)/2; i += 4 {
		binary.NativeEndian.PutUint32(raw[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	var addr netip.Addr
	if len(a) == 8 {
		addr = netip.AddrFrom4([4]byte(raw[:4]))
	} else {
		addr = netip.AddrFrom16(raw).Unmap()
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// readSockets reads every socket table under procDir. A missing table (no IPv6 on the
// host) is skipped; any other failure is an error.
func readSockets(procDir string) ([]socket, error) {
	var out []socket
	for _, f := range procNetFiles {
		data, err := os.ReadFile(filepath.Join(procDir, f.rel))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("socket table: %w", err)
		}
		if err := parseProcNet(data, f.proto, func(s socket) { out = append(out, s) }); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(procDir, f.rel), err)
		}
	}
	return out, nil
}

// NetWatcher reports new network connections as DeviceNetworkEvents rows by reading the
// kernel's socket tables at an interval: new established TCP connections (ConnectionSuccess
// when this host connected out, InboundConnectionAccepted when a local listening port
// accepted them), new listening TCP sockets and bound UDP sockets (ListeningConnectionCreated)
// and connected UDP sockets (ConnectionSuccess). The first scan is a baseline: what is open
// when the agent starts is not reported. A connection opened and closed between two scans
// is not seen. It is used from one goroutine.
type NetWatcher struct {
	// ProcDir is the /proc root (default /proc).
	ProcDir string
	// Interval is the time between scans (default DefaultNetInterval).
	Interval time.Duration
	// Hashes caches the initiating programs' SHA-256; nil hashes without a cache.
	Hashes *HashCache

	seen     map[sockKey]struct{}
	baseline bool
}

func (w *NetWatcher) procDir() string {
	if w.ProcDir == "" {
		return "/proc"
	}
	return w.ProcDir
}

// Run scans until ctx ends, calling emit with each new connection's row. A failed scan is
// returned: the socket tables are always readable on Linux, so failing means they never
// will be.
func (w *NetWatcher) Run(ctx context.Context, emit func(table string, r Row)) error {
	iv := w.Interval
	if iv <= 0 {
		iv = DefaultNetInterval
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		rows, err := w.Scan()
		if err != nil {
			return err
		}
		for _, r := range rows {
			emit("DeviceNetworkEvents", r)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Scan reads the socket tables once and returns the rows of the sockets not seen in the
// previous scan (none on the first scan, which is the baseline).
func (w *NetWatcher) Scan() ([]Row, error) {
	socks, err := readSockets(w.procDir())
	if err != nil {
		return nil, err
	}
	listening := map[netip.AddrPort]bool{}
	for _, s := range socks {
		if s.proto == "Tcp" && s.state == tcpListen {
			listening[s.local] = true
		}
	}
	now := make(map[sockKey]struct{}, len(socks))
	var fresh []socket
	for _, s := range socks {
		if actionOf(s, listening) == "" {
			continue
		}
		k := sockKey{s.proto, s.local, s.remote, s.inode}
		now[k] = struct{}{}
		if _, old := w.seen[k]; !old && w.baseline {
			fresh = append(fresh, s)
		}
	}
	w.seen, w.baseline = now, true
	if len(fresh) == 0 {
		return nil, nil
	}
	inodes := make(map[uint64]int, len(fresh))
	for _, s := range fresh {
		inodes[s.inode] = 0
	}
	socketOwners(w.procDir(), inodes)
	rows := make([]Row, 0, len(fresh))
	for _, s := range fresh {
		rows = append(rows, w.row(s, actionOf(s, listening), inodes[s.inode]))
	}
	return rows, nil
}

// actionOf is Defender's ActionType for a socket, or "" for sockets that are not reported
// (closing TCP states, sockets without an inode).
func actionOf(s socket, listening map[netip.AddrPort]bool) string {
	if s.inode == 0 {
		return "" // TIME_WAIT and the like: no longer owned by a process
	}
	switch {
	case s.proto == "Tcp" && s.state == tcpListen:
		return "ListeningConnectionCreated"
	case s.proto == "Tcp" && s.state == tcpEstablished:
		port := s.local.Port()
		// A dual-stack listener on [::] accepts IPv4 connections too (their addresses
		// are unmapped above), so both wildcards count.
		if listening[s.local] || listening[netip.AddrPortFrom(netip.IPv4Unspecified(), port)] ||
			listening[netip.AddrPortFrom(netip.IPv6Unspecified(), port)] {
			return "InboundConnectionAccepted"
		}
		return "ConnectionSuccess"
	case s.proto == "Udp" && s.state == tcpEstablished:
		return "ConnectionSuccess"
	case s.proto == "Udp" && s.state == tcpClose && s.remote.Port() == 0:
		return "ListeningConnectionCreated"
	}
	return ""
}

func (w *NetWatcher) row(s socket, action string, pid int) Row {
	r := Row{"ActionType": action, "Protocol": s.proto,
		"LocalIP": s.local.Addr().String(), "LocalPort": int(s.local.Port()), "LocalIPType": iptype.Of(s.local.Addr())}
	if action != "ListeningConnectionCreated" {
		r["RemoteIP"] = s.remote.Addr().String()
		r["RemotePort"] = int(s.remote.Port())
		r["RemoteIPType"] = iptype.Of(s.remote.Addr())
	}
	if pid > 0 {
		initiatingProcess(r, w.procDir(), pid, w.Hashes)
	}
	return r
}

// socketOwners fills inodes (socket inode to 0) with the process owning each socket,
// from the /proc/<pid>/fd links ("socket:[inode]"). It stops once every socket has an
// owner; sockets whose process is gone or unreadable stay 0. When several processes share
// a socket (a forked server), the lowest process id wins.
func socketOwners(procDir string, inodes map[uint64]int) {
	ents, err := os.ReadDir(procDir)
	if err != nil {
		return
	}
	left := len(inodes)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fdDir := filepath.Join(procDir, e.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(link[len("socket:["):], "]"), 10, 64)
			if owner, want := inodes[ino]; err != nil || !want || owner != 0 {
				continue
			}
			inodes[ino] = pid
			if left--; left == 0 {
				return
			}
		}
	}
}

// initiatingProcess fills the InitiatingProcess* columns of r with the process pid and its
// parent, as far as they can be read.
func initiatingProcess(r Row, procDir string, pid int, hashes *HashCache) {
	info := readProcInfo(procDir, pid)
	r["InitiatingProcessId"] = pid
	r["InitiatingProcessCommandLine"] = info.cmdline
	r["InitiatingProcessAccountName"] = userName(info.uid)
	r["InitiatingProcessFileName"] = info.name
	exeLink := filepath.Join(procDir, strconv.Itoa(pid), "exe")
	if exe, err := os.Readlink(exeLink); err == nil {
		exe = strings.TrimSuffix(exe, " (deleted)")
		r["InitiatingProcessFolderPath"] = exe
		r["InitiatingProcessFileName"] = filepath.Base(exe)
		if hashes != nil {
			if h, err := hashes.Hash(exeLink); err == nil {
				r["InitiatingProcessSHA256"] = h
			}
		}
	}
	if info.ppid > 0 {
		r["InitiatingProcessParentId"] = info.ppid
		r["InitiatingProcessParentFileName"] = readProcInfo(procDir, info.ppid).name
	}
}

package agent

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseHexAddrPort(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"0100007F:1F90", "127.0.0.1:8080", ""},
		{"00000000:0016", "0.0.0.0:22", ""},
		{"0F02000A:C350", "10.0.2.15:50000", ""},
		{"00000000000000000000000001000000:0277", "[::1]:631", ""},
		{"0000000000000000FFFF00000100007F:0050", "127.0.0.1:80", ""}, // v4-mapped, unmapped
		{"B80D0120000000000000000001000000:01BB", "[2001:db8::1]:443", ""},
		{"0100007F", "", "no ':' between address and port"},
		{"0100007F:XYZ", "", "port: "},
		{"01007F:0050", "", "address has 6 hex digits, want 8 or 32"},
		{"0100007G:0050", "", "invalid byte"},
	}
	for _, tt := range tests {
		got, err := parseHexAddrPort([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestParseProcNetBadLine(t *testing.T) {
	data := "  sl  local_address rem_address   st\n   0: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 0\n   1: garbage\n"
	err := parseProcNet([]byte(data), "Tcp", func(socket) {})
	if err == nil || err.Error() != "line 3: want at least 10 fields, got 2" {
		t.Errorf("err = %v", err)
	}
}

// writeFixtureProc makes a /proc root with socket tables and one process (pid 4242, "sshd")
// owning the sockets with inodes 100 and 101.
func writeFixtureProc(t *testing.T, tcp string) string {
	t.Helper()
	root := t.TempDir()
	const header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "net"), 0o755))
	must(os.WriteFile(filepath.Join(root, "net", "tcp"), []byte(header+tcp), 0o644))
	must(os.WriteFile(filepath.Join(root, "net", "udp"), []byte(header), 0o644))
	p := filepath.Join(root, "4242")
	must(os.MkdirAll(filepath.Join(p, "fd"), 0o755))
	must(os.WriteFile(filepath.Join(p, "cmdline"), []byte("/usr/sbin/sshd\x00-D\x00"), 0o644))
	must(os.WriteFile(filepath.Join(p, "status"), []byte("Name:\tsshd\nPPid:\t1\nUid:\t0\t0\t0\t0\n"), 0o644))
	must(os.Symlink("/usr/sbin/sshd", filepath.Join(p, "exe")))
	must(os.Symlink("socket:[100]", filepath.Join(p, "fd", "3")))
	must(os.Symlink("socket:[101]", filepath.Join(p, "fd", "4")))
	must(os.Symlink("/dev/null", filepath.Join(p, "fd", "0")))
	return root
}

// TestNetWatcherFixture scans a fixture /proc: the first scan is the baseline, then a new
// listener, an inbound connection to it and an outbound connection appear.
func TestNetWatcherFixture(t *testing.T) {
	const lineListen = "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0 100 0 0 10 0\n"
	const lineOld = "   1: 0F02000A:9C40 08080808:0035 01 00000000:00000000 00:00000000 00000000     0        0 50 1 0 100 0 0 10 0\n"
	root := writeFixtureProc(t, lineOld)
	w := &NetWatcher{ProcDir: root}
	rows, err := w.Scan()
	if err != nil || len(rows) != 0 {
		t.Fatalf("baseline scan = %v, %v; want no rows", rows, err)
	}
	tcp := lineOld + lineListen +
		"   2: 0F02000A:0016 6433640A:D431 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0 100 0 0 10 0\n" +
		"   3: 0F02000A:A000 22D8B85D:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 102 1 0 100 0 0 10 0\n" +
		"   4: 0F02000A:A001 22D8B85D:01BB 06 00000000:00000000 00:00000000 00000000     0        0 0 1 0 100 0 0 10 0\n"
	if err := os.WriteFile(filepath.Join(root, "net", "tcp"), []byte("header\n"+tcp), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err = w.Scan()
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{"ActionType": "ListeningConnectionCreated", "Protocol": "Tcp", "LocalIP": "0.0.0.0", "LocalPort": 22, "LocalIPType": "Reserved",
			"InitiatingProcessId": 4242, "InitiatingProcessFileName": "sshd", "InitiatingProcessFolderPath": "/usr/sbin/sshd",
			"InitiatingProcessCommandLine": "/usr/sbin/sshd -D", "InitiatingProcessAccountName": "root",
			"InitiatingProcessParentId": 1},
		{"ActionType": "InboundConnectionAccepted", "Protocol": "Tcp", "LocalIP": "10.0.2.15", "LocalPort": 22, "LocalIPType": "Private",
			"RemoteIP": "10.100.51.100", "RemotePort": 54321, "RemoteIPType": "Private", "InitiatingProcessId": 4242},
		{"ActionType": "ConnectionSuccess", "Protocol": "Tcp", "LocalIP": "10.0.2.15", "LocalPort": 40960, "LocalIPType": "Private",
			"RemoteIP": "93.184.216.34", "RemotePort": 443, "RemoteIPType": "Public"},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %v", len(rows), len(want), rows)
	}
	for i, w := range want {
		for k, v := range w {
			if rows[i][k] != v {
				t.Errorf("row %d %s = %v, want %v", i, k, rows[i][k], v)
			}
		}
	}
	if _, ok := rows[2]["InitiatingProcessId"]; ok {
		t.Errorf("socket 102 has no owner in the fixture, yet the row names one: %v", rows[2])
	}
	checkRows(t, "DeviceNetworkEvents", rows)
	// Nothing new: nothing reported.
	if rows, err = w.Scan(); err != nil || len(rows) != 0 {
		t.Errorf("third scan = %v, %v; want no rows", rows, err)
	}
}

// TestNetWatcherRealConnection opens a real listener and connects to it, and expects the
// three sockets, owned by this test process, in the next scan.
func TestNetWatcherRealConnection(t *testing.T) {
	w := &NetWatcher{Hashes: &HashCache{}}
	if _, err := w.Scan(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := w.Scan()
	if err != nil {
		t.Fatal(err)
	}
	lport := l.Addr().(*net.TCPAddr).Port
	cport := c.LocalAddr().(*net.TCPAddr).Port
	mine := rowsWhere(rows, func(r Row) bool { return r["LocalPort"] == lport || r["LocalPort"] == cport })
	got := map[string]Row{}
	for _, r := range mine {
		got[r["ActionType"].(string)] = r
	}
	exe, _ := os.Executable()
	for action, ports := range map[string][2]int{
		"ListeningConnectionCreated": {lport, 0},
		"InboundConnectionAccepted":  {lport, cport},
		"ConnectionSuccess":          {cport, lport},
	} {
		r, ok := got[action]
		if !ok {
			t.Errorf("no %s row for the test's sockets; rows: %v", action, mine)
			continue
		}
		if r["InitiatingProcessId"] != os.Getpid() || r["InitiatingProcessFolderPath"] != exe || r["LocalIP"] != "127.0.0.1" ||
			r["LocalIPType"] != "Loopback" || r["Protocol"] != "Tcp" || r["InitiatingProcessSHA256"] == nil {
			t.Errorf("%s row = %v (pid %d, exe %s)", action, r, os.Getpid(), exe)
		}
		if ports[1] != 0 && (r["RemotePort"] != ports[1] || r["RemoteIP"] != "127.0.0.1") {
			t.Errorf("%s remote = %v:%v, want 127.0.0.1:%d", action, r["RemoteIP"], r["RemotePort"], ports[1])
		}
	}
	if len(mine) != 3 {
		t.Errorf("got %d rows for the test's sockets, want 3: %v", len(mine), mine)
	}
	checkRows(t, "DeviceNetworkEvents", mine)
}

// BenchmarkNetScan is one scan of this machine's socket tables (nothing new after the
// first, so it measures the steady state: read and parse the four tables, diff).
func BenchmarkNetScan(b *testing.B) {
	w := &NetWatcher{}
	if _, err := w.Scan(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Scan(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSocketOwners is the worst case of mapping sockets to processes: an inode no
// process holds, so every /proc/<pid>/fd of this machine is read.
func BenchmarkSocketOwners(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		socketOwners("/proc", map[uint64]int{1<<63 - 1: 0})
	}
}

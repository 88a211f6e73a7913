package agent

import (
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// utmpEntry is what a test writes as a struct utmp.
type utmpEntry struct {
	typ              int16
	pid              int32
	line, user, host string
	at               time.Time
	addr             netip.Addr
}

// bytes lays the entry out as glibc's 64-bit struct utmp (see parseUtmp).
func (e utmpEntry) bytes() []byte {
	b := make([]byte, utmpSize)
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(e.typ))
	le.PutUint32(b[4:], uint32(e.pid))
	copy(b[8:40], e.line)
	copy(b[40:44], strings.TrimPrefix(e.line, "pts/"))
	copy(b[44:76], e.user)
	copy(b[76:332], e.host)
	le.PutUint32(b[336:], uint32(e.pid))
	le.PutUint32(b[340:], uint32(e.at.Unix()))
	le.PutUint32(b[344:], uint32(e.at.Nanosecond()/1000))
	if e.addr.Is4() {
		a := e.addr.As4()
		copy(b[348:352], a[:])
	} else if e.addr.IsValid() {
		a := e.addr.As16()
		copy(b[348:364], a[:])
	}
	return b
}

func appendUtmp(t *testing.T, path string, es ...utmpEntry) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, e := range es {
		if _, err := f.Write(e.bytes()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLogonReader writes wtmp records, checks with util-linux's utmpdump and last that the
// file is a valid wtmp, and expects their logons as rows; later reads (and a restarted
// reader) report only what was appended, and a rotated file is read from its start.
func TestLogonReader(t *testing.T) {
	dir := t.TempDir()
	wtmp := filepath.Join(dir, "wtmp")
	at := time.Date(2026, 3, 9, 22, 14, 15, 250000000, time.UTC)
	appendUtmp(t, wtmp,
		utmpEntry{typ: 2, line: "~", user: "reboot", host: "6.1.0-vigil", at: at.Add(-time.Hour)}, // boot: no logon
		utmpEntry{typ: 7, pid: 4123, line: "pts/0", user: "alice", host: "198.51.100.20", at: at, addr: netip.MustParseAddr("198.51.100.20")},
		utmpEntry{typ: 7, pid: 4200, line: "tty1", user: "root", at: at.Add(time.Minute)},
		utmpEntry{typ: 8, pid: 4123, line: "pts/0", at: at.Add(2 * time.Minute)}, // logout
		utmpEntry{typ: 7, pid: 4300, line: "pts/1", user: "bob", host: "jump.example.org", at: at.Add(3 * time.Minute), addr: netip.MustParseAddr("2001:db8::7")},
	)
	if _, err := exec.LookPath("utmpdump"); err == nil {
		out, err := exec.Command("utmpdump", wtmp).CombinedOutput()
		if err != nil {
			t.Fatalf("utmpdump: %v\n%s", err, out)
		}
		for _, want := range []string{"[7] [04123] [0   ] [alice   ] [pts/0       ] [198.51.100.20       ] [198.51.100.20  ] [2026-03-09T22:14:15,250000+00:00]",
			"[1   ] [bob     ] [pts/1       ] [jump.example.org    ] [2001:db8::7    ] [2026-03-09T22:17:15,250000+00:00]"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("utmpdump does not read the records as written: want %q in\n%s", want, out)
			}
		}
	}
	if _, err := exec.LookPath("last"); err == nil {
		out, err := exec.Command("last", "-f", wtmp, "-w", "--time-format", "iso").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "alice    pts/0        198.51.100.20    2026-03-09T22:14:15+00:00") {
			t.Errorf("last -f does not read the file: %v\n%s", err, out)
		}
	}

	offsets := &OffsetFile{Path: filepath.Join(dir, "state", "logons.json")}
	l := &LogonReader{Path: wtmp, Offsets: offsets, FromStart: true}
	rows, err := l.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{"ActionType": "LogonSuccess", "AccountName": "alice", "LogonType": "Network", "Protocol": "SSH", "RemoteIP": "198.51.100.20",
			"RemoteIPType": "Public", "Timestamp": "2026-03-09T22:14:15.25Z"},
		{"ActionType": "LogonSuccess", "AccountName": "root", "LogonType": "Interactive", "IsLocalAdmin": true, "Timestamp": "2026-03-09T22:15:15.25Z"},
		{"ActionType": "LogonSuccess", "AccountName": "bob", "LogonType": "Network", "RemoteIP": "2001:db8::7", "RemoteDeviceName": "jump.example.org"},
	}
	assertRows(t, rows, want)
	if _, ok := rows[1]["RemoteIP"]; ok {
		t.Errorf("a console logon has a remote address: %v", rows[1])
	}
	checkRows(t, "DeviceLogonEvents", rows)

	if rows, err = l.Read(); err != nil || len(rows) != 0 {
		t.Errorf("second read = %v, %v; want nothing new", rows, err)
	}
	appendUtmp(t, wtmp, utmpEntry{typ: 7, pid: 5000, line: "pts/2", user: "carol", host: "10.0.0.9", at: at.Add(time.Hour)})
	// A restarted agent: a new reader over the same offsets file.
	l = &LogonReader{Path: wtmp, Offsets: &OffsetFile{Path: offsets.Path}}
	rows, err = l.Read()
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, rows, []Row{{"AccountName": "carol", "RemoteIP": "10.0.0.9", "RemoteIPType": "Private"}})

	// Rotation: a new file in its place is read from its start.
	if err := os.Rename(wtmp, wtmp+".1"); err != nil {
		t.Fatal(err)
	}
	appendUtmp(t, wtmp, utmpEntry{typ: 7, pid: 6000, line: "tty2", user: "dave", at: at.Add(2 * time.Hour)})
	rows, err = l.Read()
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, rows, []Row{{"AccountName": "dave", "LogonType": "Interactive"}})
}

// TestLogonReaderFailedAndBaseline reads a btmp file (failed logons, written by sshd as
// LOGIN_PROCESS records) that exists before the reader first sees it: its past is skipped.
func TestLogonReaderFailedAndBaseline(t *testing.T) {
	dir := t.TempDir()
	btmp := filepath.Join(dir, "btmp")
	at := time.Date(2026, 3, 9, 22, 0, 0, 0, time.UTC)
	appendUtmp(t, btmp, utmpEntry{typ: 6, pid: 10, line: "ssh:notty", user: "old", host: "203.0.113.5", at: at})
	l := &LogonReader{Path: btmp, Failed: true}
	if rows, err := l.Read(); err != nil || len(rows) != 0 {
		t.Fatalf("first read = %v, %v; want the past skipped", rows, err)
	}
	appendUtmp(t, btmp, utmpEntry{typ: 6, pid: 11, line: "ssh:notty", user: "admin", host: "203.0.113.5", at: at.Add(time.Second),
		addr: netip.MustParseAddr("203.0.113.5")})
	if _, err := exec.LookPath("lastb"); err == nil {
		out, err := exec.Command("lastb", "-f", btmp, "-w").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "admin    ssh:notty    203.0.113.5") {
			t.Errorf("lastb -f does not read the file: %v\n%s", err, out)
		}
	}
	// Half a record (being written) waits for its other half.
	half := utmpEntry{typ: 6, pid: 12, line: "ssh:notty", user: "guest", host: "203.0.113.6", at: at.Add(2 * time.Second)}.bytes()
	f, err := os.OpenFile(btmp, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(half[:100]); err != nil {
		t.Fatal(err)
	}
	rows, err := l.Read()
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, rows, []Row{{"ActionType": "LogonFailed", "AccountName": "admin", "LogonType": "Network", "RemoteIP": "203.0.113.5"}})
	checkRows(t, "DeviceLogonEvents", rows)
	if _, err := f.Write(half[100:]); err != nil {
		t.Fatal(err)
	}
	rows, err = l.Read()
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, rows, []Row{{"ActionType": "LogonFailed", "AccountName": "guest"}})
}

// assertRows checks that rows has one row per want row, each holding want's values.
func assertRows(t *testing.T, rows, want []Row) {
	t.Helper()
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %v", len(rows), len(want), rows)
	}
	for i, w := range want {
		for k, v := range w {
			if rows[i][k] != v {
				t.Errorf("row %d: %s = %v, want %v (row %v)", i, k, rows[i][k], v, rows[i])
			}
		}
	}
}

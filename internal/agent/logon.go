package agent

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigilsec/vigil/internal/iptype"
)

// Default places of the login records and how often they are checked.
const (
	DefaultWtmp          = "/var/log/wtmp"
	DefaultBtmp          = "/var/log/btmp"
	DefaultLogonInterval = 5 * time.Second
)

// utmpSize is the size of glibc's struct utmp on 64-bit Linux (x86_64, arm64): 32-bit
// times are kept there for compatibility with 32-bit programs.
const utmpSize = 384

// utmp record types (utmp.h).
const (
	utmpLoginProcess = 6
	utmpUserProcess  = 7
)

// utmpRecord is the part of a struct utmp a logon row needs.
type utmpRecord struct {
	Type    int16
	PID     int32
	Line    string // the terminal, "pts/0", "tty1", "ssh:notty"
	User    string
	Host    string
	Session int32
	Time    time.Time
	Addr    netip.Addr
}

// parseUtmp reads one 384-byte struct utmp:
//
//	0 ut_type int16 (+2 padding), 4 ut_pid int32, 8 ut_line [32], 40 ut_id [4],
//	44 ut_user [32], 76 ut_host [256], 332 ut_exit (2 × int16), 336 ut_session int32,
//	340 ut_tv (tv_sec int32, tv_usec int32), 348 ut_addr_v6 [4]int32, 364 reserved [20].
func parseUtmp(b []byte) utmpRecord {
	le := binary.LittleEndian // the only byte order of the 64-bit Linux ports this layout is for
	r := utmpRecord{
		Type: int16(le.Uint16(b[0:])), PID: int32(le.Uint32(b[4:])),
		Line: cString(b[8:40]), User: cString(b[44:76]), Host: cString(b[76:332]),
		Session: int32(le.Uint32(b[336:])),
		Time:    time.Unix(int64(int32(le.Uint32(b[340:]))), int64(int32(le.Uint32(b[344:])))*1000).UTC(),
	}
	addr := [16]byte(b[348:364])
	switch {
	case addr == [16]byte{}:
	case bytes.Equal(addr[4:], make([]byte, 12)):
		r.Addr = netip.AddrFrom4([4]byte(addr[:4])) // IPv4 in the first word, network order
	default:
		r.Addr = netip.AddrFrom16(addr).Unmap()
	}
	return r
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// logonRow is the DeviceLogonEvents row of a record, or false when the record is no logon
// (boot, shutdown, logout, terminal processes waiting for a login).
func logonRow(rec utmpRecord, failed bool) (Row, bool) {
	if rec.User == "" || !failed && rec.Type != utmpUserProcess ||
		failed && rec.Type != utmpUserProcess && rec.Type != utmpLoginProcess {
		return nil, false
	}
	r := Row{"ActionType": "LogonSuccess", "AccountName": rec.User, "Timestamp": rec.Time.Format(time.RFC3339Nano),
		"AdditionalFields": map[string]any{"terminal": rec.Line, "pid": rec.PID, "session": rec.Session}}
	if failed {
		r["ActionType"] = "LogonFailed"
	}
	host, ip := remoteHost(rec)
	r["LogonType"] = "Interactive"
	if host != "" || ip.IsValid() {
		// Remote terminal logons on Linux are sshd's (telnet and rlogin are long gone):
		// Defender for Endpoint on Linux reports them as Network logons over SSH.
		r["LogonType"], r["Protocol"] = "Network", "SSH"
	}
	if ip.IsValid() {
		r["RemoteIP"], r["RemoteIPType"] = ip.String(), iptype.Of(ip)
	}
	if host != "" {
		r["RemoteDeviceName"] = host
	}
	if rec.User == "root" {
		r["IsLocalAdmin"] = true
	}
	return r, true
}

// remoteHost returns the remote host name (unless it is an address) and address of a record.
// A host field of ":0" is a local X display, and "name:0" a display on a remote host.
func remoteHost(rec utmpRecord) (string, netip.Addr) {
	host := rec.Host
	if a, err := netip.ParseAddr(host); err == nil {
		return "", a.Unmap()
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.Trim(host[i+1:], "0123456789.") == "" {
		host = host[:i]
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return "", a.Unmap()
	}
	return host, rec.Addr
}

// LogonReader reports the records appended to a wtmp file (logons, LogonSuccess) or a btmp
// file (failed logons, LogonFailed) since it last read it, as DeviceLogonEvents rows. Where
// it stopped is kept in Offsets, so that a restarted agent goes on from there; a file seen
// for the first time is read from its end (its past is not reported), a file replaced
// (rotated: a new inode) or truncated is read from its start.
type LogonReader struct {
	Path   string
	Failed bool // a btmp file
	// Offsets keeps where each file was read to; nil keeps it in memory only.
	Offsets *OffsetFile
	// FromStart reads a file seen for the first time from its start.
	FromStart bool

	pos   FilePos // where the last Read stopped
	known bool
}

// Read returns the rows of the records appended since the last Read.
func (l *LogonReader) Read() ([]Row, error) {
	f, err := os.Open(l.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	pos, known := l.pos, l.known
	if !known {
		pos, known = l.Offsets.Get(l.Path)
	}
	switch {
	case !known && !l.FromStart:
		pos.Offset = fi.Size() - fi.Size()%utmpSize
	case !known || pos.Inode != ino || pos.Offset > fi.Size():
		pos.Offset = 0
	}
	pos.Inode = ino
	if _, err := f.Seek(pos.Offset, io.SeekStart); err != nil {
		return nil, err
	}
	var rows []Row
	buf := make([]byte, utmpSize)
	for {
		if _, err := io.ReadFull(f, buf); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break // a record being written: it is read whole next time
			}
			return rows, err
		}
		pos.Offset += utmpSize
		if r, ok := logonRow(parseUtmp(buf), l.Failed); ok {
			rows = append(rows, r)
		}
	}
	l.pos, l.known = pos, true
	return rows, l.Offsets.Set(l.Path, pos)
}

// Run reads the file every interval until ctx ends, calling emit with each row. A file
// that does not exist (yet) is waited for, and read from its start once it appears; other
// errors end it.
func (l *LogonReader) Run(ctx context.Context, interval time.Duration, emit func(table string, r Row)) error {
	if interval <= 0 {
		interval = DefaultLogonInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rows, err := l.Read()
		switch {
		case errors.Is(err, os.ErrNotExist):
			// A file that appears later holds only records written since: read it all.
			l.FromStart = true
		case err != nil:
			return fmt.Errorf("logons from %s: %w", l.Path, err)
		}
		for _, r := range rows {
			emit("DeviceLogonEvents", r)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// FilePos is how far a file was read: its inode, to notice rotation, and the byte offset.
type FilePos struct {
	Inode  uint64 `json:"inode"`
	Offset int64  `json:"offset"`
}

// OffsetFile keeps FilePos by path in a JSON file (mode 0600), replaced atomically on each
// change. Its methods are safe for concurrent use; a nil *OffsetFile keeps nothing.
type OffsetFile struct {
	Path string

	mu  sync.Mutex
	m   map[string]FilePos
	mem bool // loaded
}

// Get returns the position saved for path.
func (o *OffsetFile) Get(path string) (FilePos, bool) {
	if o == nil {
		return FilePos{}, false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.load()
	p, ok := o.m[path]
	return p, ok
}

// Set saves the position of path.
func (o *OffsetFile) Set(path string, p FilePos) error {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.load()
	if o.m[path] == p {
		return nil
	}
	o.m[path] = p
	b, _ := json.MarshalIndent(o.m, "", "  ")
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return err
	}
	tmp := o.Path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save read offsets: %w", err)
	}
	return os.Rename(tmp, o.Path)
}

// load reads the file once; a missing or unreadable file starts empty (the files it names
// are then read from their ends, as on a first start).
func (o *OffsetFile) load() {
	if o.mem {
		return
	}
	o.mem, o.m = true, map[string]FilePos{}
	if b, err := os.ReadFile(o.Path); err == nil {
		_ = json.Unmarshal(b, &o.m)
	}
}

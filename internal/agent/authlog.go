package agent

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/normalize"
)

// DefaultAuthLogs are the authentication logs the agent follows, the first that exists:
// Debian's and Ubuntu's, then RHEL's. When neither exists the journal is read instead.
var DefaultAuthLogs = []string{"/var/log/auth.log", "/var/log/secure"}

// DefaultAuthLogInterval is how often the authentication log file is read.
const DefaultAuthLogInterval = 2 * time.Second

// maxAuthLine bounds one line of the authentication log; a longer one is skipped whole.
const maxAuthLine = 64 << 10

// authPrograms are the programs whose authentication log lines are shipped, with the
// facility each logs to by default (a log file does not record it; the journal does, and
// its value is used then). Every other line of the log (cron's PAM sessions, polkit, ...)
// stays on the device.
var authPrograms = map[string]string{
	// OpenSSH 9.8 moved the per-connection work (and its log lines) to sshd-session, and
	// 10.0 the authentication itself to sshd-auth.
	"sshd": "auth", "sshd-session": "auth", "sshd-auth": "auth",
	"sudo": "authpriv", "su": "auth", "login": "authpriv", "systemd-logind": "auth",
	// Account changes: a new user or a changed password is a way to stay on a host.
	"useradd": "auth", "userdel": "auth", "usermod": "auth", "groupadd": "auth", "groupdel": "auth",
	"groupmod": "auth", "gpasswd": "auth", "passwd": "auth", "chpasswd": "auth", "chage": "auth",
}

// AuthLineError is a line of the authentication log that is not a syslog line.
type AuthLineError struct {
	Offset int64 // byte offset of the line in the file
	Reason string
}

func (e *AuthLineError) Error() string {
	return fmt.Sprintf("auth log offset %d: %s", e.Offset, e.Reason)
}

// authLine is one parsed line of the authentication log.
type authLine struct {
	at   time.Time
	host string
	prog string
	pid  int
	msg  string
}

// parseAuthLine parses a line as rsyslog writes it, with a traditional timestamp ("Mar  9
// 22:14:15 web01 sshd[4123]: text", RHEL) or an RFC 3339 one ("2026-03-09T22:14:15.123456+00:00
// web01 sshd[4123]: text", Debian 12 and later), with the server's syslog parser. A
// traditional timestamp has no zone: it is the device's local time (loc), not UTC as the
// server must assume for a message from afar.
func parseAuthLine(line []byte, now time.Time, loc *time.Location) (authLine, error) {
	h, perr := normalize.ParseSyslog(append([]byte("<38>"), line...), now)
	switch {
	case perr != nil:
		return authLine{}, errors.New(perr.Reason)
	case h.Time.IsZero():
		return authLine{}, errors.New(`no timestamp at the start ("Mmm dd hh:mm:ss" or RFC 3339)`)
	case h.AppName == "":
		return authLine{}, errors.New(`no "program[pid]:" after the host name`)
	}
	t := h.Time
	if len(line) > 0 && line[0] >= 'A' && line[0] <= 'Z' { // a traditional timestamp
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	}
	l := authLine{at: t.UTC(), host: h.Hostname, prog: h.AppName, msg: string(h.Msg)}
	l.pid, _ = strconv.Atoi(h.ProcID)
	return l, nil
}

// syslogRow is the Syslog row the agent ships for a line. HostName and Computer are stamped
// by Telemetry with the device's name; the server derives DeviceLogonEvents and
// DeviceProcessEvents rows from it as it does for syslog it receives.
func (l authLine) syslogRow(facility, severity string) Row {
	ts := l.at.Format(time.RFC3339Nano)
	r := Row{"TimeGenerated": ts, "EventTime": ts, "Facility": facility, "ProcessName": l.prog,
		"SyslogMessage": strings.ToValidUTF8(l.msg, "\uFFFD"), "SourceSystem": "Linux"}
	if severity != "" {
		r["SeverityLevel"] = severity
	}
	if l.pid > 0 && l.pid <= 1<<31-1 {
		r["ProcessID"] = l.pid
	}
	return r
}

// sameHost says whether name, the host of a log line, is this device (named host): equal,
// or equal in its first label ("web01" and "web01.example.org"). A file that a central
// rsyslog also writes other hosts' lines to holds lines that are not this device's.
func sameHost(name, host string) bool {
	if host == "" || strings.EqualFold(name, host) {
		return true
	}
	first := func(s string) string { s, _, _ = strings.Cut(s, "."); return s }
	return strings.EqualFold(first(name), first(host))
}

// AuthLogReader reports the authentication lines appended to an authentication log file
// (auth.log, secure) since it last read it, as Syslog rows: only the lines of authPrograms
// written by this host. Where it stopped is kept in Offsets, so that a restarted agent goes
// on from there; a file seen for the first time is read from its end (its past is not
// reported). A file replaced by a new one (rotated: a new inode) is read from its start,
// after the rest of the old one when it is found beside it as <path>.1 (logrotate's first
// rename); a truncated file (copytruncate) is read from its start.
type AuthLogReader struct {
	Path string
	// Offsets keeps where the file was read to; nil keeps it in memory only.
	Offsets *OffsetFile
	// FromStart reads a file seen for the first time from its start.
	FromStart bool
	// Host is this device's host name: lines of other hosts are not shipped. Empty ships all.
	Host string
	// Location is the zone of traditional timestamps (default time.Local).
	Location *time.Location

	pos   FilePos
	known bool
}

// AuthReadStats says what a Read skipped.
type AuthReadStats struct {
	Bad       int   // lines that are not syslog lines
	FirstBad  error // the first of them, an *AuthLineError
	OtherHost int   // lines written by another host
}

// Read returns the rows of the authentication lines appended since the last Read.
func (a *AuthLogReader) Read() ([]Row, AuthReadStats, error) {
	var st AuthReadStats
	f, err := os.Open(a.Path)
	if err != nil {
		return nil, st, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, st, err
	}
	ino := inodeOf(fi)
	pos, known := a.pos, a.known
	if !known {
		pos, known = a.Offsets.Get(a.Path)
	}
	var rows []Row
	switch {
	case !known && !a.FromStart:
		pos.Offset = fi.Size()
	case known && pos.Inode != ino:
		// Rotated: what was written to the old file after the last read is read first.
		rows = a.finishRotated(pos, &st)
		pos.Offset = 0
	case !known || pos.Offset > fi.Size():
		pos.Offset = 0
	}
	pos.Inode = ino
	more, end, err := a.readLines(f, pos.Offset, &st)
	rows = append(rows, more...)
	if err != nil {
		return rows, st, err
	}
	pos.Offset = end
	a.pos, a.known = pos, true
	return rows, st, a.Offsets.Set(a.Path, pos)
}

// finishRotated reads the old file from where the last read stopped, when <path>.1 is it.
func (a *AuthLogReader) finishRotated(pos FilePos, st *AuthReadStats) []Row {
	f, err := os.Open(a.Path + ".1")
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || inodeOf(fi) != pos.Inode || pos.Offset > fi.Size() {
		return nil
	}
	rows, _, _ := a.readLines(f, pos.Offset, st)
	return rows
}

// readLines reads the whole lines of f from offset on and returns their rows and the offset
// after the last whole line: a line still being written is read whole next time.
func (a *AuthLogReader) readLines(f *os.File, offset int64, st *AuthReadStats) ([]Row, int64, error) {
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, offset, err
	}
	loc := a.Location
	if loc == nil {
		loc = time.Local
	}
	now := time.Now()
	br := bufio.NewReaderSize(f, maxAuthLine)
	var rows []Row
	start, long := offset, false // where the current line starts; inside a line past maxAuthLine
	for {
		chunk, err := br.ReadSlice('\n')
		offset += int64(len(chunk))
		if errors.Is(err, bufio.ErrBufferFull) {
			long = true
			continue
		}
		if errors.Is(err, io.EOF) {
			return rows, start, nil // a line still being written is read whole next time
		}
		if err != nil {
			return rows, start, err
		}
		if long {
			st.bad(&AuthLineError{Offset: start, Reason: fmt.Sprintf("line longer than %d bytes skipped", maxAuthLine)})
		} else if r, ok := a.lineRow(bytes.TrimRight(chunk, "\r\n"), start, now, loc, st); ok {
			rows = append(rows, r)
		}
		start, long = offset, false
	}
}

// lineRow is the row of one line, or false when the line is not shipped.
func (a *AuthLogReader) lineRow(line []byte, off int64, now time.Time, loc *time.Location, st *AuthReadStats) (Row, bool) {
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, false
	}
	l, err := parseAuthLine(line, now, loc)
	if err != nil {
		st.bad(&AuthLineError{Offset: off, Reason: err.Error()})
		return nil, false
	}
	facility, ok := authPrograms[l.prog]
	if !ok {
		return nil, false
	}
	if !sameHost(l.host, a.Host) {
		st.OtherHost++
		return nil, false
	}
	return l.syslogRow(facility, ""), true
}

func (s *AuthReadStats) bad(err *AuthLineError) {
	if s.Bad == 0 {
		s.FirstBad = err
	}
	s.Bad++
}

func inodeOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// Run reads the file every interval until ctx ends, calling emit with each Syslog row. A
// file that does not exist (yet) is waited for, and read from its start once it appears;
// other errors end it. Lines it cannot parse are logged, not shipped.
func (a *AuthLogReader) Run(ctx context.Context, interval time.Duration, log *slog.Logger, emit func(table string, r Row)) error {
	if interval <= 0 {
		interval = DefaultAuthLogInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rows, st, err := a.Read()
		switch {
		case errors.Is(err, os.ErrNotExist):
			a.FromStart = true
		case err != nil:
			return fmt.Errorf("auth log %s: %w", a.Path, err)
		}
		for _, r := range rows {
			emit("Syslog", r)
		}
		if st.Bad > 0 && log != nil {
			log.Warn("auth log lines not understood; not shipped", "file", a.Path, "lines", st.Bad, "first", st.FirstBad)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

package agent

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/normalize"
)

// ErrNoJournalctl says journalctl is not installed: the journal cannot be read.
var ErrNoJournalctl = errors.New("journalctl is not installed")

// rootDaemons are the authPrograms that always run as root. The journal records the sender's
// real uid (_UID), which a process cannot forge, while anyone may log under any name
// (`logger -t sshd`): an entry of these names from another uid is not theirs and is dropped.
// sudo and su are setuid programs and run with the caller's uid, so they are not checked.
var rootDaemons = map[string]bool{"sshd": true, "sshd-session": true, "sshd-auth": true, "login": true, "systemd-logind": true}

// AuthJournal follows the systemd journal for the authentication entries of authPrograms, on
// hosts without an authentication log file (journald only, no rsyslog), and reports them as
// Syslog rows. It runs `journalctl --follow --output=json` with a SYSLOG_IDENTIFIER match per
// program rather than linking libsystemd. The cursor of the last entry is kept in CursorFile,
// so that a restarted agent goes on after it (--after-cursor); without a cursor it starts at
// the journal's end (its past is not reported).
type AuthJournal struct {
	// Journalctl is the program (default "journalctl" on the PATH).
	Journalctl string
	// Args go before the matches: "--directory=DIR" reads another journal.
	Args []string
	// CursorFile keeps the cursor of the last entry read; empty keeps none.
	CursorFile string
	// Log receives restarts of journalctl and entries that are not understood.
	Log *slog.Logger
	// Restart is the wait before journalctl is started again after it exits (default 5s).
	Restart time.Duration

	mu     sync.Mutex
	cursor string
	dirty  bool
}

// args are journalctl's arguments: after the saved cursor, or from the end.
func (j *AuthJournal) args(cursor string) []string {
	a := []string{"--follow", "--output=json", "--no-pager", "--quiet"}
	if cursor != "" {
		a = append(a, "--after-cursor="+cursor)
	} else {
		a = append(a, "--lines=0")
	}
	a = append(a, j.Args...)
	names := make([]string, 0, len(authPrograms))
	for p := range authPrograms {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		// Matches of one field are alternatives (journalctl(1), "MATCHES").
		a = append(a, "SYSLOG_IDENTIFIER="+p)
	}
	return a
}

// Run follows the journal until ctx ends, calling emit with each Syslog row. It returns
// ErrNoJournalctl when journalctl is missing; when journalctl exits it is started again after
// Restart, and a saved cursor it refuses (a journal since deleted) is dropped.
func (j *AuthJournal) Run(ctx context.Context, emit func(table string, r Row)) error {
	prog := j.Journalctl
	if prog == "" {
		prog = "journalctl"
	}
	path, err := exec.LookPath(prog)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoJournalctl, err)
	}
	j.mu.Lock()
	j.cursor = j.loadCursor()
	j.mu.Unlock()
	wait := j.Restart
	if wait <= 0 {
		wait = 5 * time.Second
	}
	saveDone := make(chan struct{})
	go func() {
		defer close(saveDone)
		j.saveEvery(ctx, time.Second)
	}()
	defer func() { <-saveDone }()
	for {
		stderr, err := j.follow(ctx, path, emit)
		if ctx.Err() != nil {
			return nil
		}
		j.mu.Lock()
		if strings.Contains(stderr, "cursor") && j.cursor != "" {
			// journalctl cannot seek to a cursor of a journal that rotated away: go on from
			// the end rather than fail for ever.
			j.cursor, j.dirty = "", true
		}
		j.mu.Unlock()
		if j.Log != nil {
			j.Log.Warn("journalctl exited; starting it again", "err", err, "stderr", stderr, "in", wait)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// follow runs journalctl once, until it exits or ctx ends, and returns its standard error.
func (j *AuthJournal) follow(ctx context.Context, path string, emit func(string, Row)) (string, error) {
	j.mu.Lock()
	cmd := exec.CommandContext(ctx, path, j.args(j.cursor)...) //nolint:gosec // journalctl from the PATH or the configuration; the arguments are matches and a cursor journalctl wrote
	j.mu.Unlock()
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	bad := 0
	for sc.Scan() {
		row, cursor, err := journalRow(sc.Bytes())
		if err != nil {
			if bad++; bad == 1 && j.Log != nil {
				j.Log.Warn("journal entry not understood; not shipped", "err", err)
			}
		}
		if row != nil {
			emit("Syslog", row)
		}
		if cursor != "" {
			j.mu.Lock()
			j.cursor, j.dirty = cursor, true
			j.mu.Unlock()
		}
	}
	err = cmd.Wait()
	if err == nil {
		err = sc.Err()
	}
	return strings.TrimSpace(stderr.String()), err
}

// journalRow is the Syslog row of one entry of `journalctl --output=json`, nil for an entry
// not shipped, and the entry's cursor.
func journalRow(line []byte) (Row, string, error) {
	var e map[string]json.RawMessage
	if err := json.Unmarshal(line, &e); err != nil {
		return nil, "", fmt.Errorf("journal entry is not a JSON object: %w", err)
	}
	cursor := journalField(e, "__CURSOR")
	ident := journalField(e, "SYSLOG_IDENTIFIER")
	facility, ok := authPrograms[ident]
	if !ok || rootDaemons[ident] && journalField(e, "_UID") != "0" {
		return nil, cursor, nil
	}
	usec, err := strconv.ParseInt(journalField(e, "__REALTIME_TIMESTAMP"), 10, 64)
	if err != nil {
		return nil, cursor, fmt.Errorf("journal entry %s: __REALTIME_TIMESTAMP is not a number of microseconds", cursor)
	}
	l := authLine{at: time.UnixMicro(usec).UTC(), prog: ident, msg: journalField(e, "MESSAGE")}
	l.pid, _ = strconv.Atoi(journalField(e, "_PID"))
	if l.pid == 0 {
		l.pid, _ = strconv.Atoi(journalField(e, "SYSLOG_PID"))
	}
	if f, err := strconv.Atoi(journalField(e, "SYSLOG_FACILITY")); err == nil && normalize.FacilityName(f) != "" {
		facility = normalize.FacilityName(f)
	}
	severity := ""
	if p, err := strconv.Atoi(journalField(e, "PRIORITY")); err == nil {
		severity = normalize.SeverityName(p)
	}
	return l.syslogRow(facility, severity), cursor, nil
}

// journalField returns a field of an entry as text. journalctl writes a value that is not
// valid UTF-8 as an array of byte values, and a field given several times as an array of
// them (the first is taken).
func journalField(e map[string]json.RawMessage, name string) string {
	raw, ok := e[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var bs []byte
	var nums []int
	if json.Unmarshal(raw, &nums) == nil {
		for _, n := range nums {
			bs = append(bs, byte(n))
		}
		return string(bs)
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
		return journalField(map[string]json.RawMessage{name: many[0]}, name)
	}
	return ""
}

// saveEvery writes the cursor when it changed, every interval and once more when ctx ends:
// an entry is sent before its cursor is saved, so a crash repeats at most an interval's
// entries and loses none.
func (j *AuthJournal) saveEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			j.saveCursor()
			return
		case <-t.C:
			j.saveCursor()
		}
	}
}

func (j *AuthJournal) loadCursor() string {
	if j.CursorFile == "" {
		return ""
	}
	b, err := os.ReadFile(j.CursorFile)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (j *AuthJournal) saveCursor() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.dirty || j.CursorFile == "" {
		return
	}
	err := os.MkdirAll(filepath.Dir(j.CursorFile), 0o700)
	tmp := j.CursorFile + ".tmp"
	if err == nil {
		err = os.WriteFile(tmp, []byte(j.cursor+"\n"), 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, j.CursorFile)
	}
	if err != nil {
		if j.Log != nil {
			j.Log.Warn("cannot save the journal cursor; a restart may repeat entries", "err", err)
		}
		return
	}
	j.dirty = false
}

// limitedWriter keeps the first n bytes written to it and drops the rest.
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestJournalRow maps entries as `journalctl --output=json` writes them.
func TestJournalRow(t *testing.T) {
	const cur = `s=71c81b837d244f9aba62d35244320c40;i=1;b=0123456789abcdef0123456789abcdef;m=0;t=66125a82d9408;x=574902798cd44645`
	entry := func(fields string) string {
		return `{"__CURSOR":"` + cur + `","__REALTIME_TIMESTAMP":"1773094455250000","_BOOT_ID":"0123456789abcdef0123456789abcdef",` + fields + `}`
	}
	tests := []struct {
		name, line string
		want       Row // nil: not shipped
		err        string
	}{
		{"sshd from root", entry(`"SYSLOG_IDENTIFIER":"sshd","_UID":"0","_PID":"812","PRIORITY":"6","SYSLOG_FACILITY":"4","MESSAGE":"Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2"`),
			Row{"TimeGenerated": "2026-03-09T22:14:15.25Z", "ProcessName": "sshd", "ProcessID": 812, "Facility": "auth", "SeverityLevel": "info",
				"SyslogMessage": "Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2"}, ""},
		{"sshd-session", entry(`"SYSLOG_IDENTIFIER":"sshd-session","_UID":"0","_PID":"9","MESSAGE":"Accepted publickey for bob from 10.0.0.1 port 2 ssh2"`),
			Row{"ProcessName": "sshd-session", "Facility": "auth"}, ""},
		{"sshd from another uid is forged", entry(`"SYSLOG_IDENTIFIER":"sshd","_UID":"1000","_PID":"4","MESSAGE":"Accepted password for root from 192.0.2.1 port 1 ssh2"`), nil, ""},
		{"sudo runs as its caller", entry(`"SYSLOG_IDENTIFIER":"sudo","_UID":"1000","_PID":"77","SYSLOG_FACILITY":"10","PRIORITY":"5","MESSAGE":"alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/id"`),
			Row{"ProcessName": "sudo", "ProcessID": 77, "Facility": "authpriv", "SeverityLevel": "notice"}, ""},
		{"pid from SYSLOG_PID", entry(`"SYSLOG_IDENTIFIER":"su","SYSLOG_PID":"31","MESSAGE":"(to root) alice on pts/1"`), Row{"ProcessID": 31, "Facility": "auth"}, ""},
		{"message not UTF-8", entry(`"SYSLOG_IDENTIFIER":"sudo","_UID":"0","MESSAGE":[97,255,98]`), Row{"SyslogMessage": "a\uFFFDb"}, ""},
		{"other program", entry(`"SYSLOG_IDENTIFIER":"cron","_UID":"0","MESSAGE":"x"`), nil, ""},
		{"bad time", `{"__CURSOR":"c","__REALTIME_TIMESTAMP":"soon","SYSLOG_IDENTIFIER":"sudo","MESSAGE":"x"}`, nil,
			"journal entry c: __REALTIME_TIMESTAMP is not a number of microseconds"},
		{"not JSON", `{"__CURSOR":`, nil, "journal entry is not a JSON object: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		row, cursor, err := journalRow([]byte(tt.line))
		if got := fmt.Sprint(err); tt.err != "" && got != tt.err || tt.err == "" && err != nil {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		}
		if tt.err == "" && cursor != cur {
			t.Errorf("%s: cursor %q", tt.name, cursor)
		}
		if (row == nil) != (tt.want == nil) {
			t.Errorf("%s: row %v, want %v", tt.name, row, tt.want)
			continue
		}
		if row != nil {
			assertRows(t, []Row{row}, []Row{tt.want})
			checkRows(t, "Syslog", []Row{row})
		}
	}
}

// journalRemote finds systemd-journal-remote, which writes real journal files from the
// journal export format: the journal can be tested without journald running. .ci/run
// installs it, so under CI=true it must be there.
func journalRemote(t *testing.T) string {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("journal test cannot run under CI=true: %s", why)
		}
		t.Skip(why)
	}
	if _, err := exec.LookPath("journalctl"); err != nil {
		skip("journalctl is not installed")
	}
	for _, p := range []string{"/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	skip("systemd-journal-remote is not installed (Debian package systemd-journal-remote): no journal files to follow")
	return ""
}

// writeJournal appends entries to the journal file in dir, in the export format.
func writeJournal(t *testing.T, remote, dir string, entries ...map[string]string) {
	t.Helper()
	var b bytes.Buffer
	for _, e := range entries {
		fmt.Fprintf(&b, "__REALTIME_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_MACHINE_ID=0123456789abcdef0123456789abcdef\n", time.Now().UnixMicro())
		keys := make([]string, 0, len(e))
		for k := range e {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s\n", k, e[k])
		}
		b.WriteString("\n")
	}
	cmd := exec.Command(remote, "-o", filepath.Join(dir, "remote.journal"), "-")
	cmd.Stdin = &b
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
}

// followJournal runs j until the returned stop is called, sending its rows to the channel.
// With probe, it returns once journalctl follows: it calls probe (which writes an entry
// whose message holds "probe") until such a row arrives, and drops the probe rows; without,
// it returns at once. Strict fails on a row that is not a probe's before the probes (an entry
// the follower should have skipped); on a live journal other programs' rows may come too.
func followJournal(t *testing.T, j *AuthJournal, probe func(), strict bool) (<-chan Row, func()) {
	t.Helper()
	rows := make(chan Row, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- j.Run(ctx, func(table string, r Row) { rows <- r }) }()
	for deadline := time.Now().Add(15 * time.Second); probe != nil; {
		if time.Now().After(deadline) {
			t.Fatal("journalctl does not follow the journal: no probe entry came through")
		}
		probe()
		if drainProbes(t, rows, 500*time.Millisecond, strict) > 0 {
			break
		}
	}
	return rows, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("journal follower: %v", err)
		}
	}
}

// drainProbes takes the rows that come within quiet of each other and says how many were
// probes'.
func drainProbes(t *testing.T, rows <-chan Row, quiet time.Duration, strict bool) int {
	t.Helper()
	n := 0
	for {
		select {
		case r := <-rows:
			switch {
			case strings.Contains(fmt.Sprint(r["SyslogMessage"]), "probe"):
				n++
			case strict:
				t.Fatalf("a row before the probe: %v", r)
			}
		case <-time.After(quiet):
			return n
		}
	}
}

// nextRows waits for n rows, then briefly for any more, and returns their messages.
func nextRows(t *testing.T, rows <-chan Row, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(15 * time.Second)
	for len(got) < n {
		select {
		case r := <-rows:
			checkRows(t, "Syslog", []Row{r})
			got = append(got, fmt.Sprint(r["ProcessName"], ": ", r["SyslogMessage"]))
		case <-timeout:
			t.Fatalf("got %d rows, want %d: %q", len(got), n, got)
		}
	}
	select {
	case r := <-rows:
		t.Errorf("an extra row: %v", r)
	case <-time.After(300 * time.Millisecond):
	}
	return got
}

// TestAuthJournalFollows follows journal files with the real journalctl: entries from the
// start on only, forged sshd entries dropped, the cursor kept across a restart, and a cursor
// journalctl refuses dropped.
func TestAuthJournalFollows(t *testing.T) {
	remote := journalRemote(t)
	dir, state := t.TempDir(), t.TempDir()
	cursorFile := filepath.Join(state, "authlog.cursor")
	var logs bytes.Buffer
	newJournal := func() *AuthJournal {
		return &AuthJournal{Args: []string{"--directory=" + dir}, CursorFile: cursorFile, Restart: 200 * time.Millisecond,
			Log: slog.New(slog.NewTextHandler(&logs, nil))}
	}
	sshd := func(uid, msg string) map[string]string {
		return map[string]string{"SYSLOG_IDENTIFIER": "sshd", "_UID": uid, "_PID": "812", "SYSLOG_FACILITY": "4", "PRIORITY": "6", "MESSAGE": msg}
	}
	probe := func() { writeJournal(t, remote, dir, sshd("0", "Invalid user probe from 203.0.113.1 port 1")) }
	writeJournal(t, remote, dir, sshd("0", "Invalid user before-start from 203.0.113.7 port 1"))
	rows, stop := followJournal(t, newJournal(), probe, true)
	writeJournal(t, remote, dir,
		sshd("0", "Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2"),
		sshd("1000", "Accepted password for root from 192.0.2.1 port 1 ssh2"),
		map[string]string{"SYSLOG_IDENTIFIER": "CRON", "_UID": "0", "MESSAGE": "pam_unix(cron:session): session opened"},
		map[string]string{"SYSLOG_IDENTIFIER": "sudo", "_UID": "1000", "_PID": "77", "SYSLOG_FACILITY": "10",
			"MESSAGE": "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"})
	got := nextRows(t, rows, 2)
	want := []string{"sshd: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2",
		"sudo: alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
	stop()
	if c, err := os.ReadFile(cursorFile); err != nil || !strings.HasPrefix(string(c), "s=") {
		t.Fatalf("cursor file: %q, %v", c, err)
	}

	// Written while the agent was down: sent after the restart, and nothing before it again.
	writeJournal(t, remote, dir, sshd("0", "Invalid user while-down from 203.0.113.8 port 2"))
	rows, stop = followJournal(t, newJournal(), nil, true)
	if got := nextRows(t, rows, 1); got[0] != "sshd: Invalid user while-down from 203.0.113.8 port 2" {
		t.Errorf("after the restart: %q", got)
	}
	stop()

	// A cursor journalctl cannot seek to is dropped: the follower goes on from the end.
	if err := os.WriteFile(cursorFile, []byte("not-a-cursor\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rows, stop = followJournal(t, newJournal(), probe, true)
	writeJournal(t, remote, dir, sshd("0", "Invalid user after-bad-cursor from 203.0.113.9 port 3"))
	if got := nextRows(t, rows, 1); got[0] != "sshd: Invalid user after-bad-cursor from 203.0.113.9 port 3" {
		t.Errorf("after a bad cursor: %q", got)
	}
	stop()
	if !strings.Contains(logs.String(), "Failed to seek to cursor") {
		t.Errorf("journalctl's refusal is not logged:\n%s", logs.String())
	}
}

// TestAuthJournalMissing: without journalctl the follower says so.
func TestAuthJournalMissing(t *testing.T) {
	j := &AuthJournal{Journalctl: filepath.Join(t.TempDir(), "journalctl")}
	if err := j.Run(context.Background(), nil); !errors.Is(err, ErrNoJournalctl) {
		t.Errorf("Run = %v, want ErrNoJournalctl", err)
	}
}

// TestAuthJournalLive writes an sshd line to the running journald with logger and expects it
// from the follower. It needs journald running, which containers and CI machines without
// systemd do not have.
func TestAuthJournalLive(t *testing.T) {
	if _, err := os.Stat("/run/systemd/journal/socket"); err != nil {
		t.Skip("journald is not running here (no /run/systemd/journal/socket)")
	}
	if _, err := exec.LookPath("logger"); err != nil {
		t.Skip("logger is not installed")
	}
	ident := "sshd" // entries of sshd from another uid than root are dropped as forged
	if os.Getuid() != 0 {
		ident = "sudo"
	}
	prefix := fmt.Sprintf("Invalid user vigil-live-%d-", time.Now().UnixNano())
	n := 0
	// followJournal writes lines with logger until one comes through: journalctl starts at
	// the journal's end, so a line written before it has seeked is not seen.
	_, stop := followJournal(t, &AuthJournal{}, func() {
		n++
		msg := fmt.Sprintf("%s%d-probe from 203.0.113.10 port 4", prefix, n)
		if out, err := exec.Command("logger", "-t", ident, "-p", "auth.info", msg).CombinedOutput(); err != nil {
			t.Fatalf("logger: %v\n%s", err, out)
		}
	}, false)
	stop()
}

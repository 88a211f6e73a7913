package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vigilsec/vigil/internal/bus"
)

func TestParseAuthLine(t *testing.T) {
	now := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		line       string
		at         time.Time
		host, prog string
		pid        int
		msg, err   string
	}{
		{line: "Mar  9 22:14:15 web01 sshd[4123]: Accepted publickey for alice from 198.51.100.20 port 50222 ssh2: ED25519 SHA256:Qm9v",
			at: time.Date(2026, 3, 9, 21, 14, 15, 0, time.UTC), host: "web01", prog: "sshd", pid: 4123,
			msg: "Accepted publickey for alice from 198.51.100.20 port 50222 ssh2: ED25519 SHA256:Qm9v"},
		{line: "2026-03-09T22:14:15.123456+00:00 web01 sshd-session[77]: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2",
			at: time.Date(2026, 3, 9, 22, 14, 15, 123456000, time.UTC), host: "web01", prog: "sshd-session", pid: 77,
			msg: "Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2"},
		{line: "Mar 10 07:02:03 db02 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
			at: time.Date(2026, 3, 10, 6, 2, 3, 0, time.UTC), host: "db02", prog: "sudo",
			msg: "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"},
		// A December line read in January is last year's.
		{line: "Dec 31 23:59:59 web01 su[9]: (to root) alice on pts/1", at: time.Date(2025, 12, 31, 22, 59, 59, 0, time.UTC),
			host: "web01", prog: "su", pid: 9, msg: "(to root) alice on pts/1"},
		{line: "web01 sshd[1]: no time", err: `no timestamp at the start ("Mmm dd hh:mm:ss" or RFC 3339)`},
		{line: "Mar  9 22:14:15 web01 a line without a tag", err: `no "program[pid]:" after the host name`},
	}
	for _, tt := range tests {
		n := now
		if strings.HasPrefix(tt.line, "Dec") {
			n = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		}
		l, err := parseAuthLine([]byte(tt.line), n, berlin)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.line, err)
			continue
		}
		want := authLine{at: tt.at, host: tt.host, prog: tt.prog, pid: tt.pid, msg: tt.msg}
		if l != want {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.line, l, want)
		}
	}
}

// authFixture is what a Debian 12 host writes to /var/log/auth.log (RFC 3339 timestamps), for
// host, with lines that are not shipped in between.
func authFixture(host string, n int) []string {
	ts := func(s int) string {
		return time.Date(2026, 3, 9, 22, 14, s, 0, time.UTC).Add(time.Duration(n) * time.Minute).Format("2006-01-02T15:04:05.000000-07:00")
	}
	return []string{
		ts(1) + " " + host + " sshd[4123]: Accepted publickey for alice from 198.51.100.20 port 50222 ssh2: ED25519 SHA256:Qm9vb3RzdHJhcA",
		ts(2) + " " + host + " CRON[500]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
		ts(3) + " " + host + " sshd[4200]: Failed password for invalid user admin" + fmt.Sprint(n) + " from 203.0.113.7 port 52814 ssh2",
		ts(4) + " other-host sshd[1]: Accepted password for mallory from 192.0.2.1 port 1 ssh2",
		"garbage that is no syslog line",
		ts(5) + " " + host + " sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart ssh",
	}
}

func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		if _, err := f.WriteString(l + "\n"); err != nil {
			t.Fatal(err)
		}
	}
}

func messages(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r["ProcessName"], ": ", r["SyslogMessage"]))
	}
	return out
}

// TestAuthLogReader follows an auth.log as rsyslog and logrotate treat it: lines appended
// (one still being written), the reader restarted, the file rotated (with lines written to
// the old one after the last read) and truncated.
func TestAuthLogReader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.log")
	appendLines(t, path, authFixture("web01", 0)...) // the past: not reported
	offsets := &OffsetFile{Path: filepath.Join(dir, "state", "authlog.json")}
	r := &AuthLogReader{Path: path, Offsets: offsets, Host: "web01.example.org"}
	if rows, _, err := r.Read(); err != nil || len(rows) != 0 {
		t.Fatalf("first read = %v, %v; want the past skipped", rows, err)
	}

	appendLines(t, path, authFixture("web01", 1)...)
	rows, st, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"sshd: Accepted publickey for alice from 198.51.100.20 port 50222 ssh2: ED25519 SHA256:Qm9vb3RzdHJhcA",
		"sshd: Failed password for invalid user admin1 from 203.0.113.7 port 52814 ssh2",
		"sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart ssh",
	}
	if got := messages(rows); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows:\n%q\nwant\n%q", got, want)
	}
	assertRows(t, rows, []Row{
		{"TimeGenerated": "2026-03-09T22:15:01Z", "Facility": "auth", "ProcessID": 4123, "SourceSystem": "Linux"},
		{"ProcessID": 4200},
		{"Facility": "authpriv", "TimeGenerated": "2026-03-09T22:15:05Z"},
	})
	if _, ok := rows[2]["ProcessID"]; ok {
		t.Errorf("sudo line without a pid has a ProcessID: %v", rows[2])
	}
	checkRows(t, "Syslog", rows)
	if st.Bad != 1 || st.OtherHost != 1 || !strings.Contains(st.FirstBad.Error(), "no timestamp at the start") {
		t.Errorf("stats %+v, want one bad line and one of another host", st)
	}
	var lineErr *AuthLineError
	if !errors.As(st.FirstBad, &lineErr) || lineErr.Offset <= 0 {
		t.Errorf("bad line error %v has no offset", st.FirstBad)
	}

	// A line being written is read once it is whole.
	fixture2 := authFixture("web01", 2)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(fixture2[0][:30]); err != nil {
		t.Fatal(err)
	}
	if rows, _, err := r.Read(); err != nil || len(rows) != 0 {
		t.Fatalf("half a line read as %v, %v", rows, err)
	}
	if _, err := f.WriteString(fixture2[0][30:] + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// A restarted agent: a new reader over the same offsets file.
	r = &AuthLogReader{Path: path, Offsets: &OffsetFile{Path: offsets.Path}, Host: "web01"}
	rows, _, err = r.Read()
	if err != nil || len(rows) != 1 || rows[0]["ProcessID"] != 4123 {
		t.Fatalf("after the restart: %v, %v; want the completed line only", messages(rows), err)
	}

	// Rotation: a line reaches the old file after the last read, then logrotate renames it
	// to auth.log.1 and a new auth.log starts.
	appendLines(t, path, fixture2[2])
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, authFixture("web01", 3)[5])
	rows, _, err = r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(rows); len(got) != 2 || !strings.Contains(got[0], "admin2") || !strings.HasPrefix(got[1], "sudo") {
		t.Fatalf("after rotation: %q; want the old file's last line, then the new file's", got)
	}

	// copytruncate: the file is emptied in place and written again.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, authFixture("web01", 4)[2])
	rows, _, err = r.Read()
	if got := messages(rows); err != nil || len(got) != 1 || !strings.Contains(got[0], "admin4") {
		t.Fatalf("after truncation: %q, %v", got, err)
	}
	if rows, _, err = r.Read(); err != nil || len(rows) != 0 {
		t.Errorf("nothing new: %v, %v", rows, err)
	}
}

// TestAuthLogLongLine: a line past maxAuthLine is skipped whole, even while it is being
// written, and the lines after it are read.
func TestAuthLogLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secure")
	r := &AuthLogReader{Path: path, FromStart: true, Location: time.UTC}
	long := "Mar  9 22:14:15 web01 sshd[1]: " + strings.Repeat("x", maxAuthLine+10)
	appendLines(t, path, "Mar  9 22:14:14 web01 sshd[1]: Invalid user a from 192.0.2.1 port 2")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(long); err != nil {
		t.Fatal(err)
	}
	rows, st, err := r.Read()
	if err != nil || len(rows) != 1 || st.Bad != 0 {
		t.Fatalf("before the long line ends: %v %+v %v", messages(rows), st, err)
	}
	if _, err := f.WriteString("\nMar  9 22:14:16 web01 sshd[1]: Invalid user b from 192.0.2.1 port 2\n"); err != nil {
		t.Fatal(err)
	}
	rows, st, err = r.Read()
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0]["SyslogMessage"].(string), "user b") || st.Bad != 1 ||
		!strings.Contains(st.FirstBad.Error(), "longer than") {
		t.Fatalf("after it: %v %+v %v", messages(rows), st, err)
	}
	if rows[0]["TimeGenerated"] != fmt.Sprintf("%d-03-09T22:14:16Z", time.Now().Year()) && rows[0]["TimeGenerated"] != fmt.Sprintf("%d-03-09T22:14:16Z", time.Now().Year()-1) {
		t.Errorf("traditional timestamp in UTC read as %v", rows[0]["TimeGenerated"])
	}
}

// TestRunSendsAuthLog runs the agent with the auth log collector on a temporary auth.log:
// lines appended while it runs reach the server as Syslog rows, a rotation loses nothing, and
// a restarted agent sends what was written while it was down and nothing twice.
func TestRunSendsAuthLog(t *testing.T) {
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{StoreDir: t.TempDir(), Agents: &bus.AgentListener{Listen: "127.0.0.1:0"}}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	if err := b.SetAgents([]bus.AgentUser{{NKey: pub, Tenant: "t1", Device: "d1"}}); err != nil {
		t.Fatal(err)
	}
	id := Identity{Tenant: "t1", DeviceID: "d1", Seed: string(seed)}
	host, _ := os.Hostname()
	path := filepath.Join(t.TempDir(), "auth.log")
	appendLines(t, path, authFixture(host, 0)...)
	state := newTestDevice(t).State
	start := func() context.CancelFunc {
		nc, err := Connect("nats://"+b.AgentAddr(), id, nil, slog.Default())
		if err != nil {
			t.Fatal(err)
		}
		d := &Device{State: state, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
			Collect: CollectConfig{AuthLog: path, Disable: []string{"network", "files", "logons", "inventory"}}}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = d.Run(rctx, nc, id) }()
		return func() { cancel(); <-done; nc.Close() }
	}
	stop := start()
	// The first read skips the file's past and saves where it stopped.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(filepath.Dir(state.Path), "authlog.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the auth log collector did not read the file")
		}
	}

	js, _ := jetstream.New(b.Conn())
	appendLines(t, path, authFixture(host, 1)...)
	if !waitRow(t, js, "Syslog", func(r Row) bool {
		return strings.Contains(fmt.Sprint(r["SyslogMessage"]), "admin1") && r["HostName"] == host && r["Facility"] == "auth"
	}, 15*time.Second) {
		t.Fatal("no Syslog row of the appended lines reached the server")
	}
	appendLines(t, path, authFixture(host, 2)[2])
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, path, authFixture(host, 3)[2])
	if !waitRow(t, js, "Syslog", func(r Row) bool { return strings.Contains(fmt.Sprint(r["SyslogMessage"]), "admin3") }, 15*time.Second) {
		t.Fatal("no Syslog row of the rotated file reached the server")
	}
	stop()
	appendLines(t, path, authFixture(host, 4)[2])
	stop = start()
	defer stop()
	if !waitRow(t, js, "Syslog", func(r Row) bool { return strings.Contains(fmt.Sprint(r["SyslogMessage"]), "admin4") }, 15*time.Second) {
		t.Fatal("the line written while the agent was down did not reach the server")
	}
	got := map[string]int{}
	for _, r := range streamRows(t, js, "Syslog") {
		got[fmt.Sprint(r["ProcessName"], ": ", r["SyslogMessage"])]++
	}
	wantN := map[string]int{"admin0": 0, "admin1": 1, "admin2": 1, "admin3": 1, "admin4": 1, "publickey for alice": 1, "COMMAND=": 1, "mallory": 0, "CRON": 0}
	for word, n := range wantN {
		c := 0
		for m, k := range got {
			if strings.Contains(m, word) {
				c += k
			}
		}
		if c != n {
			t.Errorf("%d rows mention %q, want %d (rows %v)", c, word, n, got)
		}
	}
}

// streamRows returns every row of table the device sent, from the telemetry stream.
func streamRows(t *testing.T, js jetstream.JetStream, table string) []Row {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, bus.AgentTelemetryStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []Row
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil || m.Subject != "vigil.agent.t1.d1.telemetry."+table {
			continue
		}
		var rows []Row
		if err := json.Unmarshal(m.Data, &rows); err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
	}
	return out
}

// FuzzParseAuthLine: no line panics the parser, and a line it takes has a time and a program.
func FuzzParseAuthLine(f *testing.F) {
	for _, l := range authFixture("web01", 0) {
		f.Add(l)
	}
	f.Add("Mar  9 22:14:15 web01 sshd[4123]: Invalid user a from 192.0.2.1")
	f.Add("Dec 31 23:59:59 web01 su: x")
	f.Fuzz(func(t *testing.T, line string) {
		l, err := parseAuthLine([]byte(line), time.Now(), time.UTC)
		if err == nil && (l.at.IsZero() || l.prog == "") {
			t.Errorf("%q parsed to %+v", line, l)
		}
	})
}

// FuzzJournalRow: no entry panics the mapping, and a row it ships is of an auth program.
func FuzzJournalRow(f *testing.F) {
	f.Add(`{"__CURSOR":"c","__REALTIME_TIMESTAMP":"1773094455250000","SYSLOG_IDENTIFIER":"sshd","_UID":"0","_PID":"1","MESSAGE":"x"}`)
	f.Add(`{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":["sudo","su"],"MESSAGE":[255,0]}`)
	f.Fuzz(func(t *testing.T, line string) {
		row, _, err := journalRow([]byte(line))
		if row != nil {
			if _, ok := authPrograms[fmt.Sprint(row["ProcessName"])]; !ok || err != nil {
				t.Errorf("%q shipped as %v (%v)", line, row, err)
			}
		}
	})
}

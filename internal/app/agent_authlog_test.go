package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vigilagent "github.com/vigilsec/vigil/internal/agent"
)

// TestAgentAuthLog runs an enrolled agent whose auth log collector follows a temporary
// auth.log, appends sshd and sudo lines to it, and hunts for them: the Syslog rows, and the
// DeviceLogonEvents and DeviceProcessEvents rows the server derives from them, with the
// agent's DeviceId.
func TestAgentAuthLog(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Agents.Listen = "127.0.0.1:0" })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := s.do(t, "POST", "/api/v1/agents/enrollmentTokens", []byte(`{"expiresInHours":1}`), nil)
	mustStatus(t, r, http.StatusCreated)
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(r.body), &tok)
	state := t.TempDir()
	id, err := vigilagent.Enroll(ctx, s.url, tok.Token, state, nil)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	nc, err := vigilagent.Connect("nats://"+s.a.bus.AgentAddr(), id, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	authLog := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(authLog, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	dev := &vigilagent.Device{State: &vigilagent.StateFile{Path: filepath.Join(state, "state.json")},
		Quarantine: vigilagent.Quarantine{Dir: filepath.Join(state, "quarantine")}, Servers: []string{"127.0.0.1"},
		Collect: vigilagent.CollectConfig{AuthLog: authLog, Disable: []string{"network", "files", "logons", "inventory"}}}
	go func() { _ = dev.Run(ctx, nc, id) }()
	// The collector's first read takes the file from its end and saves where it stopped:
	// lines appended after that are sent.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(state, "authlog.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the auth log collector did not read the file")
		}
	}

	host, _ := os.Hostname()
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	ts := func(s int) string {
		return at.Add(time.Duration(s) * time.Second).Format("2006-01-02T15:04:05.000000-07:00")
	}
	lines := []string{
		ts(1) + " " + host + " sshd[4123]: Accepted publickey for alice from 198.51.100.20 port 50222 ssh2: ED25519 SHA256:Qm9vb3RzdHJhcA",
		ts(2) + " " + host + " sshd-session[4200]: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2",
		ts(3) + " " + host + " CRON[500]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
		ts(4) + " " + host + " sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart ssh",
	}
	f, err := os.OpenFile(authLog, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	hunts := []struct{ query, want string }{
		{`Syslog | where HostName == "` + host + `" | order by TimeGenerated asc | project ProcessName, ProcessID, Facility`,
			`[{"Facility":"auth","ProcessID":4123,"ProcessName":"sshd"},{"Facility":"auth","ProcessID":4200,"ProcessName":"sshd-session"},` +
				`{"Facility":"authpriv","ProcessID":null,"ProcessName":"sudo"}]`},
		{`DeviceLogonEvents | order by Timestamp asc | project DeviceId, DeviceName, ActionType, AccountName, RemoteIP, RemotePort, Protocol`,
			`[{"AccountName":"alice","ActionType":"LogonSuccess","DeviceId":"` + id.DeviceID + `","DeviceName":"` + host + `","Protocol":"SSH","RemoteIP":"198.51.100.20","RemotePort":50222},` +
				`{"AccountName":"admin","ActionType":"LogonFailed","DeviceId":"` + id.DeviceID + `","DeviceName":"` + host + `","Protocol":"SSH","RemoteIP":"203.0.113.7","RemotePort":52814}]`},
		{`DeviceProcessEvents | where InitiatingProcessFileName == "sudo" | project DeviceId, AccountName, InitiatingProcessAccountName, ProcessCommandLine`,
			`[{"AccountName":"root","DeviceId":"` + id.DeviceID + `","InitiatingProcessAccountName":"alice","ProcessCommandLine":"/usr/bin/systemctl restart ssh"}]`},
	}
	for _, h := range hunts {
		var got string
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			var status int
			if status, got = s.hunt(t, "default", h.query); status == http.StatusOK && got == h.want {
				break
			}
		}
		if got != h.want {
			t.Errorf("%s\n got %s\nwant %s", h.query, got, h.want)
		}
	}
	if errs := s.sql(t, `SELECT "Table", Reason FROM IngestionErrors WHERE "Table" IN ('Syslog', 'DeviceLogonEvents', 'DeviceProcessEvents')`); len(errs) != 0 {
		t.Errorf("ingestion errors: %v", errs)
	}
}

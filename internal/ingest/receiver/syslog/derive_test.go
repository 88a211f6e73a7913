package syslog

import (
	"testing"
	"time"
)

// TestDerivedRows checks that sshd and sudo lines reach DeviceLogonEvents and
// DeviceProcessEvents besides Syslog, in the same batches, and that the received-message
// metric counts each message once.
func TestDerivedRows(t *testing.T) {
	h := start(t, Config{BatchWait: 10 * time.Millisecond, MaxMessageBytes: 1024}, 0)
	a := h.r.Addr()
	send(t, "tcp", a.TCP, "<38>Mar  9 22:14:15 web01 sshd[4123]: Accepted password for alice from 198.51.100.20 port 50022 ssh2\n"+
		"<85>Mar  9 22:14:20 web01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id\n"+
		"<38>Mar  9 22:14:25 web01 sshd[4123]: Connection closed by 198.51.100.20 port 50022\n")
	h.waitFor(t, 5, 0)
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	for table, want := range map[string]int{"Syslog": 3, "DeviceLogonEvents": 1, "DeviceProcessEvents": 1} {
		if got := len(h.f.rows[table]); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	if got := gathered(t, h.reg, "vigil_ingest_receiver_messages_total", "syslog", "tcp"); got != 3 {
		t.Errorf("messages received = %v, want 3", got)
	}
}

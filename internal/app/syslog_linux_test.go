package app

import (
	"net"
	"os/exec"
	"testing"
	"time"
)

// TestSyslogReceiverDerivesLinuxAuth sends an sshd logon and a sudo command with util-linux
// logger over TCP and checks that, besides their Syslog rows, they land in DeviceLogonEvents
// and DeviceProcessEvents.
func TestSyslogReceiverDerivesLinuxAuth(t *testing.T) {
	loggerPath := needLogger(t)
	s := startTest(t, func(c *Config) {
		c.Receivers.Syslog.TCP = "127.0.0.1:0"
		c.Receivers.Syslog.BatchWait = 10 * time.Millisecond
	})
	_, tcpPort, _ := net.SplitHostPort(s.a.syslog.Addr().TCP)
	for _, args := range [][]string{
		{"--rfc3164", "-t", "sshd", "--id=5150", "-p", "auth.info", "Accepted password for alice from 198.51.100.20 port 50022 ssh2"},
		{"--rfc5424", "-t", "sshd", "--id=5151", "-p", "auth.info", "Failed password for invalid user admin from 203.0.113.7 port 41122 ssh2"},
		{"--rfc3164", "-t", "sudo", "-p", "authpriv.notice", "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"},
	} {
		out, err := exec.Command(loggerPath, append([]string{"--server", "127.0.0.1", "--port", tcpPort, "--tcp"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("logger %v: %v\n%s", args, err, out)
		}
	}
	waitRows(t, s, `SELECT count(*) FROM Syslog`, "3")
	waitRows(t, s, `SELECT count(*) FROM DeviceLogonEvents`, "2")
	waitRows(t, s, `SELECT count(*) FROM DeviceProcessEvents`, "1")

	got := query(t, s, `SELECT ActionType, AccountName, RemoteIP, RemotePort, LogonType, Protocol, InitiatingProcessId FROM DeviceLogonEvents ORDER BY ActionType`)
	want := []string{
		"[LogonFailed admin 203.0.113.7 41122 Network SSH 5151]",
		"[LogonSuccess alice 198.51.100.20 50022 Network SSH 5150]",
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("DeviceLogonEvents:\n got %v\nwant %v", got, want)
	}
	// DeviceName is the sender's host name, as the Syslog row has it.
	waitRows(t, s, `SELECT count(*) FROM DeviceLogonEvents l JOIN Syslog s ON l.DeviceName = s.HostName AND s.ProcessName = 'sshd' AND l.InitiatingProcessId = s.ProcessID`, "2")
	got = query(t, s, `SELECT FileName, FolderPath, ProcessCommandLine, AccountName, InitiatingProcessAccountName, InitiatingProcessFileName FROM DeviceProcessEvents`)
	if w := "[systemctl /usr/bin/systemctl /usr/bin/systemctl restart nginx root alice sudo]"; len(got) != 1 || got[0] != w {
		t.Errorf("DeviceProcessEvents: %v, want %s", got, w)
	}
}

package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestSyslogReceiver starts the server with the syslog receiver on UDP and TCP, sends with
// util-linux logger (a real syslog sender) and with a Go client using RFC 6587 octet counting,
// and checks the rows in Syslog, CommonSecurityLog and IngestionErrors.
func TestSyslogReceiver(t *testing.T) {
	loggerPath := needLogger(t)
	s := startTest(t, func(c *Config) {
		c.Receivers.Syslog.UDP, c.Receivers.Syslog.TCP = "127.0.0.1:0", "127.0.0.1:0"
		c.Receivers.Syslog.BatchWait = 10 * time.Millisecond
	})
	addr := s.a.syslog.Addr()
	_, tcpPort, _ := net.SplitHostPort(addr.TCP)
	_, udpPort, _ := net.SplitHostPort(addr.UDP)
	runLogger := func(args ...string) {
		t.Helper()
		out, err := exec.Command(loggerPath, append([]string{"--server", "127.0.0.1"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("logger %v: %v\n%s", args, err, out)
		}
	}
	runLogger("--port", tcpPort, "--tcp", "--rfc5424", "-t", "sshd", "--id=4242", "-p", "auth.err", "--msgid", "AUTH",
		"--sd-id", "origin@32473", "--sd-param", `ip="10.1.2.3"`, "Failed password for root from 203.0.113.7 port 52814 ssh2")
	runLogger("--port", tcpPort, "--tcp", "--octet-count", "--rfc3164", "-t", "sudo", "-p", "authpriv.notice",
		"alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/true")
	runLogger("--port", udpPort, "--udp", "--rfc3164", "-t", "CRON", "--id=777", "-p", "cron.info", "(root) CMD (/usr/local/bin/backup.sh)")
	runLogger("--port", tcpPort, "--tcp", "--rfc3164", "-t", "fw", "-p", "local4.warning",
		"CEF:0|Palo Alto Networks|PAN-OS|10.1.0|THREAT|url|5|src=10.0.0.15 dst=203.0.113.80 spt=52311 dpt=443 act=block-url request=http://bad.example/x suser=corp\\\\alice")

	c, err := net.Dial("tcp", addr.TCP)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{
		"<134>1 2024-03-10T10:00:00.5Z fw02 - - - - LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^dstPort=22",
		"<14>1 2024-03-10T10:00:01Z gohost goclient 99 - [x@1 a=\"b\"] octet counted",
		"no header at all",
	} {
		fmt.Fprintf(c, "%d %s", len(m), m)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	waitRows(t, s, `SELECT count(*) FROM Syslog`, "4")
	waitRows(t, s, `SELECT count(*) FROM CommonSecurityLog`, "2")
	waitRows(t, s, `SELECT count(*) FROM IngestionErrors`, "1")

	q := `SELECT Facility, SeverityLevel, ProcessName, ProcessID, HostIP, TenantId, SyslogMessage FROM Syslog ORDER BY ProcessName`
	want := []string{
		"[cron info CRON 777 127.0.0.1 default (root) CMD (/usr/local/bin/backup.sh)]",
		`[user info goclient 99 127.0.0.1 default [x@1 a="b"] octet counted]`,
		"[auth err sshd 4242 127.0.0.1 default ", // SD follows: logger adds timeQuality
		"[authpriv notice sudo <nil> 127.0.0.1 default alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/true]",
	}
	rows := query(t, s, q)
	for i, w := range want {
		if i >= len(rows) || !strings.HasPrefix(rows[i], w) {
			t.Errorf("Syslog row %d:\n got %v\nwant prefix %s", i, rows, w)
		}
	}
	if len(rows) > 2 && (!strings.Contains(rows[2], `[origin@32473 ip="10.1.2.3"]`) || !strings.HasSuffix(rows[2], "Failed password for root from 203.0.113.7 port 52814 ssh2]")) {
		t.Errorf("sshd row %s: want the structured data and the message", rows[2])
	}
	q = `SELECT DeviceVendor, DeviceEventClassID, SourceIP, DestinationIP, SourcePort, DestinationPort, DeviceAction, RequestURL, SourceUserName FROM CommonSecurityLog ORDER BY DeviceVendor`
	got := query(t, s, q)
	wantCSL := []string{
		"[Lancope 41 10.0.1.8 10.0.0.5 <nil> 22 <nil> <nil> <nil>]",
		`[Palo Alto Networks THREAT 10.0.0.15 203.0.113.80 52311 443 block-url http://bad.example/x corp\alice]`,
	}
	if strings.Join(got, "\n") != strings.Join(wantCSL, "\n") {
		t.Errorf("CommonSecurityLog:\n got %v\nwant %v", got, wantCSL)
	}
	got = query(t, s, `SELECT "Table", Source, Reason, RawData FROM IngestionErrors`)
	if w := "[Syslog syslog syslog: offset 0: missing <PRI> at the start of the message no header at all]"; len(got) != 1 || got[0] != w {
		t.Errorf("IngestionErrors: %v, want %s", got, w)
	}
}

func query(t *testing.T, s *testServer, q string) []string {
	t.Helper()
	res, err := s.a.store.Query(context.Background(), q, 100)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	out := make([]string, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = fmt.Sprint(r)
	}
	return out
}

func waitRows(t *testing.T, s *testServer, q, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		if got = query(t, s, q); len(got) == 1 && got[0] == "["+want+"]" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %v, want %s", q, got, want)
}

func TestSyslogReceiverConfig(t *testing.T) {
	tests := []struct{ yaml, err string }{
		{"receivers: {syslog: {udp: 0.0.0.0:514, tcp: \"[::]:6514\"}}", ""},
		{"receivers: {syslog: {udp: localhost}}", `config: receivers.syslog.udp: "localhost" is not host:port`},
		{"receivers: {syslog: {tenant: \"a b\"}}", `config: receivers.syslog.tenant: "a b" is not a tenant id (1 to 64 letters, digits, '_' or '-')`},
		{"receivers: {syslog: {maxMessageBytes: 2MiB}}", "config: receivers.syslog.maxMessageBytes: must be between 480B (the RFC 3164 minimum) and 1MiB"},
		{"receivers: {syslog: {batchSize: 0}}", "config: receivers.syslog: maxConnections and batchWait must be positive, batchSize 1 to 100000"},
		{"receivers: {syslog: {port: 514}}", `config: line 1: unknown key "port" in section receivers.syslog`},
	}
	for _, tt := range tests {
		c, err := ParseConfig([]byte(tt.yaml))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("%s:\n got %q\nwant %q", tt.yaml, got, tt.err)
		}
		if tt.err == "" && !c.Receivers.Syslog.Enabled() {
			t.Errorf("%s: receiver not enabled", tt.yaml)
		}
	}
	if Default().Receivers.Syslog.Enabled() {
		t.Error("the syslog receiver is enabled by default; it must be opt-in")
	}
}

// needLogger returns the path of util-linux logger, a real syslog sender; without it the
// test is skipped, or fails in CI.
func needLogger(t *testing.T) string {
	t.Helper()
	loggerPath, err := exec.LookPath("logger")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("util-linux logger is required in CI: apt-get install bsdutils")
		}
		t.Skip("util-linux logger not installed (apt-get install bsdutils); skipping the real-sender test")
	}
	return loggerPath
}

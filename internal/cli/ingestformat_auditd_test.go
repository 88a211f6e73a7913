package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIngestAuditd sends an audit.log with interleaved records and a line that is not a record
// through `vigil ingest --format auditd` to the real server, in batches of two events.
func TestIngestAuditd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	url, data := startServer(t)
	file := filepath.Join(t.TempDir(), "audit.log")
	text := `node=h1 type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=10 auid=1000 uid=0 ses=1 comm="id" exe="/usr/bin/id"` + "\n" +
		`node=h1 type=USER_AUTH msg=audit(1700000000.200:457): pid=20 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication acct="bob" exe="/usr/sbin/sshd" hostname=? addr=203.0.113.9 terminal=ssh res=failed'` + "\n" +
		`node=h1 type=EXECVE msg=audit(1700000000.123:456): argc=2 a0="id" a1=2D2D68656C70` + "\n" +
		"bogus\n" +
		`node=h1 type=USER_LOGIN msg=audit(1700000001.000:458): pid=21 uid=0 auid=1000 ses=5 msg='op=login acct="alice" exe="/usr/sbin/sshd" hostname=? addr=198.51.100.1 terminal=ssh res=success'` + "\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("ingest", file, "--format", "auditd", "--batch", "2", "--server", url, "--data", data)
	if code != 2 || out != "7 rows accepted, 1 rejected (see the IngestionErrors table)\n" ||
		errOut != "line 4: auditd: missing type= at the start of the record\n" {
		t.Errorf("auditd: %d %q %q", code, out, errOut)
	}
	waitSQL(t, url, data, "SELECT DeviceName, FileName, ProcessCommandLine, AccountName FROM DeviceProcessEvents",
		"DeviceName,FileName,ProcessCommandLine,AccountName\nh1,id,id --help,root\n")
	waitSQL(t, url, data, "SELECT ActionType, AccountName, RemoteIP, LogonType FROM DeviceLogonEvents ORDER BY Timestamp",
		"ActionType,AccountName,RemoteIP,LogonType\nLogonFailed,bob,203.0.113.9,Network\nLogonSuccess,alice,198.51.100.1,Network\n")
	waitSQL(t, url, data, "SELECT count(*) AS n FROM Syslog WHERE ProcessName = 'audispd'", "n\n4\n")
	waitSQL(t, url, data, "SELECT Reason, RawData FROM IngestionErrors", "Reason,RawData\nauditd: missing type= at the start of the record,bogus\n")
}

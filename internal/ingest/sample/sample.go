// Package sample makes realistic rows for tests, benchmarks and the demo: process creation
// events of about 1 KB in the DeviceProcessEvents shape, as Defender's sensor reports them.
package sample

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

var (
	devices  = []string{"ws-fin-014.contoso.local", "ws-hr-002.contoso.local", "srv-sql-01.contoso.local", "ws-dev-117.contoso.local", "dc-01.contoso.local"}
	accounts = []string{"alice", "bob", "carol", "dave", "svc_backup"}
	procs    = []struct{ name, folder, cmd string }{
		{"powershell.exe", `C:\Windows\System32\WindowsPowerShell\v1.0`, `powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\Users\%s\AppData\Local\Temp\update-%d.ps1`},
		{"cmd.exe", `C:\Windows\System32`, `cmd.exe /c whoami /all > C:\Users\%s\AppData\Local\Temp\out-%d.txt`},
		{"chrome.exe", `C:\Program Files\Google\Chrome\Application`, `"chrome.exe" --type=renderer --user=%s --renderer-client-id=%d --lang=en-US`},
		{"rundll32.exe", `C:\Windows\System32`, `rundll32.exe C:\Users\%s\AppData\Roaming\lib%d.dll,DllRegisterServer`},
		{"svchost.exe", `C:\Windows\System32`, `svchost.exe -k netsvcs -p -s Schedule /u %s /id %d`},
	}
)

func hash(s string, n int) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:n]
}

// ProcessEvent returns row id as one NDJSON line (without the newline) of about 1 KB, with
// ReportId = id and a Timestamp derived from base and id.
func ProcessEvent(id int64, base time.Time) []byte {
	p := procs[id%int64(len(procs))]
	dev := devices[id%int64(len(devices))]
	acct := accounts[(id/3)%int64(len(accounts))]
	ts := base.Add(time.Duration(id) * time.Millisecond).UTC().Format(time.RFC3339Nano)
	cmd := fmt.Sprintf(p.cmd, acct, id%9973)
	key := strconv.FormatInt(id%5000, 10)
	return fmt.Appendf(nil, `{"Timestamp":%q,"DeviceId":%q,"DeviceName":%q,"ActionType":"ProcessCreated","FileName":%q,"FolderPath":%q,`+
		`"SHA1":%q,"SHA256":%q,"MD5":%q,"FileSize":%d,"ProcessId":%d,"ProcessCommandLine":%q,"ProcessIntegrityLevel":"Medium",`+
		`"ProcessCreationTime":%q,"AccountDomain":"contoso","AccountName":%q,`+
		`"AccountSid":"S-1-5-21-1004336348-1177238915-682003330-%d","LogonId":%d,"InitiatingProcessFileName":"explorer.exe",`+
		`"InitiatingProcessId":%d,`+
		`"InitiatingProcessSHA256":%q,"InitiatingProcessAccountName":%q,"InitiatingProcessParentFileName":"userinit.exe","ReportId":%d}`,
		ts, hash(dev, 40), dev, p.name, p.folder+`\`+p.name,
		hash(p.name+key, 40), hash(p.name+key+"256", 64), hash(p.name+key+"md5", 32), 100000+id%777777, 1000+id%60000, cmd,
		ts, acct, 1100+id%5, 0x3e7+id%999, 500+id%3000, hash("explorer", 64), acct, id)
}

// ProcessEvents returns n rows as NDJSON, ids first..first+n-1.
func ProcessEvents(first int64, n int, base time.Time) []byte {
	out := make([]byte, 0, n*1100)
	for i := 0; i < n; i++ {
		out = append(out, ProcessEvent(first+int64(i), base)...)
		out = append(out, '\n')
	}
	return out
}

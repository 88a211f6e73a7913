package normalize

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// normalizeAuditd normalizes testdata/formats/auditd.log sent for the device "audit-host".
func normalizeAuditd(t *testing.T, n *Normalizer) ([]Item, []byte) {
	t.Helper()
	b := readSample(t, "auditd.log")
	items, err := n.NormalizeHost(AuditdFormat, b, "audit-host")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		for _, rec := range it.Records {
			checkRecord(t, rec)
		}
	}
	return items, b
}

func TestAuditdRecords(t *testing.T) {
	items, data := normalizeAuditd(t, newTestNormalizer(t))
	want := []string{
		"Syslog Syslog Syslog Syslog Syslog Syslog DeviceProcessEvents", // execve, enriched, node=
		"Syslog Syslog DeviceProcessEvents",                             // records interleaved with the next event
		"Syslog DeviceLogonEvents",                                      // USER_AUTH res=failed
		"Syslog Syslog DeviceProcessEvents",                             // argument written in parts
		"Syslog DeviceLogonEvents",                                      // USER_LOGIN
		"Syslog",                                                        // USER_START: Syslog only
		"Syslog DeviceLogonEvents",                                      // USER_ERR
		"Syslog Syslog",                                                 // failed execve
		"Syslog!missing type= at the start of the record",
		`Syslog!invalid audit(seconds.millis:serial) id "17000x0:1"`,
		"Syslog!missing msg=audit( after the type",
	}
	got := summary(items)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Error items carry the byte offset of their line and the offset of the fault in it.
	for _, tt := range []struct {
		item   int
		prefix string
		off    int
	}{{8, "this is not", 0}, {9, "type=SYSCALL msg=audit(17000x0", 23}, {10, "type=DAEMON_START", 18}} {
		it := items[tt.item]
		if !strings.HasPrefix(string(data[it.Offset:]), tt.prefix) || string(it.Raw) != strings.SplitN(string(data[it.Offset:]), "\n", 2)[0] {
			t.Errorf("item %d at offset %d: %q", tt.item, it.Offset, it.Raw)
		}
		if e := it.Records[0].Err; e.Offset != tt.off || e.Format != AuditdFormat {
			t.Errorf("item %d: error %v, want offset %d", tt.item, e, tt.off)
		}
	}
	// An event's raw text is its lines, in input order, even when interleaved.
	if raw := string(items[1].Raw); !strings.HasPrefix(raw, "type=SYSCALL msg=audit(1700000001.500:460)") ||
		!strings.Contains(raw, "\ntype=EXECVE msg=audit(1700000001.500:460)") || strings.Contains(raw, "USER_AUTH") {
		t.Errorf("event raw text %q", raw)
	}
}

func TestAuditdCells(t *testing.T) {
	items, _ := normalizeAuditd(t, newTestNormalizer(t))
	dyn := func(s string) schema.Dynamic { return schema.Dynamic(s) }
	t0 := time.Unix(1700000000, 123000000).UTC()
	tests := []struct {
		name         string
		item, record int
		want         map[string]any
	}{
		{"SYSCALL line in Syslog", 0, 0, map[string]any{
			"TimeGenerated": t0, "EventTime": t0, "Computer": "web01", "HostName": "web01", "Facility": "user",
			"SeverityLevel": "info", "ProcessName": "audispd", "SourceSystem": "Linux",
		}},
		{"enriched execve", 0, 6, map[string]any{
			"Timestamp": t0, "TimeGenerated": t0, "DeviceName": "web01", "ActionType": "ProcessCreated",
			"FileName": "curl", "FolderPath": "/usr/bin/curl", "ProcessCommandLine": `curl -s -o "/tmp/my file"`,
			"ProcessId": int64(2201), "InitiatingProcessId": int64(2140), "AccountName": "root", "LogonId": int64(3),
			"ProcessCreationTime": t0, "ReportId": int64(456),
			"AdditionalFields":             `{"AuditId":"1700000000.123:456","uid":"0","euid":"0","auid":"1000","AUID":"alice","ses":"3","tty":"pts0","comm":"curl","syscall":"59","SYSCALL":"execve","key":"exec","cwd":"/home/alice"}`,
			"InitiatingProcessAccountName": nil,
		}},
		{"raw execve without node= takes the host", 1, 2, map[string]any{
			"DeviceName": "audit-host", "FileName": "python3.11", "ProcessCommandLine": `python3 -c "import os"`,
			"ProcessId": int64(3100), "InitiatingProcessId": int64(1), "AccountName": nil, "LogonId": nil,
		}},
		{"failed sshd password", 2, 1, map[string]any{
			"ActionType": "LogonFailed", "AccountName": "bob", "RemoteIP": "203.0.113.7", "RemoteIPType": "Public",
			"LogonType": "Network", "Protocol": "SSH", "FailureReason": "InvalidUserNameOrPassword",
			"InitiatingProcessFileName": "sshd", "InitiatingProcessFolderPath": "/usr/sbin/sshd", "InitiatingProcessId": int64(3105),
			"LogonId": nil, "DeviceName": "audit-host", "RemoteDeviceName": nil,
		}},
		{"argument in parts", 3, 2, map[string]any{"ProcessCommandLine": "bash abcdefghij", "AccountName": "root", "LogonId": int64(3)}},
		{"sshd login", 4, 1, map[string]any{
			"ActionType": "LogonSuccess", "AccountName": "alice", "RemoteIP": "198.51.100.20", "LogonType": "Network",
			"LogonId": int64(7), "FailureReason": nil, "Timestamp": time.Unix(1700000003, 250000000).UTC(), "ReportId": int64(480),
			"AdditionalFields": dyn(`{"AuditId":"1700000003.250:480","AuditType":"USER_LOGIN","op":"login","terminal":"/dev/pts/1","auid":"1000","AUID":"alice","res":"success"}`),
		}},
		{"bad ident", 6, 1, map[string]any{
			"ActionType": "LogonFailed", "AccountName": nil, "RemoteIP": "192.0.2.99", "FailureReason": "PAM:bad_ident",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := items[tt.item].Records[tt.record]
			got := cells(rec.Table, rec.Row)
			for k, w := range tt.want {
				g := got[k]
				if d, ok := g.(schema.Dynamic); ok {
					g = string(d)
				}
				if d, ok := w.(schema.Dynamic); ok {
					w = string(d)
				}
				if g != w {
					t.Errorf("%s = %#v, want %#v", k, g, w)
				}
			}
		})
	}
}

func TestParseAuditFields(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a=1 b="two words" c=3`, "a=1|b=two words|c=3"},
		{`pid=1 msg='op=login acct="x y" res=success' ses=2`, "pid=1|ses=2|op=login|acct=x y|res=success"},
		{`lone word k=v`, "k=v"},
		{`k="unterminated`, "k=unterminated"},
		{`k=`, "k="},
		{``, ""},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range parseAuditFields(tt.in, nil) {
			got = append(got, f.k+"="+f.v)
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, strings.Join(got, "|"), tt.want)
		}
	}
}

func TestAuditHex(t *testing.T) {
	for in, want := range map[string]string{
		"2F746D70": "/tmp", "6C73002D6C61": "ls -la", "(null)": "(null)", "ABC": "ABC", "2f74": "2f74", "00": "",
	} {
		if got := auditHex(in); got != want {
			t.Errorf("auditHex(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzAuditd(f *testing.F) {
	n := newTestNormalizer(f)
	b := readSample(f, "auditd.log")
	f.Add(b)
	f.Add([]byte("node=x type=EXECVE msg=audit(1.5:1): argc=99 a0=41 a1[0]=\"x\"\n"))
	f.Add([]byte("type=USER_LOGIN msg=audit(9999999999.999:18446744073709551615): msg='op=login\x1dID=\"a\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := n.NormalizeHost(AuditdFormat, b, "h")
		checkItems(t, b, items, err)
	})
}

func BenchmarkNormalizeAuditd(b *testing.B) { benchFormat(b, AuditdFormat) }

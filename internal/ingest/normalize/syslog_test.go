package normalize

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

var testNow = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

func newTestParser(t testing.TB) *Parser {
	t.Helper()
	p, err := NewParser(schema.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cells returns a row's non-null cells by column name.
func cells(t *schema.Table, row []schema.Value) map[string]any {
	out := map[string]any{}
	for i, v := range row {
		if v != nil {
			out[t.Columns[i].Name] = v
		}
	}
	return out
}

func at(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

func TestParseSyslog(t *testing.T) {
	p := newTestParser(t)
	tests := []struct {
		name, msg string
		want      map[string]any
	}{{
		name: "sshd failed password (RFC 3164)",
		msg:  "<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2",
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 9, 22, 14, 15, 0), "EventTime": at(2024, 3, 9, 22, 14, 15, 0), "TimeCollected": testNow,
			"Computer": "web01", "HostName": "web01", "HostIP": "192.0.2.10", "Facility": "auth", "SeverityLevel": "info",
			"ProcessName": "sshd", "ProcessID": int32(4123), "SourceSystem": "Linux",
			"SyslogMessage": "Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2",
		},
	}, {
		name: "sudo command (RFC 3164, authpriv notice, no pid)",
		msg:  "<85>Mar 10 11:02:03 db02 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart postgresql",
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 11, 2, 3, 0), "EventTime": at(2024, 3, 10, 11, 2, 3, 0), "TimeCollected": testNow,
			"Computer": "db02", "HostName": "db02", "HostIP": "192.0.2.10", "Facility": "authpriv", "SeverityLevel": "notice",
			"ProcessName": "sudo", "SourceSystem": "Linux",
			"SyslogMessage": "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart postgresql",
		},
	}, {
		name: "cron (RFC 3164, upper-case command) with the year inferred across new year",
		msg:  "<78>Dec 31 23:59:01 app03 CRON[9917]: (root) CMD (/usr/local/bin/backup.sh)",
		want: map[string]any{
			"TimeGenerated": at(2023, 12, 31, 23, 59, 1, 0), "EventTime": at(2023, 12, 31, 23, 59, 1, 0), "TimeCollected": testNow,
			"Computer": "app03", "HostName": "app03", "HostIP": "192.0.2.10", "Facility": "cron", "SeverityLevel": "info",
			"ProcessName": "CRON", "ProcessID": int32(9917), "SourceSystem": "Linux",
			"SyslogMessage": "(root) CMD (/usr/local/bin/backup.sh)",
		},
	}, {
		name: "missing hostname: the tag follows the timestamp; host from the peer",
		msg:  "<13>Mar 10 08:00:00 kernel: eth0: link up",
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 8, 0, 0, 0), "EventTime": at(2024, 3, 10, 8, 0, 0, 0), "TimeCollected": testNow,
			"Computer": "192.0.2.10", "HostName": "192.0.2.10", "HostIP": "192.0.2.10", "Facility": "user", "SeverityLevel": "notice",
			"ProcessName": "kernel", "SourceSystem": "Linux", "SyslogMessage": "eth0: link up",
		},
	}, {
		name: "RFC 3339 timestamp in an RFC 3164 header (rsyslog's high-precision template)",
		msg:  "<30>2024-03-10T10:15:30.123456+01:00 nas systemd[1]: Started Daily apt upgrade.",
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 9, 15, 30, 123456000), "EventTime": at(2024, 3, 10, 9, 15, 30, 123456000), "TimeCollected": testNow,
			"Computer": "nas", "HostName": "nas", "HostIP": "192.0.2.10", "Facility": "daemon", "SeverityLevel": "info",
			"ProcessName": "systemd", "ProcessID": int32(1), "SourceSystem": "Linux", "SyslogMessage": "Started Daily apt upgrade.",
		},
	}, {
		name: "Cisco ASA: year in the timestamp, trailing colon, no host",
		msg:  "<166>Mar 10 2024 09:30:00: %ASA-6-302013: Built outbound TCP connection 1234 for outside:198.51.100.5/443 (198.51.100.5/443) to inside:10.0.0.5/50000 (10.0.0.5/50000)",
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 9, 30, 0, 0), "EventTime": at(2024, 3, 10, 9, 30, 0, 0), "TimeCollected": testNow,
			"Computer": "192.0.2.10", "HostName": "192.0.2.10", "HostIP": "192.0.2.10", "Facility": "local4", "SeverityLevel": "info",
			"ProcessName": "%ASA-6-302013", "SourceSystem": "Linux",
			"SyslogMessage": "Built outbound TCP connection 1234 for outside:198.51.100.5/443 (198.51.100.5/443) to inside:10.0.0.5/50000 (10.0.0.5/50000)",
		},
	}, {
		name: "no timestamp at all: the whole text is the message, received time",
		msg:  "<11>something broke badly",
		want: map[string]any{
			"TimeGenerated": testNow, "TimeCollected": testNow,
			"Computer": "192.0.2.10", "HostName": "192.0.2.10", "HostIP": "192.0.2.10", "Facility": "user", "SeverityLevel": "err",
			"SourceSystem": "Linux", "SyslogMessage": "something broke badly",
		},
	}, {
		name: "RFC 5424 with structured data (RFC example) and a BOM",
		msg:  "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBFAn application event log entry...",
		want: map[string]any{
			"TimeGenerated": at(2003, 10, 11, 22, 14, 15, 3000000), "EventTime": at(2003, 10, 11, 22, 14, 15, 3000000), "TimeCollected": testNow,
			"Computer": "mymachine.example.com", "HostName": "mymachine.example.com", "HostIP": "192.0.2.10",
			"Facility": "local4", "SeverityLevel": "notice", "ProcessName": "evntslog", "SourceSystem": "Linux",
			"SyslogMessage": "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] An application event log entry...",
		},
	}, {
		name: "RFC 5424 from rsyslog: two SD elements with escapes, offset time, pid",
		msg:  `<86>1 2024-03-10T11:59:58.250+00:00 bastion sshd 2231 - [origin ip="10.1.2.3" software="rsyslogd"][meta sequenceId="7" note="a \"quoted\] value"] Accepted publickey for deploy from 10.9.8.7 port 40022 ssh2`,
		want: map[string]any{
			"TimeGenerated": at(2024, 3, 10, 11, 59, 58, 250000000), "EventTime": at(2024, 3, 10, 11, 59, 58, 250000000), "TimeCollected": testNow,
			"Computer": "bastion", "HostName": "bastion", "HostIP": "192.0.2.10", "Facility": "authpriv", "SeverityLevel": "info",
			"ProcessName": "sshd", "ProcessID": int32(2231), "SourceSystem": "Linux",
			"SyslogMessage": `[origin ip="10.1.2.3" software="rsyslogd"][meta sequenceId="7" note="a \"quoted\] value"] Accepted publickey for deploy from 10.9.8.7 port 40022 ssh2`,
		},
	}, {
		name: "RFC 5424 all nil, no message",
		msg:  "<14>1 - - - - - -",
		want: map[string]any{
			"TimeGenerated": testNow, "TimeCollected": testNow, "Computer": "192.0.2.10", "HostName": "192.0.2.10", "HostIP": "192.0.2.10",
			"Facility": "user", "SeverityLevel": "info", "SourceSystem": "Linux", "SyslogMessage": "",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.Parse([]byte(tt.msg+"\n"), "192.0.2.10", testNow)
			if rec.Err != nil {
				t.Fatalf("error: %v", rec.Err)
			}
			if rec.Table.Name != "Syslog" {
				t.Fatalf("table %s, want Syslog", rec.Table.Name)
			}
			if got := cells(rec.Table, rec.Row); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("row\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseSyslogErrors(t *testing.T) {
	p := newTestParser(t)
	tests := []struct{ msg, table, reason string }{
		{"", "Syslog", "syslog: offset 0: empty message"},
		{"\r\n", "Syslog", "syslog: offset 0: empty message"},
		{"hello world", "Syslog", "syslog: offset 0: missing <PRI> at the start of the message"},
		{"<>x", "Syslog", "syslog: offset 1: invalid <PRI>: want '<' 1 to 3 digits '>'"},
		{"<1234>x", "Syslog", "syslog: offset 4: invalid <PRI>: want '<' 1 to 3 digits '>'"},
		{"<192>Mar 10 08:00:00 h t: m", "Syslog", "syslog: offset 1: invalid <PRI>: above 191"},
		{"<13", "Syslog", "syslog: offset 3: invalid <PRI>: want '<' 1 to 3 digits '>'"},
		{"<13>1 2024-13-01T00:00:00Z h a p m - x", "Syslog", `rfc5424: offset 6: invalid TIMESTAMP "2024-13-01T00:00:00Z": want RFC 3339`},
		{"<13>1 2024-03-01T00:00:00Z host app", "Syslog", "rfc5424: offset 35: missing PROCID field"},
		{"<13>1 - h a p m [unterminated x=\"1\"", "Syslog", "rfc5424: offset 16: unterminated SD-ELEMENT: missing ']'"},
		{"<13>1 - h a p m [] x", "Syslog", "rfc5424: offset 16: empty SD-ELEMENT"},
		{"<13>1 - h a p m [a x=\"1\"]x", "Syslog", "rfc5424: offset 25: want a space after STRUCTURED-DATA"},
		{"<13>1 - h a p m sd msg", "Syslog", "rfc5424: offset 16: invalid STRUCTURED-DATA: want '-' or '['"},
	}
	for _, tt := range tests {
		rec := p.Parse([]byte(tt.msg), "192.0.2.10", testNow)
		if rec.Err == nil {
			t.Errorf("%q: no error, row %v", tt.msg, cells(rec.Table, rec.Row))
			continue
		}
		if rec.Table.Name != tt.table || rec.Err.Error() != tt.reason {
			t.Errorf("%q:\n got %s %q\nwant %s %q", tt.msg, rec.Table.Name, rec.Err.Error(), tt.table, tt.reason)
		}
	}
}

func TestNames(t *testing.T) {
	if FacilityName(4) != "auth" || FacilityName(10) != "authpriv" || FacilityName(23) != "local7" || FacilityName(24) != "" || FacilityName(-1) != "" {
		t.Error("facility names")
	}
	if SeverityName(3) != "err" || SeverityName(4) != "warning" || SeverityName(8) != "" {
		t.Error("severity names")
	}
}

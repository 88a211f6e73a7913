package normalize

import (
	"testing"
)

func TestDeriveLinuxAuth(t *testing.T) {
	p := newTestParser(t)
	t0 := at(2024, 3, 9, 22, 14, 15, 0)
	tests := []struct {
		name, msg string
		table     string // "" when nothing is derived
		want      map[string]any
	}{
		{"accepted publickey", "<38>Mar  9 22:14:15 web01 sshd[4123]: Accepted publickey for alice from 198.51.100.20 port 50222 ssh2: ED25519 SHA256:Qm9vb3RzdHJhcA",
			"DeviceLogonEvents", map[string]any{
				"Timestamp": t0, "TimeGenerated": t0, "DeviceName": "web01", "ActionType": "LogonSuccess", "LogonType": "Network",
				"Protocol": "SSH", "AccountName": "alice", "RemoteIP": "198.51.100.20", "RemoteIPType": "Public", "RemotePort": int32(50222),
				"InitiatingProcessFileName": "sshd", "InitiatingProcessId": int64(4123), "FailureReason": nil,
				"AdditionalFields": `{"AuthenticationMethod":"publickey"}`,
			}},
		{"accepted keyboard-interactive", "<86>1 2024-03-09T22:14:15Z bastion sshd 2231 - - Accepted keyboard-interactive/pam for bob from 10.1.2.3 port 41000 ssh2",
			"DeviceLogonEvents", map[string]any{"ActionType": "LogonSuccess", "AccountName": "bob", "RemoteIPType": "Private", "DeviceName": "bastion",
				"AdditionalFields": `{"AuthenticationMethod":"keyboard-interactive/pam"}`}},
		{"RFC 5424 with structured data", `<86>1 2024-03-09T22:14:15Z bastion sshd 2231 - [timeQuality tzKnown="1" x="a\"]"][origin ip="10.0.0.1"] Failed password for root from 203.0.113.7 port 22 ssh2`,
			"DeviceLogonEvents", map[string]any{"ActionType": "LogonFailed", "AccountName": "root", "RemotePort": int32(22), "InitiatingProcessId": int64(2231)}},
		{"failed password for invalid user", "<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2",
			"DeviceLogonEvents", map[string]any{
				"ActionType": "LogonFailed", "AccountName": "admin", "RemoteIP": "203.0.113.7", "RemotePort": int32(52814),
				"FailureReason": "InvalidUserNameOrPassword", "AdditionalFields": `{"AuthenticationMethod":"password","InvalidUser":"true"}`,
			}},
		{"failed password", "<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password for root from 2001:db8::5 port 22 ssh2",
			"DeviceLogonEvents", map[string]any{"ActionType": "LogonFailed", "AccountName": "root", "RemoteIP": "2001:db8::5"}},
		{"invalid user without port (older OpenSSH)", "<38>Mar  9 22:14:15 web01 sshd[4123]: Invalid user oracle from 203.0.113.9",
			"DeviceLogonEvents", map[string]any{"ActionType": "LogonFailed", "AccountName": "oracle", "RemotePort": nil,
				"AdditionalFields": `{"InvalidUser":"true"}`}},
		{"user name holding ' from '", "<38>Mar  9 22:14:15 web01 sshd[4123]: Invalid user x from 1.1.1.1 from 203.0.113.9 port 4",
			"DeviceLogonEvents", map[string]any{"AccountName": "x from 1.1.1.1", "RemoteIP": "203.0.113.9", "RemotePort": int32(4)}},
		{"sudo command", "<85>Mar 10 11:02:03 db02 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart postgresql",
			"DeviceProcessEvents", map[string]any{
				"Timestamp": at(2024, 3, 10, 11, 2, 3, 0), "DeviceName": "db02", "ActionType": "ProcessCreated",
				"FileName": "systemctl", "FolderPath": "/usr/bin/systemctl", "ProcessCommandLine": "/usr/bin/systemctl restart postgresql",
				"AccountName": "root", "InitiatingProcessAccountName": "alice", "InitiatingProcessFileName": "sudo",
				"InitiatingProcessId": nil, "AdditionalFields": `{"TTY":"pts/0","PWD":"/home/alice"}`,
			}},
		{"sudo -u with env (sudo 1.9)", "<85>Mar 10 11:02:03 db02 sudo[811]: bob : TTY=unknown ; PWD=/ ; USER=postgres ; ENV=PGDATA=/srv ; COMMAND=/bin/sh -c 'a ; b'",
			"DeviceProcessEvents", map[string]any{"AccountName": "postgres", "InitiatingProcessAccountName": "bob", "FileName": "sh",
				"ProcessCommandLine": "/bin/sh -c 'a ; b'", "InitiatingProcessId": int64(811), "AdditionalFields": `{"PWD":"/"}`}},
		{"sudo refusal", "<85>Mar 10 11:02:03 db02 sudo:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls", "", nil},
		{"sudo not in sudoers", "<85>Mar 10 11:02:03 db02 sudo:    eve : user NOT in sudoers ; TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/sh", "", nil},
		{"sshd-session (OpenSSH 9.8 and later)", "<38>2024-03-09T22:14:15.123456+00:00 web01 sshd-session[4123]: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2",
			"DeviceLogonEvents", map[string]any{"ActionType": "LogonFailed", "AccountName": "admin", "RemoteIP": "203.0.113.7",
				"InitiatingProcessFileName": "sshd-session", "InitiatingProcessId": int64(4123)}},
		{"sshd other line", "<38>Mar  9 22:14:15 web01 sshd[4123]: Connection closed by 203.0.113.7 port 52814 [preauth]", "", nil},
		{"accepted without from", "<38>Mar  9 22:14:15 web01 sshd[4123]: Accepted password for alice", "", nil},
		{"other program", "<38>Mar  9 22:14:15 web01 notsshd[1]: Accepted password for alice from 192.0.2.1 port 1 ssh2", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.Parse([]byte(tt.msg), "192.0.2.10", testNow)
			if rec.Err != nil || rec.Table.Name != SyslogTable {
				t.Fatalf("parse: %v", rec.Err)
			}
			got := p.Derive(rec)
			if tt.table == "" {
				if len(got) != 0 {
					t.Fatalf("derived %d rows, want none", len(got))
				}
				return
			}
			if len(got) != 1 || got[0].Table.Name != tt.table {
				t.Fatalf("derived %v, want one %s row", got, tt.table)
			}
			checkRecord(t, got[0])
			checkSome(t, got[0], tt.want)
		})
	}
	if got := p.Derive(Record{Table: p.syslog, Err: &ParseError{Reason: "x"}}); got != nil {
		t.Errorf("error record derived %v", got)
	}
}

func FuzzSSHDerive(f *testing.F) {
	p := newTestParser(f)
	for _, s := range []string{
		"<38>Mar  9 22:14:15 web01 sshd[4123]: Accepted publickey for alice from 198.51.100.20 port 50222 ssh2",
		"<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password for invalid user  from 203.0.113.7 port 99999 ssh2",
		"<38>Mar  9 22:14:15 web01 sshd: Invalid user a from ",
		"<85>Mar 10 11:02:03 db02 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=",
		"<85>Mar 10 11:02:03 db02 sudo: a : TTY=x ; COMMAND=/x ; y",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec := p.Parse(b, "192.0.2.10", testNow)
		for _, d := range p.Derive(rec) {
			checkRecord(t, d)
		}
	})
}

func BenchmarkDeriveSSH(b *testing.B) {
	p := newTestParser(b)
	msg := []byte("<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password for invalid user admin from 203.0.113.7 port 52814 ssh2")
	b.ReportAllocs()
	for b.Loop() {
		rec := p.Parse(msg, "192.0.2.10", testNow)
		if len(p.Derive(rec)) != 1 {
			b.Fatal("no row derived")
		}
	}
}

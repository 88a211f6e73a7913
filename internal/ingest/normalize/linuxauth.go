package normalize

// Defender rows derived from sshd and sudo syslog messages.
//
// A Syslog row whose ProcessName is sshd (or sshd-session, where OpenSSH 9.8 and later log
// these lines) and whose message is one of OpenSSH's authentication lines also becomes a
// DeviceLogonEvents row (LogonType Network, Protocol SSH, DeviceName the HostName):
//
//	Accepted password|publickey|keyboard-interactive/pam|... for USER from IP port N ssh2[...]
//	Failed password|publickey|... for [invalid user ]USER from IP port N ssh2
//	Invalid user USER from IP[ port N]
//
// A Syslog row whose ProcessName is sudo and whose message is sudo's command log line
// ("USER : TTY=pts/0 ; PWD=/home/u ; USER=root ; COMMAND=/usr/bin/x args") also becomes a
// DeviceProcessEvents row (ProcessCreated, run as USER=, started by the invoking user through
// sudo). Refused sudo attempts ("USER : 3 incorrect password attempts ; ...", "user NOT in
// sudoers") stay Syslog only. The Syslog row is always kept.

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/iptype"
	"github.com/vigilsec/vigil/internal/schema"
)

// authDeriver holds the tables the derived rows fill.
type authDeriver struct {
	logon, process *winTable
}

func newAuthDeriver(reg *schema.Registry) (*authDeriver, error) {
	n := &Normalizer{tables: map[string]*winTable{}, folded: map[string]map[string]string{}}
	for _, name := range []string{"DeviceLogonEvents", "DeviceProcessEvents"} {
		if err := n.addTable(reg, name); err != nil {
			return nil, err
		}
	}
	return &authDeriver{logon: n.tables["DeviceLogonEvents"], process: n.tables["DeviceProcessEvents"]}, nil
}

// Derive returns the rows a parsed Syslog record implies besides itself: a DeviceLogonEvents
// row for an sshd authentication line and a DeviceProcessEvents row for a sudo command line.
// It returns nil for every other record (and for error records).
func (p *Parser) Derive(rec Record) []Record {
	if rec.Err != nil || rec.Table != p.syslog || p.auth == nil {
		return nil
	}
	row := rec.Row
	proc, _ := row[p.sc.processName].(string)
	if proc != "sshd" && proc != "sshd-session" && proc != "sudo" {
		return nil
	}
	msg, _ := row[p.sc.message].(string)
	msg = skipSD(msg)
	t, _ := row[p.sc.timeGenerated].(time.Time)
	host, _ := row[p.sc.hostName].(string)
	var pid string
	if v, ok := row[p.sc.processID].(int32); ok {
		pid = strconv.Itoa(int(v))
	}
	var out Record
	var ok bool
	if proc != "sudo" {
		out, ok = p.auth.sshLogon(msg, t, host, proc, pid)
	} else {
		out, ok = p.auth.sudoProcess(msg, t, host, pid)
	}
	if !ok {
		return nil
	}
	return []Record{out}
}

// sshLogon maps an OpenSSH authentication line.
func (d *authDeriver) sshLogon(msg string, t time.Time, host, proc, pid string) (Record, bool) {
	var action, method, rest string
	invalid := false
	switch {
	case strings.HasPrefix(msg, "Accepted "):
		action = "LogonSuccess"
		method, rest, _ = strings.Cut(msg[len("Accepted "):], " for ")
	case strings.HasPrefix(msg, "Failed "):
		action = "LogonFailed"
		method, rest, _ = strings.Cut(msg[len("Failed "):], " for ")
		if r, ok := strings.CutPrefix(rest, "invalid user "); ok {
			rest, invalid = r, true
		}
	case strings.HasPrefix(msg, "Invalid user "):
		action, invalid = "LogonFailed", true
		rest = msg[len("Invalid user "):]
	default:
		return Record{}, false
	}
	if strings.ContainsAny(method, " ") {
		return Record{}, false
	}
	i := strings.LastIndex(rest, " from ")
	if i < 0 {
		return Record{}, false
	}
	user, from := rest[:i], rest[i+len(" from "):]
	ip, after, _ := strings.Cut(from, " ")
	if ip == "" {
		return Record{}, false
	}
	var port string
	if p, ok := strings.CutPrefix(after, "port "); ok {
		port, _, _ = strings.Cut(p, " ")
	}
	r := jrow{&winRow{wt: d.logon, row: make([]schema.Value, len(d.logon.t.Columns))}}
	r.setValue("Timestamp", t)
	r.setValue("TimeGenerated", t)
	r.set("DeviceName", host)
	r.set("ActionType", action)
	r.set("LogonType", "Network")
	r.set("Protocol", "SSH")
	r.set("AccountName", user)
	r.set("RemoteIP", ip)
	r.set("RemoteIPType", iptype.OfText(ip))
	if n, err := strconv.ParseUint(port, 10, 16); err == nil {
		r.setValue("RemotePort", int32(n))
	}
	r.set("InitiatingProcessFileName", proc)
	r.set("InitiatingProcessId", pid)
	if action == "LogonFailed" {
		r.set("FailureReason", "InvalidUserNameOrPassword")
	}
	extra := []WinData{}
	if method != "" {
		extra = append(extra, WinData{Name: "AuthenticationMethod", Value: method})
	}
	if invalid {
		extra = append(extra, WinData{Name: "InvalidUser", Value: "true"})
	}
	if len(extra) > 0 {
		r.set("AdditionalFields", jsonObject(extra))
	}
	return r.done("sshd"), true
}

// sudoProcess maps sudo's log line of a command it ran.
func (d *authDeriver) sudoProcess(msg string, t time.Time, host, pid string) (Record, bool) {
	invoker, rest, ok := strings.Cut(strings.TrimLeft(msg, " "), " : ")
	if !ok || invoker == "" || strings.Contains(invoker, " ") || !strings.HasPrefix(rest, "TTY=") {
		return Record{}, false // a refusal ("3 incorrect password attempts ; ...") or another line
	}
	var tty, pwd, runAs, command string
	for rest != "" {
		var part string
		if strings.HasPrefix(rest, "COMMAND=") { // the command is last and may hold " ; "
			part, rest = rest, ""
		} else {
			part, rest, _ = strings.Cut(rest, " ; ")
		}
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "TTY":
			tty = v
		case "PWD":
			pwd = v
		case "USER":
			runAs = v
		case "COMMAND":
			command = v
		}
	}
	if command == "" {
		return Record{}, false
	}
	if runAs == "" {
		runAs = "root"
	}
	exe, _, _ := strings.Cut(command, " ")
	r := jrow{&winRow{wt: d.process, row: make([]schema.Value, len(d.process.t.Columns))}}
	r.setValue("Timestamp", t)
	r.setValue("TimeGenerated", t)
	r.set("DeviceName", host)
	r.set("ActionType", "ProcessCreated")
	r.set("FolderPath", exe)
	r.set("FileName", baseName(exe))
	r.set("ProcessCommandLine", command)
	r.setValue("ProcessCreationTime", t)
	r.set("AccountName", runAs)
	r.set("InitiatingProcessAccountName", invoker)
	r.set("InitiatingProcessFileName", "sudo")
	r.set("InitiatingProcessId", pid)
	extra := []WinData{}
	if tty != "" && tty != "unknown" {
		extra = append(extra, WinData{Name: "TTY", Value: tty})
	}
	if pwd != "" {
		extra = append(extra, WinData{Name: "PWD", Value: pwd})
	}
	if len(extra) > 0 {
		r.set("AdditionalFields", jsonObject(extra))
	}
	return r.done("sudo"), true
}

// skipSD drops the RFC 5424 structured data that syslogRow puts in front of the message
// ("[timeQuality tzKnown=\"1\"] text" -> "text").
func skipSD(msg string) string {
	for strings.HasPrefix(msg, "[") {
		quoted, end := false, -1
		for i := 1; i < len(msg) && end < 0; i++ {
			switch {
			case msg[i] == '\\' && quoted:
				i++
			case msg[i] == '"':
				quoted = !quoted
			case msg[i] == ']' && !quoted:
				end = i
			}
		}
		if end < 0 {
			return msg
		}
		msg = strings.TrimLeft(msg[end+1:], " ")
	}
	return msg
}

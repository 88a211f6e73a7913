package normalize

// Rows of an auditd event (see auditd.go for the input).
//
// Every record becomes a Syslog row, as auditd's syslog plugin (audispd, audisp-syslog)
// forwards it and as Sentinel stores audit lines: ProcessName "audispd", Facility "user",
// SeverityLevel "info", SyslogMessage the record line. Queries written for Sentinel
// (`Syslog | where ProcessName == "audispd" and SyslogMessage has "type=EXECVE"`) and the
// Sigma auditd keyword mapping therefore see the same text whether the audit log came over
// syslog or through this format.
//
// In addition:
//   - an event with an EXECVE record whose SYSCALL succeeded becomes a DeviceProcessEvents row
//     (ActionType ProcessCreated): FileName and FolderPath from exe, ProcessCommandLine from the
//     EXECVE arguments (PROCTITLE when they are missing), ProcessId pid, InitiatingProcessId
//     ppid, AccountName the enriched UID name (or root for uid 0), LogonId the audit session;
//   - USER_LOGIN (success or failure), failed USER_AUTH and USER_ERR records become
//     DeviceLogonEvents rows (LogonSuccess/LogonFailed from res=). Successful USER_AUTH and
//     USER_START records do not: every sshd or login logon also writes a USER_LOGIN, and cron
//     and sudo write USER_START for each job, so mapping them would count one logon several
//     times. They stay in Syslog.
//
// DeviceName is the node= name, else the host the input was sent for.

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/iptype"
)

// auditNoID is the value auditd writes for an unset auid or session.
const auditNoID = "4294967295"

// auditdItems maps the events of an audit.log text to rows.
func (n *Normalizer) auditdItems(data []byte, host string) []Item {
	chunks := splitAudit(data)
	out := make([]Item, 0, len(chunks))
	for _, ch := range chunks {
		item := Item{Offset: ch.off, Raw: ch.raw}
		if ch.err != nil {
			item.Records = []Record{{Table: n.tables[SyslogTable].t, Err: ch.err}}
		} else {
			item.Records = n.auditdRecords(ch.ev, host)
		}
		out = append(out, item)
	}
	return out
}

// auditdRecords maps one event.
func (n *Normalizer) auditdRecords(ev *auditEvent, host string) []Record {
	first := ev.recs[0]
	if first.node != "" {
		host = first.node
	}
	out := make([]Record, 0, len(ev.recs)+1)
	for _, rec := range ev.recs {
		out = append(out, n.auditSyslogRow(rec, host))
	}
	if sc, ex := ev.find("SYSCALL"), ev.find("EXECVE"); sc != nil && ex != nil && sc.get("success") != "no" {
		out = append(out, n.auditProcessRow(ev, sc, ex, host))
	}
	for _, rec := range ev.recs {
		if r, ok := n.auditLogonRow(rec, host); ok {
			out = append(out, r)
		}
	}
	return out
}

// auditSyslogRow is the Syslog row of one record.
func (n *Normalizer) auditSyslogRow(rec *auditRecord, host string) Record {
	r := n.row(SyslogTable)
	r.setValue("TimeGenerated", rec.time)
	r.setValue("EventTime", rec.time)
	r.set("Computer", host)
	r.set("HostName", host)
	r.set("Facility", "user")
	r.set("SeverityLevel", "info")
	r.set("ProcessName", "audispd")
	r.set("SyslogMessage", string(rec.line))
	r.set("SourceSystem", "Linux")
	return r.done(AuditdFormat)
}

// auditCommon fills the columns every Device* row of an audit record has.
func auditCommon(r jrow, rec *auditRecord, host, action string) {
	r.setValue("Timestamp", rec.time)
	r.setValue("TimeGenerated", rec.time)
	r.set("DeviceName", host)
	r.set("ActionType", action)
	r.setValue("ReportId", rec.serial)
}

// auditProcessRow maps an execve event to DeviceProcessEvents.
func (n *Normalizer) auditProcessRow(ev *auditEvent, sc, ex *auditRecord, host string) Record {
	r := n.row("DeviceProcessEvents")
	auditCommon(r, sc, host, "ProcessCreated")
	exe := sc.get("exe")
	if exe == "" || exe == "(null)" {
		if p := ev.find("PATH"); p != nil {
			exe = p.get("name")
		}
	}
	if exe != "" && exe != "(null)" {
		r.set("FolderPath", exe)
		r.set("FileName", baseName(exe))
	}
	cmd := execveCommandLine(ex)
	if cmd == "" {
		if pt := ev.find("PROCTITLE"); pt != nil {
			cmd = pt.get("proctitle")
		}
	}
	r.set("ProcessCommandLine", cmd)
	r.set("ProcessId", sc.get("pid"))
	r.set("InitiatingProcessId", sc.get("ppid"))
	r.setValue("ProcessCreationTime", sc.time)
	r.set("AccountName", auditUserName(sc, "UID", "uid"))
	if ses := sc.get("ses"); ses != auditNoID {
		r.set("LogonId", ses)
	}
	extra := []WinData{{Name: "AuditId", Value: sc.id}}
	for _, k := range []string{"uid", "euid", "auid", "AUID", "ses", "tty", "comm", "syscall", "SYSCALL", "key"} {
		if v := sc.get(k); v != "" && v != "(none)" && v != "(null)" && v != auditNoID {
			extra = append(extra, WinData{Name: k, Value: v})
		}
	}
	if cwd := ev.find("CWD"); cwd != nil {
		extra = append(extra, WinData{Name: "cwd", Value: cwd.get("cwd")})
	}
	r.set("AdditionalFields", jsonObject(extra))
	return r.done(AuditdFormat)
}

// execveCommandLine joins the EXECVE arguments a0..a(argc-1), each of which may be written in
// parts (a1_len=N a1[0]=... a1[1]=...); arguments holding a space are double-quoted.
func execveCommandLine(ex *auditRecord) string {
	argc, err := strconv.Atoi(ex.get("argc"))
	if err != nil || argc <= 0 {
		return ""
	}
	argc = min(argc, len(ex.fields))
	var b strings.Builder
	for i := range argc {
		k := "a" + strconv.Itoa(i)
		arg := ex.get(k)
		if !ex.has(k) {
			var parts strings.Builder
			for j := 0; ; j++ {
				pk := k + "[" + strconv.Itoa(j) + "]"
				if !ex.has(pk) {
					break
				}
				parts.WriteString(ex.get(pk))
			}
			arg = parts.String()
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		if arg == "" || strings.ContainsAny(arg, " \t") {
			b.WriteString(strconv.Quote(arg))
			continue
		}
		b.WriteString(arg)
	}
	return b.String()
}

// auditUserName is the account name of a uid field: the enriched name (UID="alice"), else
// root for uid 0, else "".
func auditUserName(rec *auditRecord, enriched, raw string) string {
	if v := rec.get(enriched); v != "" && v != "unset" && !strings.HasPrefix(v, "unknown(") {
		return v
	}
	if rec.get(raw) == "0" {
		return "root"
	}
	return ""
}

// auditLogonRow maps a USER_LOGIN, failed USER_AUTH or USER_ERR record to DeviceLogonEvents.
func (n *Normalizer) auditLogonRow(rec *auditRecord, host string) (Record, bool) {
	res := rec.get("res")
	success := res == "success" || res == "yes"
	switch rec.typ {
	case "USER_LOGIN":
	case "USER_AUTH":
		if success {
			return Record{}, false
		}
	case "USER_ERR":
		success = false
	default:
		return Record{}, false
	}
	action := "LogonFailed"
	if success {
		action = "LogonSuccess"
	}
	r := n.row("DeviceLogonEvents")
	auditCommon(r, rec, host, action)
	acct := rec.get("acct")
	if acct == "" || acct == "?" || acct == "(unknown)" || acct == "(invalid user)" {
		acct = auditUserName(rec, "ID", "id")
	}
	if acct != "?" && acct != "(unknown)" {
		r.set("AccountName", acct)
	}
	if addr := rec.get("addr"); addr != "" && addr != "?" {
		r.set("RemoteIP", addr)
		r.set("RemoteIPType", iptype.OfText(addr))
		if h := rec.get("hostname"); h != "" && h != "?" && h != addr {
			r.set("RemoteDeviceName", h)
		}
	}
	exe := rec.get("exe")
	if exe != "" && exe != "?" {
		r.set("InitiatingProcessFolderPath", exe)
		r.set("InitiatingProcessFileName", baseName(exe))
	}
	r.set("InitiatingProcessId", rec.get("pid"))
	lt, proto := linuxLogonType(baseName(exe), rec.get("terminal"))
	r.set("LogonType", lt)
	r.set("Protocol", proto)
	if !success {
		if rec.typ == "USER_AUTH" {
			r.set("FailureReason", "InvalidUserNameOrPassword")
		} else {
			r.set("FailureReason", rec.get("op"))
		}
	}
	if ses := rec.get("ses"); ses != auditNoID {
		r.set("LogonId", ses)
	}
	extra := []WinData{{Name: "AuditId", Value: rec.id}, {Name: "AuditType", Value: rec.typ}}
	for _, k := range []string{"op", "terminal", "auid", "AUID", "grantors", "res"} {
		if v := rec.get(k); v != "" && v != "?" {
			extra = append(extra, WinData{Name: k, Value: v})
		}
	}
	r.set("AdditionalFields", jsonObject(extra))
	return r.done(AuditdFormat), true
}

// linuxLogonType names the logon type and protocol of a Linux logon by the program that
// performed it, as Defender for Endpoint on Linux reports them: sshd logons are Network
// logons over SSH, login and display managers on a local terminal Interactive ones.
func linuxLogonType(prog, terminal string) (logonType, protocol string) {
	switch {
	case prog == "sshd" || terminal == "ssh":
		return "Network", "SSH"
	case prog == "cron" || prog == "crond" || terminal == "cron":
		return "Batch", ""
	case prog == "login" || strings.HasPrefix(terminal, "tty") || strings.HasPrefix(terminal, "/dev/tty") ||
		strings.HasPrefix(prog, "gdm") || prog == "lightdm" || prog == "sddm":
		return "Interactive", ""
	}
	return "", ""
}

// baseName is the last element of a slash-separated path.
func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 && i < len(p)-1 {
		return p[i+1:]
	}
	return p
}

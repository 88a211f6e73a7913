package simulate

import (
	"strconv"
	"strings"
	"time"
)

// Linux syslog builders: RFC 5424 messages from sshd, sudo and cron -> Syslog.

// Syslog priorities (facility*8 + severity).
const (
	priAuthprivInfo   = 10*8 + 6
	priAuthprivNotice = 10*8 + 5
	priCronInfo       = 9*8 + 6
)

// syslogLine renders an RFC 5424 message from app on h.
func (e *emitter) syslogLine(t time.Time, pri int, h *Host, app string, pid int, msg string) Record {
	var b strings.Builder
	b.Grow(96 + len(msg))
	b.WriteString("<" + strconv.Itoa(pri) + ">1 ")
	b.WriteString(t.UTC().Format("2006-01-02T15:04:05.000000Z"))
	b.WriteString(" " + h.Name + " " + app + " " + strconv.Itoa(pid) + " - - ")
	b.WriteString(msg)
	return Record{Time: t, Format: FormatSyslog, Payload: []byte(b.String())}
}

// sshdAccepted is "Accepted publickey for user from ip".
func (e *emitter) sshdAccepted(t time.Time, h *Host, user, ip string) Record {
	return e.syslogLine(t, priAuthprivInfo, h, "sshd", 2000+e.r.IntN(30000),
		"Accepted publickey for "+user+" from "+ip+" port "+strconv.Itoa(e.port())+" ssh2: ED25519 SHA256:"+e.hash(16))
}

// sshdFailed is "Failed password for user from ip".
func (e *emitter) sshdFailed(t time.Time, h *Host, user, ip string) Record {
	return e.syslogLine(t, priAuthprivInfo, h, "sshd", 2000+e.r.IntN(30000),
		"Failed password for "+user+" from "+ip+" port "+strconv.Itoa(e.port())+" ssh2")
}

// sudoCommand is a successful sudo.
func (e *emitter) sudoCommand(t time.Time, h *Host, user, command string) Record {
	return e.syslogLine(t, priAuthprivNotice, h, "sudo", 2000+e.r.IntN(30000),
		user+" : TTY=pts/0 ; PWD=/home/"+user+" ; USER=root ; COMMAND="+command)
}

// cronJob is a job started by cron.
func (e *emitter) cronJob(t time.Time, h *Host, user, command string) Record {
	return e.syslogLine(t, priCronInfo, h, "CRON", 2000+e.r.IntN(30000), "("+user+") CMD ("+command+")")
}

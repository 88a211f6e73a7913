package normalize

import (
	"time"
)

// Header is a parsed syslog header (RFC 3164 or RFC 5424) and the message after it.
type Header struct {
	Facility  int       // 0-23; -1 when the message had no PRI
	Severity  int       // 0-7; -1 when the message had no PRI
	Time      time.Time // zero when the header had none
	Hostname  string
	AppName   string // RFC 3164 TAG or RFC 5424 APP-NAME
	ProcID    string
	MsgID     string // RFC 5424 only
	SD        string // RFC 5424 STRUCTURED-DATA as sent ("" for the nil value "-")
	Msg       []byte // the message after the header (aliases the input)
	RFC5424   bool
	SDInvalid bool
}

var facilityNames = [...]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

var severityNames = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// FacilityName returns the syslog name of facility f ("auth", "local4", ...), or "" if f is
// out of range.
func FacilityName(f int) string {
	if f < 0 || f >= len(facilityNames) {
		return ""
	}
	return facilityNames[f]
}

// SeverityName returns the syslog name of severity s ("err", "info", ...), or "" if s is out
// of range.
func SeverityName(s int) string {
	if s < 0 || s >= len(severityNames) {
		return ""
	}
	return severityNames[s]
}

// parsePRI reads "<PRI>" at the start of b and returns the facility, the severity and the
// bytes after it.
func parsePRI(b []byte) (fac, sev int, rest []byte, err *ParseError) {
	if len(b) == 0 || b[0] != '<' {
		return 0, 0, nil, &ParseError{Format: "syslog", Offset: 0, Reason: "missing <PRI> at the start of the message"}
	}
	pri, i := 0, 1
	for ; i < len(b) && i <= 3 && b[i] >= '0' && b[i] <= '9'; i++ {
		pri = pri*10 + int(b[i]-'0')
	}
	if i == 1 || i >= len(b) || b[i] != '>' {
		return 0, 0, nil, &ParseError{Format: "syslog", Offset: i, Reason: "invalid <PRI>: want '<' 1 to 3 digits '>'"}
	}
	if pri > 191 {
		return 0, 0, nil, &ParseError{Format: "syslog", Offset: 1, Reason: "invalid <PRI>: above 191"}
	}
	return pri / 8, pri % 8, b[i+1:], nil
}

// ParseSyslog parses an RFC 5424 message ("<PRI>1 ...") or, failing the version, an RFC 3164
// one. now is when the message was received; RFC 3164 timestamps, which carry no year, take
// the year that puts them closest before now.
func ParseSyslog(b []byte, now time.Time) (Header, *ParseError) {
	fac, sev, rest, err := parsePRI(b)
	if err != nil {
		return Header{}, err
	}
	off := len(b) - len(rest)
	if len(rest) >= 2 && rest[0] == '1' && rest[1] == ' ' {
		h, perr := parse5424(rest[2:], off+2)
		h.Facility, h.Severity = fac, sev
		return h, perr
	}
	h := parse3164(rest, now)
	h.Facility, h.Severity = fac, sev
	return h, nil
}

// token returns the bytes of b up to the first space and the rest after that space.
func token(b []byte) (tok, rest []byte, ok bool) {
	for i, c := range b {
		if c == ' ' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

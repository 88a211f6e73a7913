package normalize

import (
	"bytes"
	"time"
)

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// parse3164 parses what follows the PRI of a BSD syslog message:
//
//	TIMESTAMP HOSTNAME TAG[PID]: MSG
//
// Every part may be missing, as real senders omit them: a message without a timestamp keeps
// its whole text as MSG; a timestamp followed by a tag has no hostname. TIMESTAMP is
// "Mmm dd hh:mm:ss" (optionally with fractional seconds, a year before the time as Cisco
// sends it, and a trailing ':'), or an RFC 3339 timestamp.
func parse3164(b []byte, now time.Time) Header {
	h := Header{}
	ts, rest, ok := parseBSDTime(b, now)
	if !ok {
		ts, rest, ok = parseRFC3339Prefix(b)
	}
	if ok {
		h.Time = ts
		b = rest
		if tok, after, _ := token(b); len(tok) > 0 && !looksLikeTag(tok) {
			h.Hostname, b = string(tok), after
		}
	}
	h.AppName, h.ProcID, h.Msg = parseTag(b)
	return h
}

// looksLikeTag says whether the token after a timestamp is a TAG rather than a HOSTNAME.
func looksLikeTag(tok []byte) bool {
	return tok[len(tok)-1] == ':' || bytes.IndexByte(tok, '[') >= 0
}

// parseTag splits "tag[pid]: msg" or "tag: msg"; anything else is all message.
func parseTag(b []byte) (tag, pid string, msg []byte) {
	i := 0
	for i < len(b) && i < 64 && b[i] != ' ' && b[i] != '[' && b[i] != ':' {
		i++
	}
	if i == 0 || i >= len(b) {
		return "", "", b
	}
	j := i
	if b[i] == '[' {
		k := bytes.IndexByte(b[i:], ']')
		if k < 0 || k > 32 || i+k+1 >= len(b) || b[i+k+1] != ':' {
			return "", "", b
		}
		pid, j = string(b[i+1:i+k]), i+k+1
	}
	if b[j] != ':' {
		return "", "", b
	}
	msg = b[j+1:]
	if len(msg) > 0 && msg[0] == ' ' {
		msg = msg[1:]
	}
	return string(b[:i]), pid, msg
}

// parseBSDTime reads "Mmm dd [yyyy ]hh:mm:ss[.frac][:] " and infers the year from now when
// the sender gave none.
func parseBSDTime(b []byte, now time.Time) (time.Time, []byte, bool) {
	if len(b) < 15 {
		return time.Time{}, nil, false
	}
	mon := monthOf(b[:3])
	if mon == 0 || b[3] != ' ' {
		return time.Time{}, nil, false
	}
	i := 4
	if b[i] == ' ' {
		i++
	}
	day, i, ok := digits(b, i, 1, 2)
	if !ok || i >= len(b) || b[i] != ' ' {
		return time.Time{}, nil, false
	}
	i++
	year := -1
	if y, j, ok := digits(b, i, 4, 4); ok && j < len(b) && b[j] == ' ' {
		year, i = y, j+1
	}
	hh, mm, ss, ns, i, ok := clock(b, i)
	if !ok || day < 1 || day > 31 {
		return time.Time{}, nil, false
	}
	if i < len(b) && b[i] == ':' {
		i++
	}
	if i < len(b) {
		if b[i] != ' ' {
			return time.Time{}, nil, false
		}
		i++
	}
	now = now.UTC()
	if year < 0 {
		year = now.Year()
		if time.Date(year, time.Month(mon), day, hh, mm, ss, ns, time.UTC).After(now.AddDate(0, 1, 0)) {
			year-- // a December message received in January
		}
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, ns, time.UTC), b[i:], true
}

func monthOf(b []byte) int {
	for i, m := range months {
		if (b[0]|0x20) == m[0] && (b[1]|0x20) == m[1] && (b[2]|0x20) == m[2] {
			return i + 1
		}
	}
	return 0
}

// clock reads "hh:mm:ss[.frac]" at b[i:].
func clock(b []byte, i int) (hh, mm, ss, ns, next int, ok bool) {
	if hh, i, ok = digits(b, i, 2, 2); !ok || i >= len(b) || b[i] != ':' {
		return 0, 0, 0, 0, 0, false
	}
	if mm, i, ok = digits(b, i+1, 2, 2); !ok || i >= len(b) || b[i] != ':' {
		return 0, 0, 0, 0, 0, false
	}
	if ss, i, ok = digits(b, i+1, 2, 2); !ok || hh > 23 || mm > 59 || ss > 60 {
		return 0, 0, 0, 0, 0, false
	}
	if i < len(b) && b[i] == '.' {
		start := i + 1
		f, j, ok := digits(b, start, 1, 9)
		if !ok {
			return 0, 0, 0, 0, 0, false
		}
		for k := j - start; k < 9; k++ {
			f *= 10
		}
		ns, i = f, j
	}
	return hh, mm, ss, ns, i, true
}

// digits reads min to max decimal digits at b[i:].
func digits(b []byte, i, min, max int) (n, next int, ok bool) {
	j := i
	for j < len(b) && j-i < max && b[j] >= '0' && b[j] <= '9' {
		n = n*10 + int(b[j]-'0')
		j++
	}
	return n, j, j-i >= min
}

// parseRFC3339Prefix reads an RFC 3339 timestamp and the space after it.
func parseRFC3339Prefix(b []byte) (time.Time, []byte, bool) {
	if len(b) < 20 || b[4] != '-' {
		return time.Time{}, nil, false
	}
	tok, rest, _ := token(b)
	t, err := time.Parse(time.RFC3339Nano, string(tok))
	if err != nil || !validYear(t) {
		return time.Time{}, nil, false
	}
	return t.UTC(), rest, true
}

// validYear says whether t fits the event store's timestamp range.
func validYear(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

package normalize

// Linux audit log ("auditd").
//
// Input: the text of /var/log/audit/audit.log as auditd writes it, one record a line:
//
//	[node=NAME ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): key=value ...[\x1dKEY=value ...]
//
// Values are bare, "double-quoted", or (for the USER_* records of PAM and login programs)
// 'single-quoted' lists of more key=value pairs. Fields that may hold untrusted text (exe,
// comm, cwd, name, proctitle, EXECVE arguments, acct, ...) are written bare as hexadecimal when
// they hold a space, a quote or a control character. With log_format = ENRICHED each record
// ends with a \x1d (group separator) and the interpreted fields in upper case (UID="root",
// AUID="alice", SYSCALL=execve, ...).
//
// The records of one event share the audit(time:serial) id and usually follow each other, but
// may interleave with other events'; they are grouped by node and id across the whole input.
// auditdmap.go maps each event to rows.

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// AuditdFormat is the name of the Linux audit log format.
const AuditdFormat = "auditd"

// auditField is one key=value pair of a record.
type auditField struct {
	k, v   string
	quoted bool // the value was written in quotes (so it is not hexadecimal)
}

// auditRecord is one line of audit.log.
type auditRecord struct {
	off    int    // byte offset of the line in the input
	line   []byte // the line, without its end of line
	node   string
	typ    string
	id     string // "SECONDS.MILLIS:SERIAL"
	time   time.Time
	serial int64
	fields []auditField
}

// get returns the value of the first field named k, decoding hexadecimal text when the field
// is one auditd encodes.
func (r *auditRecord) get(k string) string {
	for _, f := range r.fields {
		if f.k == k {
			if !f.quoted && auditEncoded(k) {
				return auditHex(f.v)
			}
			return f.v
		}
	}
	return ""
}

// has reports whether the record has a field named k.
func (r *auditRecord) has(k string) bool {
	for _, f := range r.fields {
		if f.k == k {
			return true
		}
	}
	return false
}

// auditEncoded says whether auditd writes field k as hexadecimal when its text needs it
// (audit_log_untrustedstring and the encoded fields of the user-space records).
func auditEncoded(k string) bool {
	switch k {
	case "exe", "comm", "cwd", "name", "proctitle", "acct", "key", "cmd", "old-name", "new-name", "path", "data":
		return true
	}
	// EXECVE arguments: a0, a1, a2[0] (a long argument in parts), but not a2_len.
	return len(k) > 1 && k[0] == 'a' && isDigit(k[1]) && !strings.HasSuffix(k, "_len")
}

// auditHex decodes a bare hexadecimal value; anything else ("(null)", "?", a number) is
// returned as it is. NUL bytes (between PROCTITLE arguments) become spaces.
func auditHex(s string) string {
	if len(s) < 2 || len(s)%2 != 0 {
		return s
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && (c < 'A' || c > 'F') {
			return s
		}
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return s
	}
	return strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ")
}

// parseAuditLine parses one record. The error's offset is within the line.
func parseAuditLine(line []byte, off int) (*auditRecord, *ParseError) {
	fail := func(at int, reason string) (*auditRecord, *ParseError) {
		return nil, &ParseError{Format: AuditdFormat, Offset: at, Reason: reason}
	}
	rec := &auditRecord{off: off, line: line}
	rest, base := line, 0
	if bytes.HasPrefix(rest, []byte("node=")) {
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return fail(0, "node= without a record after it")
		}
		rec.node = string(rest[5:sp])
		rest, base = rest[sp+1:], sp+1
	}
	if !bytes.HasPrefix(rest, []byte("type=")) {
		return fail(base, "missing type= at the start of the record")
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return fail(base, "missing msg=audit(...) after the type")
	}
	rec.typ = string(rest[5:sp])
	rest, base = rest[sp+1:], base+sp+1
	if !bytes.HasPrefix(rest, []byte("msg=audit(")) {
		return fail(base, "missing msg=audit( after the type")
	}
	end := bytes.Index(rest, []byte("):"))
	if end < 0 {
		return fail(base, "msg=audit( without the closing \"):\"")
	}
	if err := rec.setID(string(rest[10:end])); err != nil {
		return fail(base+10, err.Error())
	}
	body := rest[end+2:]
	var enriched []byte
	if gs := bytes.IndexByte(body, 0x1d); gs >= 0 {
		body, enriched = body[:gs], body[gs+1:]
	}
	rec.fields = parseAuditFields(string(body), rec.fields)
	rec.fields = parseAuditFields(string(enriched), rec.fields)
	return rec, nil
}

// setID reads "SECONDS.MILLIS:SERIAL".
func (r *auditRecord) setID(id string) error {
	ts, serial, ok := strings.Cut(id, ":")
	sec, frac, _ := strings.Cut(ts, ".")
	s, err1 := strconv.ParseInt(sec, 10, 64)
	n, err2 := strconv.ParseInt(serial, 10, 64)
	if !ok || err1 != nil || err2 != nil || s < 0 || n < 0 {
		return errors.New("invalid audit(seconds.millis:serial) id " + strconv.Quote(clip(id)))
	}
	var ns int64
	if frac != "" {
		if len(frac) > 9 {
			return errors.New("invalid audit(seconds.millis:serial) id " + strconv.Quote(clip(id)))
		}
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || f < 0 {
			return errors.New("invalid audit(seconds.millis:serial) id " + strconv.Quote(clip(id)))
		}
		for i := len(frac); i < 9; i++ {
			f *= 10
		}
		ns = f
	}
	if s > 253402300799 { // 9999-12-31T23:59:59Z
		return errors.New("audit time " + sec + " is out of range")
	}
	r.id, r.time, r.serial = id, time.Unix(s, ns).UTC(), n
	return nil
}

// parseAuditFields appends the key=value pairs of s. A 'single-quoted' value holding more
// pairs (msg='op=login ... res=success') is opened up: its pairs are appended after the
// others. Text that is not key=value is skipped.
func parseAuditFields(s string, out []auditField) []auditField {
	var inner []string
	for s != "" {
		s = strings.TrimLeft(s, " ")
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		k := s[:eq]
		if sp := strings.IndexByte(k, ' '); sp >= 0 { // a word without '=': skip it
			s = s[sp+1:]
			continue
		}
		s = s[eq+1:]
		f := auditField{k: k}
		switch {
		case s != "" && (s[0] == '"' || s[0] == '\''):
			q := s[0]
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				end = len(s) - 1
			}
			f.v, f.quoted = s[1:1+end], true
			s = s[min(len(s), end+2):]
			if q == '\'' && strings.Contains(f.v, "=") {
				inner = append(inner, f.v)
				continue
			}
		default:
			sp := strings.IndexByte(s, ' ')
			if sp < 0 {
				sp = len(s)
			}
			f.v, s = s[:sp], s[sp:]
		}
		out = append(out, f)
	}
	for _, in := range inner {
		out = parseAuditFields(in, out)
	}
	return out
}

// auditEvent is the records that share one audit(time:serial) id on one node.
type auditEvent struct {
	recs []*auditRecord
}

// find returns the first record of type typ, or nil.
func (e *auditEvent) find(typ string) *auditRecord {
	for _, r := range e.recs {
		if r.typ == typ {
			return r
		}
	}
	return nil
}

// auditChunk is an event, or a line that could not be read, in input order.
type auditChunk struct {
	ev  *auditEvent
	off int
	raw []byte
	err *ParseError
}

// maxAuditLines bounds the records read from one input.
const maxAuditLines = 1 << 20

// splitAudit reads the records of data and groups them into events, in the order of each
// event's first record. Blank lines are skipped; a line that is not a record becomes an error
// chunk with its offset.
func splitAudit(data []byte) []auditChunk {
	var out []auditChunk
	byID := map[string]int{}
	for off, n := 0, 0; off < len(data) && n < maxAuditLines; n++ {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end < 0 {
			end = len(data)
		} else {
			end += off
			next = end + 1
		}
		line := bytes.TrimRight(data[off:end], "\r")
		start := off
		off = next
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rec, err := parseAuditLine(line, start)
		if err != nil {
			out = append(out, auditChunk{off: start, raw: line, err: err})
			continue
		}
		key := rec.node + " " + rec.id
		if i, ok := byID[key]; ok {
			out[i].ev.recs = append(out[i].ev.recs, rec)
			continue
		}
		byID[key] = len(out)
		out = append(out, auditChunk{ev: &auditEvent{recs: []*auditRecord{rec}}, off: start})
	}
	for i := range out {
		if ev := out[i].ev; ev != nil {
			out[i].raw = ev.raw()
		}
	}
	return out
}

// raw is the text of the event's records, a line each.
func (e *auditEvent) raw() []byte {
	if len(e.recs) == 1 {
		return e.recs[0].line
	}
	var b bytes.Buffer
	for i, r := range e.recs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.Write(r.line)
	}
	return b.Bytes()
}

// Text reports whether the format is line-based text rather than JSON records, so that a
// sender batches its records as lines (see `vigil ingest --format`).
func (f *Format) Text() bool { return f.text != nil }

package simulate

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// emitter builds records for one organization. It draws ids, process ids and ports from its
// own random source, so the same seed gives the same bytes. Not safe for concurrent use.
type emitter struct {
	org    *Org
	r      *rand.Rand
	record int64 // the next EventRecordID
}

func newEmitter(org *Org, r *rand.Rand) *emitter { return &emitter{org: org, r: r, record: 100000} }

// win renders a Windows event from src (provider, guid, channel) at t on h.
func (e *emitter) win(src [3]string, id, task int, t time.Time, h *Host, data ...string) Record {
	e.record++
	ev := winEvent{provider: src[0], guid: src[1], channel: src[2], id: id, version: 2, task: task, level: 4,
		keywords: "0x8020000000000000", time: t, record: e.record, computer: h.FQDN, data: data}
	switch src[2] {
	case sysmonSource[2]:
		ev.version, ev.keywords, ev.userID = 5, "0x8000000000000000", "S-1-5-18"
	case scmSource[2]:
		ev.version, ev.keywords, ev.level = 0, "0x8080000000000000", 4
	}
	return Record{Time: t, Format: FormatWinEventXML, Payload: ev.xml()}
}

// pid draws a Windows process id.
func (e *emitter) pid() int { return 1000 + 4*e.r.IntN(4000) }

// port draws an ephemeral port.
func (e *emitter) port() int { return 49152 + e.r.IntN(16000) }

// guid draws a GUID.
func (e *emitter) guid() string { return randGUID(e.r) }

// hexID draws a hex logon id such as 0x3E7A21.
func (e *emitter) hexID() string {
	return "0x" + strings.ToUpper(strconv.FormatInt(int64(0x100000+e.r.IntN(0xEFFFFF)), 16))
}

// hash draws a hex digest of n bytes.
func (e *emitter) hash(n int) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 2*n)
	for i := range b {
		b[i] = digits[e.r.IntN(16)]
	}
	return string(b)
}

// account renders DOMAIN\sam.
func account(sam string) string { return DomainNetBIOS + `\` + sam }

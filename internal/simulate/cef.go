package simulate

import (
	"strconv"
	"strings"
	"time"
)

// Firewall builder: Palo Alto Networks PAN-OS TRAFFIC logs in CEF behind an RFC 5424 header
// -> CommonSecurityLog.

// FirewallName is the firewall that writes the traffic logs.
const FirewallName = "PA-3220"

// flow describes one firewall session.
type flow struct {
	src, dst       string
	srcPort, dport int
	proto          string // TCP or UDP
	action         string // allow or deny
	sent, received int64  // bytes from the source, bytes to it
	rule, app      string
	user           string // DOMAIN\sam or ""
	start          time.Time
}

// cefTraffic renders one session end (or deny) log.
func (e *emitter) cefTraffic(t time.Time, f flow) Record {
	if f.proto == "" {
		f.proto = "TCP"
	}
	if f.srcPort == 0 {
		f.srcPort = e.port()
	}
	if f.start.IsZero() {
		f.start = t.Add(-time.Duration(1+e.r.IntN(120)) * time.Second)
	}
	zoneSrc, zoneDst := zone(f.src), zone(f.dst)
	var b strings.Builder
	b.Grow(640)
	b.WriteString("<14>1 ")
	b.WriteString(t.UTC().Format("2006-01-02T15:04:05.000Z"))
	b.WriteString(" " + FirewallName + " PAN-OS - - - CEF:0|Palo Alto Networks|PAN-OS|10.2.4|end|TRAFFIC|1|rt=")
	b.WriteString(cefTime(t))
	b.WriteString(" deviceExternalId=013201009999 src=" + f.src + " dst=" + f.dst)
	b.WriteString(" cs1Label=Rule cs1=" + cefEscape(f.rule))
	if f.user != "" {
		b.WriteString(` suser=` + strings.ReplaceAll(f.user, `\`, `\\`))
	}
	b.WriteString(" cs2Label=App Category cs2=" + cefEscape(f.app))
	b.WriteString(" cs4Label=Source Zone cs4=" + zoneSrc + " cs5Label=Destination Zone cs5=" + zoneDst)
	b.WriteString(" cn1Label=SessionID cn1=" + strconv.Itoa(100000+e.r.IntN(900000)))
	b.WriteString(" cnt=1 spt=" + strconv.Itoa(f.srcPort) + " dpt=" + strconv.Itoa(f.dport) + " proto=" + f.proto)
	b.WriteString(" act=" + f.action + " in=" + strconv.FormatInt(f.received, 10) + " out=" + strconv.FormatInt(f.sent, 10))
	b.WriteString(" start=" + cefTime(f.start) + " cat=" + cefEscape(f.app) + " dvchost=" + FirewallName)
	return Record{Time: t, Format: FormatCEF, Payload: []byte(b.String())}
}

// zone is the PAN-OS zone of an address.
func zone(ip string) string {
	if strings.HasPrefix(ip, "10.") {
		return "trust"
	}
	return "untrust"
}

func cefTime(t time.Time) string { return t.UTC().Format("Jan 02 2006 15:04:05 GMT") }

// cefEscape escapes an extension value (backslash, equals sign, newlines).
func cefEscape(s string) string {
	if !strings.ContainsAny(s, "\\=\r\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "=", `\=`, "\r", `\r`, "\n", `\n`).Replace(s)
}

package normalize

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Shared pieces of the network sensor formats (zeek, suricata-eve): the ASIM tables they fill
// and the columns common to the NetworkSession, Dns and WebSession schemas.

// ASIM tables the network sensor formats fill.
const (
	asimNetTable = "ASimNetworkSessionLogs"
	asimDNSTable = "ASimDnsActivityLogs"
	asimWebTable = "ASimWebSessionLogs"
)

// ASIM schema versions the rows follow (EventSchemaVersion).
const (
	asimNetVersion = "0.2.6"
	asimDNSVersion = "0.1.7"
	asimWebVersion = "0.2.6"
)

// netEnds are a record's endpoints as the source gives them.
type netEnds struct {
	srcIP, dstIP     string
	srcPort, dstPort any
	proto            string
}

// putEnds fills SrcIpAddr, SrcPortNumber, DstIpAddr, DstPortNumber and NetworkProtocol. An
// address that is not an IP address or a port out of range is an error naming the source field
// (names holds the source names of the four fields, in that order).
func (r jrow) putEnds(e netEnds, names [4]string) error {
	for i, ip := range [...]string{e.srcIP, e.dstIP} {
		if ip == "" {
			continue
		}
		if _, err := netip.ParseAddr(ip); err != nil {
			return fmt.Errorf("%s: %q is not an IP address", names[2*i], clip(ip))
		}
		r.set([...]string{"SrcIpAddr", "DstIpAddr"}[i], ip)
	}
	for i, p := range [...]any{e.srcPort, e.dstPort} {
		if p == nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(jsonText(p)), 10, 32)
		if err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("%s: %q is not a port number", names[2*i+1], clip(jsonText(p)))
		}
		r.setValue([...]string{"SrcPortNumber", "DstPortNumber"}[i], int32(n))
	}
	r.set("NetworkProtocol", strings.ToUpper(e.proto))
	return nil
}

// putEvent fills the event columns every ASIM row has.
func (r jrow) putEvent(vendor, product, eventType, schemaVersion string) {
	r.setValue("EventCount", int32(1))
	r.setValue("EventVendor", vendor)
	r.setValue("EventProduct", product)
	r.setValue("EventType", eventType)
	r.setValue("EventSchemaVersion", schemaVersion)
}

// putFQDN fills DstFQDN, DstHostname, DstDomain and DstDomainType from a server name (a TLS
// SNI or an HTTP host).
func (r jrow) putFQDN(name string) {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return
	}
	host, domain, ok := strings.Cut(name, ".")
	r.set("DstHostname", host)
	if ok {
		r.set("DstFQDN", name)
		r.set("DstDomain", domain)
		r.set("DstDomainType", "FQDN")
	}
}

// putExtra keeps the members of extra in AdditionalFields.
func (r jrow) putExtra(extra jobj) {
	if len(extra) > 0 {
		r.setValue("AdditionalFields", jsonDynamic(extra))
	}
}

// netTimeLayouts are the time forms of Zeek's ISO timestamps and Suricata's EVE
// ("2024-03-10T10:15:30.123456+0000").
var netTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999",
}

// parseNetTime parses seconds since the epoch (a JSON number or its text, as Zeek writes ts)
// or one of netTimeLayouts.
func parseNetTime(v any) (time.Time, error) {
	s := strings.TrimSpace(jsonText(v))
	if s == "" {
		return time.Time{}, errors.New("missing time")
	}
	if t, ok := parseEpoch(s); ok {
		return t, nil
	}
	if _, isText := v.(string); isText {
		for _, l := range netTimeLayouts {
			if t, err := time.Parse(l, s); err == nil && validYear(t) {
				return t.UTC(), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", clip(s))
}

// parseEpoch parses "1710065730.123456" exactly, without going through a float.
func parseEpoch(s string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n < 0 || n > 253402300799 || len(frac) > 9 {
		return time.Time{}, false
	}
	var ns int64
	if frac != "" {
		f, err := strconv.ParseUint(frac, 10, 32)
		if err != nil || frac[0] == '+' {
			return time.Time{}, false
		}
		ns = int64(f)
		for i := len(frac); i < 9; i++ {
			ns *= 10
		}
	}
	return time.Unix(n, ns).UTC(), true
}

// parseSeconds parses a duration in seconds ("0.001234") as milliseconds.
func parseSeconds(v any) (int32, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(jsonText(v)), 64)
	if err != nil || isNaNOrInf(f) || f < 0 || f*1000 > float64(1<<31-1) {
		return 0, false
	}
	return int32(f*1000 + 0.5), true
}

// sumLongs adds two counters, or returns nil when either is missing or not a number.
func sumLongs(a, b any) schema.Value {
	x, err1 := strconv.ParseInt(jsonText(a), 10, 64)
	y, err2 := strconv.ParseInt(jsonText(b), 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	return x + y
}

// keep appends the members of o that are not in used to extra.
func keep(extra jobj, o jobj, used map[string]bool) jobj {
	for _, f := range o {
		if !used[f.k] && f.v != nil {
			extra = append(extra, f)
		}
	}
	return extra
}

// keyed returns the member k of o, or the value at the dotted path k (Zeek's JSON writes
// "id.orig_h" flat; shippers may nest it).
func keyed(o jobj, k string) any {
	if v := o.get(k); v != nil {
		return v
	}
	if strings.IndexByte(k, '.') < 0 {
		return nil
	}
	return o.path(k)
}

// putAll puts each source member of o into its column; the first that does not fit is an
// error naming it.
func (r jrow) putAll(o jobj, cols [][2]string) error {
	for _, c := range cols {
		v := keyed(o, c[1])
		if !r.put(c[0], v) {
			return fmt.Errorf("%s: %q does not fit %s", c[1], clip(jsonText(v)), c[0])
		}
	}
	return nil
}

// usedKeys is the set of source keys of cols plus more.
func usedKeys(cols [][2]string, more ...string) map[string]bool {
	m := make(map[string]bool, len(cols)+len(more))
	for _, c := range cols {
		m[c[1]] = true
	}
	for _, k := range more {
		m[k] = true
	}
	return m
}

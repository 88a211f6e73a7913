package fleet

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Kind is what an indicator's value is.
type Kind string

// The kinds of indicator value.
const (
	SHA256 Kind = "sha256"
	SHA1   Kind = "sha1"
	MD5    Kind = "md5"
	IP     Kind = "ip"
	URL    Kind = "url"
	Domain Kind = "domain"
)

// hashKinds are the file hash kinds by hex length, with their FileHashType spelling.
var hashKinds = map[int]struct {
	kind     Kind
	hashType string
}{64: {SHA256, "SHA256"}, 40: {SHA1, "SHA1"}, 32: {MD5, "MD5"}}

// Indicator is one entry of the fleet block list.
type Indicator struct {
	// ID is the IndicatorId of its row.
	ID    string
	Kind  Kind
	Value string // normalized: lowercase hashes and domains, canonical addresses
	// Description says why it is blocked.
	Description string
	// Source is the row's SourceSystem (or IndicatorProvider).
	Source string
}

// ParseValue says what kind of indicator v is and normalizes it: a file hash (SHA-256,
// SHA-1 or MD5 in hex), an IP address, a URL (with a scheme and a host) or a domain name.
func ParseValue(v string) (Kind, string, error) {
	v = strings.TrimSpace(v)
	if h, ok := hashKinds[len(v)]; ok {
		if _, err := hex.DecodeString(v); err == nil {
			return h.kind, strings.ToLower(v), nil
		}
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return IP, a.Unmap().String(), nil
	}
	if strings.Contains(v, "://") {
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return "", "", fmt.Errorf("indicator %q: not a URL with a scheme and a host", v)
		}
		return URL, v, nil
	}
	if validDomain(v) {
		return Domain, strings.ToLower(strings.TrimSuffix(v, ".")), nil
	}
	return "", "", fmt.Errorf("indicator %q is not a file hash (SHA-256, SHA-1 or MD5), an IP address, a URL or a domain name", v)
}

// validDomain reports whether v is a host name of at least two labels.
func validDomain(v string) bool {
	v = strings.TrimSuffix(v, ".")
	labels := strings.Split(v, ".")
	if len(v) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}

// SourceSystem is the SourceSystem of the rows the Responder writes.
const SourceSystem = "Vigil Action Center"

// rowSpec is one ThreatIntelligenceIndicator row the Responder writes.
type rowSpec struct {
	id          string
	kind        Kind
	value       string
	description string
	active      bool
	at          time.Time
}

// row renders r as a row of t (ThreatIntelligenceIndicator); columns t lacks are skipped.
func (r rowSpec) row(t *schema.Table) []schema.Value {
	vals := make([]schema.Value, len(t.Columns))
	set := func(col string, v schema.Value) {
		if i, ok := t.Column(col); ok {
			vals[i] = v
		}
	}
	set(schema.ColTimeGenerated, r.at.UTC())
	set("IndicatorId", r.id)
	set("Action", "block")
	set("Active", r.active)
	set("SourceSystem", SourceSystem)
	set("IndicatorProvider", SourceSystem)
	set("Description", r.description)
	set("ConfidenceScore", 100.0)
	switch r.kind {
	case SHA256, SHA1, MD5:
		set("FileHashType", hashKinds[len(r.value)].hashType)
		set("FileHashValue", r.value)
	case IP:
		set("NetworkIP", r.value)
	case URL:
		set("Url", r.value)
	case Domain:
		set("DomainName", r.value)
	}
	return vals
}

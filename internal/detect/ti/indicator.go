package ti

import (
	"strings"
	"time"
)

// Kind is the kind of observable an indicator names.
type Kind uint8

// Observable kinds.
const (
	KindInvalid  Kind = iota
	KindIP            // an IPv4 or IPv6 address or CIDR block
	KindDomain        // a domain name; its subdomains match too
	KindURL           // a URL, compared normalized
	KindFileHash      // a file hash; HashType says which
	KindEmail         // an email sender address, compared ignoring case
)

var kindNames = [...]string{KindInvalid: "invalid", KindIP: "ip", KindDomain: "domain", KindURL: "url", KindFileHash: "file", KindEmail: "email"}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Hash types as ThreatIntelligenceIndicator.FileHashType spells them.
const (
	HashMD5    = "MD5"
	HashSHA1   = "SHA1"
	HashSHA256 = "SHA256"
)

// Indicator is one observable of a threat-intelligence indicator: a STIX indicator whose
// pattern ORs several comparisons yields one Indicator per comparison, sharing ID.
type Indicator struct {
	Tenant      string
	ID          string // the STIX id (IndicatorId)
	Kind        Kind
	HashType    string // for KindFileHash: HashMD5, HashSHA1 or HashSHA256
	Value       string // as the source gave it
	Name        string
	Description string
	Confidence  int      // 0-100; -1 when the source gave none
	Types       []string // STIX indicator_types or labels ("malicious-activity", ...)
	Source      string   // who produced it (created_by_ref or the importer)
	Pattern     string   // the STIX pattern it came from
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: no expiry
	Revoked     bool
	Active      bool
	Modified    time.Time // the source's version time (STIX modified); zero when unknown
	Updated     time.Time // when this version was stored
}

// compareVersion orders two versions of an indicator: by Modified, then by Updated.
func compareVersion(a, b *Indicator) int {
	if c := a.Modified.Compare(b.Modified); c != 0 {
		return c
	}
	return a.Updated.Compare(b.Updated)
}

// usable reports whether the indicator may match an event at time t with at least
// minConfidence (an indicator without a confidence passes).
func (in *Indicator) usable(t time.Time, minConfidence int) bool {
	switch {
	case !in.Active || in.Revoked:
		return false
	case in.Confidence >= 0 && in.Confidence < minConfidence:
		return false
	case !in.ValidUntil.IsZero() && !t.Before(in.ValidUntil):
		return false
	case !in.ValidFrom.IsZero() && t.Before(in.ValidFrom):
		return false
	}
	return true
}

// ThreatType is the first indicator type, as ThreatIntelligenceIndicator.ThreatType holds it.
func (in *Indicator) ThreatType() string {
	if len(in.Types) == 0 {
		return ""
	}
	return in.Types[0]
}

// key returns the normalized value the index files the indicator under, and false when the
// value cannot be normalized.
func (in *Indicator) key() (string, bool) {
	switch in.Kind {
	case KindIP:
		p, ok := parseIPOrPrefix(in.Value)
		return p.String(), ok
	case KindDomain:
		d := normalizeDomain(in.Value)
		return d, d != ""
	case KindURL:
		u := normalizeURL(in.Value)
		return u, u != ""
	case KindFileHash:
		h := strings.ToLower(strings.TrimSpace(in.Value))
		return in.HashType + ":" + h, h != "" && in.HashType != ""
	case KindEmail:
		e := strings.ToLower(strings.TrimSpace(in.Value))
		return e, strings.Contains(e, "@")
	case KindInvalid:
	}
	return "", false
}

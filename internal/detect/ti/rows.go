package ti

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// The indicator tables, as Sentinel names them.
const (
	TableLegacy = "ThreatIntelligenceIndicator" // one row per observable, flat columns
	TableSTIX   = "ThreatIntelIndicators"       // the newer STIX-shaped table
)

// Source names used when an indicator carries none.
const (
	SourceSystem     = "Vigil STIX import"
	LastUpdateMethod = "STIXImport"
)

// TableRows is rows of one table, each as wide as Table.Columns.
type TableRows struct {
	Table *schema.Table
	Rows  [][]schema.Value
}

// Rows renders indicators as rows of ThreatIntelligenceIndicator and, when the registry has
// it, ThreatIntelIndicators.
func Rows(reg *schema.Registry, ins []Indicator) ([]TableRows, error) {
	legacy, ok := reg.Table(TableLegacy)
	if !ok {
		return nil, fmt.Errorf("threat intelligence: no table %s in the schema", TableLegacy)
	}
	out := []TableRows{{Table: legacy}}
	stix, hasSTIX := reg.Table(TableSTIX)
	if hasSTIX {
		out = append(out, TableRows{Table: stix})
	}
	for i := range ins {
		out[0].Rows = append(out[0].Rows, legacyRow(legacy, &ins[i]))
		if hasSTIX {
			out[1].Rows = append(out[1].Rows, stixRow(stix, &ins[i]))
		}
	}
	return out, nil
}

// rowBuilder sets cells of one row by column name; a name the table lacks is skipped, so
// that a trimmed schema still takes the rows.
type rowBuilder struct {
	t    *schema.Table
	vals []schema.Value
}

func newRowBuilder(t *schema.Table) *rowBuilder {
	return &rowBuilder{t: t, vals: make([]schema.Value, len(t.Columns))}
}

func (r *rowBuilder) set(col string, v schema.Value) {
	i, ok := r.t.Column(col)
	if !ok {
		return
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case time.Time:
		if x.IsZero() {
			return
		}
		v = x.UTC()
	}
	r.vals[i] = v
}

// extraInfo is what ThreatIntelligenceIndicator.AdditionalInformation holds: the properties
// that table has no column for, so that the indicator can be read back whole.
type extraInfo struct {
	Name      string    `json:"name,omitempty"`
	Pattern   string    `json:"pattern,omitempty"`
	ValidFrom time.Time `json:"validFrom,omitzero"`
	Revoked   bool      `json:"revoked,omitempty"`
	Modified  time.Time `json:"modified,omitzero"`
	Types     []string  `json:"types,omitempty"`
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func legacyRow(t *schema.Table, in *Indicator) []schema.Value {
	r := newRowBuilder(t)
	r.set(schema.ColTimeGenerated, in.Updated)
	r.set("IndicatorId", in.ID)
	r.set("ExternalIndicatorId", in.ID)
	r.set("Description", in.Description)
	r.set("ThreatType", in.ThreatType())
	if in.Confidence >= 0 {
		r.set("ConfidenceScore", float64(in.Confidence))
	}
	r.set("ExpirationDateTime", in.ValidUntil)
	r.set("Active", in.Active && !in.Revoked)
	r.set("Action", "alert")
	r.set("SourceSystem", SourceSystem)
	r.set("IndicatorProvider", in.Source)
	r.set("Tags", jsonString(in.Types))
	r.set("AdditionalInformation", jsonString(extraInfo{Name: in.Name, Pattern: in.Pattern, ValidFrom: in.ValidFrom, Revoked: in.Revoked, Modified: in.Modified, Types: in.Types}))
	switch in.Kind {
	case KindIP:
		if p, ok := parseIPOrPrefix(in.Value); ok && p.IsSingleIP() {
			r.set("NetworkIP", p.Addr().String())
		} else if ok {
			r.set("NetworkCidrBlock", p.String())
		}
		r.set("KillChainC2", true)
	case KindDomain:
		r.set("DomainName", in.Value)
		r.set("KillChainC2", true)
	case KindURL:
		r.set("Url", in.Value)
		r.set("KillChainDelivery", true)
	case KindFileHash:
		r.set("FileHashType", in.HashType)
		r.set("FileHashValue", in.Value)
	case KindEmail:
		r.set("EmailSenderAddress", in.Value)
		r.set("KillChainDelivery", true)
	case KindInvalid:
	}
	return r.vals
}

// observableKeys are the ObservableKey values of ThreatIntelIndicators, per kind.
var observableKeys = map[Kind]string{
	KindDomain: "domain-name:value", KindURL: "url:value", KindEmail: "email-addr:value",
}

var hashKeys = map[string]string{
	HashMD5: "file:hashes.'MD5'", HashSHA1: "file:hashes.'SHA-1'", HashSHA256: "file:hashes.'SHA-256'",
}

func observableKey(in *Indicator) string {
	switch in.Kind {
	case KindIP:
		if p, ok := parseIPOrPrefix(in.Value); ok && p.Addr().Is6() {
			return "ipv6-addr:value"
		}
		return "ipv4-addr:value"
	case KindFileHash:
		return hashKeys[in.HashType]
	case KindDomain, KindURL, KindEmail:
		return observableKeys[in.Kind]
	case KindInvalid:
	}
	return ""
}

func stixRow(t *schema.Table, in *Indicator) []schema.Value {
	r := newRowBuilder(t)
	r.set(schema.ColTimeGenerated, in.Updated)
	r.set("Id", in.ID)
	r.set("SourceSystem", SourceSystem)
	r.set("Source", in.Source)
	r.set("LastUpdateMethod", LastUpdateMethod)
	r.set("IsDeleted", false)
	r.set("IsActive", in.Active)
	r.set("Revoked", in.Revoked)
	r.set("ValidFrom", in.ValidFrom)
	r.set("ValidUntil", in.ValidUntil)
	r.set("ExpirationDateTime", in.ValidUntil)
	r.set("Modified", in.Modified)
	if in.Confidence >= 0 {
		r.set("Confidence", int32(in.Confidence))
	}
	r.set("Pattern", in.Pattern)
	r.set("ObservableKey", observableKey(in))
	r.set("ObservableValue", in.Value)
	r.set("ThreatType", in.ThreatType())
	r.set("Tags", jsonString(in.Types))
	if in.Kind == KindIP {
		if a, ok := parseIP(in.Value); ok {
			r.set("NetworkIP", a.String())
		}
	}
	r.set("Data", schema.Dynamic(jsonString(stixData(in))))
	return r.vals
}

// stixData is the indicator as a STIX object, as ThreatIntelIndicators.Data holds it.
func stixData(in *Indicator) map[string]any {
	d := map[string]any{"type": "indicator", "spec_version": "2.1", "id": in.ID, "pattern": in.Pattern,
		"pattern_type": "stix", "valid_from": in.ValidFrom.UTC().Format(time.RFC3339Nano), "revoked": in.Revoked}
	if in.Name != "" {
		d["name"] = in.Name
	}
	if in.Description != "" {
		d["description"] = in.Description
	}
	if !in.ValidUntil.IsZero() {
		d["valid_until"] = in.ValidUntil.UTC().Format(time.RFC3339Nano)
	}
	if in.Confidence >= 0 {
		d["confidence"] = in.Confidence
	}
	if len(in.Types) > 0 {
		d["indicator_types"] = in.Types
	}
	return d
}

package ti

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// getter returns the value of a column of one row, nil when absent. Values are schema values
// (from the stream) or store results (datetimes as text, numbers as any numeric type).
type getter func(col string) any

// readers turn a row of each indicator table (by lower-case name) into indicators.
var readers = map[string]func(tenant string, get getter) []Indicator{
	strings.ToLower(TableLegacy): readLegacy,
	strings.ToLower(TableSTIX):   readSTIX,
}

// IsIndicatorTable reports whether rows of table name are indicators the matcher learns.
func IsIndicatorTable(name string) bool {
	_, ok := readers[strings.ToLower(name)]
	return ok
}

// ReadRow returns the indicators one row of an indicator table holds (none for other tables).
func ReadRow(table, tenant string, get func(col string) any) []Indicator {
	r, ok := readers[strings.ToLower(table)]
	if !ok {
		return nil
	}
	return r(tenant, getter(get))
}

func readLegacy(tenant string, get getter) []Indicator {
	base := Indicator{Tenant: tenant, ID: asString(get("IndicatorId")), Description: asString(get("Description")),
		Confidence: asInt(get("ConfidenceScore"), -1), ValidUntil: asTime(get("ExpirationDateTime")),
		Active: asBool(get("Active"), true), Source: asString(get("IndicatorProvider")), Updated: asTime(get(schema.ColTimeGenerated))}
	if base.ID == "" {
		base.ID = asString(get("ExternalIndicatorId"))
	}
	var extra extraInfo
	if s := asString(get("AdditionalInformation")); strings.HasPrefix(s, "{") {
		_ = json.Unmarshal([]byte(s), &extra)
	}
	base.Name, base.Pattern, base.ValidFrom, base.Revoked, base.Types = extra.Name, extra.Pattern, extra.ValidFrom, extra.Revoked, extra.Types
	base.Modified = extra.Modified
	if len(base.Types) == 0 {
		if t := asString(get("ThreatType")); t != "" {
			base.Types = []string{t}
		}
	}
	var out []Indicator
	add := func(k Kind, hashType, v string) {
		if v == "" {
			return
		}
		in := base
		in.Kind, in.HashType, in.Value = k, hashType, v
		if _, ok := in.key(); ok {
			out = append(out, in)
		}
	}
	for _, c := range []string{"NetworkIP", "NetworkCidrBlock", "NetworkDestinationIP", "NetworkSourceIP", "NetworkDestinationCidrBlock", "NetworkSourceCidrBlock", "EmailSourceIpAddress"} {
		add(KindIP, "", asString(get(c)))
	}
	add(KindDomain, "", asString(get("DomainName")))
	add(KindURL, "", asString(get("Url")))
	add(KindEmail, "", asString(get("EmailSenderAddress")))
	add(KindFileHash, hashType(asString(get("FileHashType"))), asString(get("FileHashValue")))
	return out
}

// hashType reads FileHashType spellings ("SHA256", "sha-256", ...).
func hashType(s string) string {
	switch strings.ToUpper(strings.ReplaceAll(s, "-", "")) {
	case "MD5":
		return HashMD5
	case "SHA1":
		return HashSHA1
	case "SHA256":
		return HashSHA256
	}
	return ""
}

func readSTIX(tenant string, get getter) []Indicator {
	if asBool(get("IsDeleted"), false) {
		return nil
	}
	base := Indicator{Tenant: tenant, ID: asString(get("Id")), Confidence: asInt(get("Confidence"), -1),
		ValidFrom: asTime(get("ValidFrom")), ValidUntil: asTime(get("ValidUntil")), Revoked: asBool(get("Revoked"), false),
		Active: asBool(get("IsActive"), true), Source: asString(get("Source")), Pattern: asString(get("Pattern")),
		Modified: asTime(get("Modified")), Updated: asTime(get(schema.ColTimeGenerated))}
	if base.ValidUntil.IsZero() {
		base.ValidUntil = asTime(get("ExpirationDateTime"))
	}
	if t := asString(get("ThreatType")); t != "" {
		base.Types = []string{t}
	}
	var data struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	_ = json.Unmarshal([]byte(asString(get("Data"))), &data)
	base.Name, base.Description = data.Name, data.Description
	var obs []Observable
	key, val := asString(get("ObservableKey")), asString(get("ObservableValue"))
	if o, ok := objectPaths[strings.ToLower(strings.ReplaceAll(key, "'", ""))]; ok && val != "" {
		o.Value = val
		obs = []Observable{o}
	} else if base.Pattern != "" {
		obs, _ = ParsePattern(base.Pattern)
	}
	out := make([]Indicator, 0, len(obs))
	for _, o := range obs {
		in := base
		in.Kind, in.HashType, in.Value = o.Kind, o.HashType, o.Value
		if _, ok := in.key(); ok {
			out = append(out, in)
		}
	}
	return out
}

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case schema.Dynamic:
		return string(x)
	case []byte:
		return string(x)
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return ""
}

func asInt(v any, def int) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int32:
		return int(x)
	case int:
		return x
	case float64:
		return int(x)
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return int(f)
		}
	}
	return def
}

func asBool(v any, def bool) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b
		}
	}
	return def
}

func asTime(v any) time.Time {
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

package fleet

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Querier runs read-only SQL on the event store (store.Store).
type Querier interface {
	Query(ctx context.Context, sql string, maxRows int) (*store.Result, error)
}

// MaxIndicators bounds the block list an agent gets; a longer list is cut (the newest
// first) and says so.
const MaxIndicators = 50_000

// blockActions are the Action values that block, compared case-insensitively: Sentinel's
// "block" and Defender's custom indicator actions that block.
const blockActions = `("block", "blockAndRemediate", "alertAndBlock")`

// listQuery reads the current version of each indicator observable and keeps the active,
// unexpired ones whose action blocks. One indicator may hold several observables (a STIX
// pattern ORing comparisons), hence the grouping by value too.
const listQuery = `ThreatIntelligenceIndicator
| where isnotempty(IndicatorId)
| extend Value = coalesce(FileHashValue, NetworkIP, Url, DomainName)
| where isnotempty(Value)
| summarize arg_max(TimeGenerated, *) by IndicatorId, Value
| where Active == true and Action in~ ` + blockActions + ` and (isnull(ExpirationDateTime) or ExpirationDateTime > now())
| project TimeGenerated, IndicatorId, FileHashValue, NetworkIP, Url, DomainName, Description, SourceSystem, IndicatorProvider
| order by TimeGenerated desc, IndicatorId asc`

// List reads a tenant's fleet block list from the event store.
type List struct {
	Registry *schema.Registry
	Store    Querier
}

// Blocked returns tenant's active block indicators, newest first, and whether the list was
// cut at MaxIndicators. Another tenant's indicators never appear: the query is compiled
// for tenant alone.
func (l List) Blocked(ctx context.Context, tenant string) ([]Indicator, bool, error) {
	q, diags := kql.Compile(listQuery, l.Registry, kql.Options{Tenant: tenant, Tenants: []string{tenant}})
	if q == nil {
		return nil, false, fmt.Errorf("fleet block list query does not compile: %v", diags)
	}
	res, err := l.Store.Query(ctx, q.SQL, MaxIndicators)
	if err != nil {
		return nil, false, fmt.Errorf("read the fleet block list: %w", err)
	}
	col := make(map[string]int, len(res.Columns))
	for i, c := range res.Columns {
		col[c.Name] = i
	}
	str := func(row []any, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			if s, ok := row[i].(string); ok {
				return s
			}
		}
		return ""
	}
	out := make([]Indicator, 0, len(res.Rows))
	for _, row := range res.Rows {
		in := Indicator{ID: str(row, "IndicatorId"), Description: str(row, "Description"), Source: str(row, "SourceSystem")}
		if in.Source == "" {
			in.Source = str(row, "IndicatorProvider")
		}
		if !in.read(func(c string) string { return strings.TrimSpace(str(row, c)) }) {
			continue // a feed's row the agents cannot use: a malformed hash or address
		}
		out = append(out, in)
	}
	return out, res.Truncated, nil
}

// valueColumns are the columns an indicator keeps its value in, in the order read, with the
// kind a value there must be (any file hash kind for FileHashValue) or is taken as.
var valueColumns = []struct {
	column string
	kind   Kind
}{{"FileHashValue", SHA256}, {"NetworkIP", IP}, {"Url", URL}, {"DomainName", Domain}}

// read sets the kind and value of in from the first value column get finds set, and
// reports whether that value is well formed for its column.
func (in *Indicator) read(get func(column string) string) bool {
	for _, vc := range valueColumns {
		v := get(vc.column)
		if v == "" {
			continue
		}
		kind, norm, err := ParseValue(v)
		switch vc.kind {
		case SHA256:
			in.Kind, in.Value = kind, norm
			return err == nil && (kind == SHA256 || kind == SHA1 || kind == MD5)
		case IP:
			in.Kind, in.Value = kind, norm
			return err == nil && kind == IP
		case Domain:
			in.Kind, in.Value = Domain, strings.ToLower(strings.TrimSuffix(v, "."))
		default:
			in.Kind, in.Value = vc.kind, v // a URL as the feed spells it
		}
		return true
	}
	return false
}

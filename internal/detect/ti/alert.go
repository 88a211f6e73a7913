package ti

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// RuleID and RuleName name the matcher's alerts.
const (
	RuleID   = "vigil-threat-intelligence"
	RuleName = "Threat intelligence match"
)

// severity maps an indicator's confidence to the alert severity.
func (m *Matcher) severity(in *Indicator) rule.Severity {
	switch {
	case in.Confidence < 0 || in.Confidence >= m.opts.HighConfidence:
		return rule.SeverityHigh
	case in.Confidence >= m.opts.MediumConfidence:
		return rule.SeverityMedium
	}
	return rule.SeverityLow
}

// alert builds the alert for row i of b matching in on field f with value v at event time at.
func (m *Matcher) alert(b *stream.Batch, i int, row []schema.Value, f *Field, v string, in *Indicator, at time.Time) alert.Alert {
	a := alert.Alert{
		ID: alertID(in.ID, b.Tenant, b.Seq, i), Tenant: b.Tenant, Provider: alert.Provider,
		RuleID: RuleID, RuleName: RuleName, Status: alert.StatusNew, Severity: m.severity(in),
		Title:       fmt.Sprintf("%s: %s %s", RuleName, f.Action, v),
		Description: describe(b.Table, f, v, in),
		Tactics:     []string{f.Tactic},
		StartTime:   at, EndTime: at, CreatedTime: m.opts.Now().UTC(),
		Incident:   rule.IncidentConfiguration{CreateIncident: true},
		Properties: properties(f, v, in),
		Evidence:   evidence(b, row),
	}
	a.Entities = append([]alert.Entity{observableEntity(f.Check, v, in)}, contextEntities(b, row)...)
	return a
}

func describe(table string, f *Field, v string, in *Indicator) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s.%s holds %s, which matches threat-intelligence indicator ", table, f.Column, v)
	if in.Name != "" {
		fmt.Fprintf(&sb, "%q ", in.Name)
	}
	fmt.Fprintf(&sb, "(%s %s", in.Kind, in.Value)
	if in.Confidence >= 0 {
		fmt.Fprintf(&sb, ", confidence %d", in.Confidence)
	}
	if in.Source != "" {
		fmt.Fprintf(&sb, ", source %s", in.Source)
	}
	sb.WriteString(")")
	if in.Description != "" {
		sb.WriteString(": " + in.Description)
	}
	return sb.String()
}

func properties(f *Field, v string, in *Indicator) map[string]string {
	p := map[string]string{
		"IndicatorId": in.ID, "IndicatorType": in.Kind.String(), "IndicatorValue": in.Value,
		"MatchedColumn": f.Column, "MatchedValue": v,
	}
	for k, x := range map[string]string{"IndicatorName": in.Name, "ThreatType": in.ThreatType(), "IndicatorSource": in.Source,
		"FileHashType": in.HashType, "IndicatorDescription": in.Description} {
		if x != "" {
			p[k] = x
		}
	}
	if in.Confidence >= 0 {
		p["Confidence"] = strconv.Itoa(in.Confidence)
	}
	return p
}

// alertID is a GUID-shaped hash of the indicator, tenant, bus sequence and row: the same
// after a replay, so the sink and correlator see one alert.
func alertID(indicator, tenant string, seq uint64, row int) string {
	h := sha256.New()
	fmt.Fprintf(h, "ti\x00%s\x00%s\x00%d\x00%d", indicator, tenant, seq, row)
	s := hex.EncodeToString(h.Sum(nil))
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// observableEntity is the entity of the matched value.
func observableEntity(c Check, v string, in *Indicator) alert.Entity {
	switch c {
	case CheckIP:
		if a, ok := parseIP(v); ok {
			v = a.String()
		}
		return alert.Entity{Type: "IP", Identifiers: map[string]string{"Address": v}}
	case CheckURL:
		return alert.Entity{Type: "URL", Identifiers: map[string]string{"Url": v}}
	case CheckDomain:
		return alert.Entity{Type: "DNS", Identifiers: map[string]string{"DomainName": v}}
	case CheckEmail:
		return alert.Entity{Type: "Mailbox", Identifiers: map[string]string{"MailboxPrimaryAddress": v}}
	case CheckMD5, CheckSHA1, CheckSHA256:
	}
	return alert.Entity{Type: "FileHash", Identifiers: map[string]string{"Algorithm": in.HashType, "Value": v}}
}

// contextColumns say which columns give the row's host, account and mailbox: the first of
// each list that holds a value.
var contextColumns = []entityColumn{
	{"Host", "FullName", []string{"DeviceName", "Computer", "HostName", "SourceHostName"}},
	{"Account", "FullName", []string{"AccountUpn", "UserPrincipalName", "InitiatingProcessAccountUpn", "AccountName", "InitiatingProcessAccountName", "SourceUserName", "UserId"}},
	{"Mailbox", "MailboxPrimaryAddress", []string{"RecipientEmailAddress"}},
}

// entityColumn says which columns may give an entity's identifier.
type entityColumn struct {
	Type, Identifier string
	Columns          []string
}

// contextEntities returns the entities of contextColumns found in a row.
func contextEntities(b *stream.Batch, row []schema.Value) []alert.Entity {
	var out []alert.Entity
	for _, ec := range contextColumns {
		for _, c := range ec.Columns {
			i := b.Index(c)
			if i < 0 || i >= len(row) {
				continue
			}
			if s, ok := row[i].(string); ok && s != "" {
				out = append(out, alert.Entity{Type: ec.Type, Identifiers: map[string]string{ec.Identifier: s}})
				break
			}
		}
	}
	return out
}

// evidence is the matching row, its null cells left out.
func evidence(b *stream.Batch, row []schema.Value) alert.Evidence {
	var ev alert.Evidence
	var vals []any
	for i, c := range b.Columns {
		if i < len(row) && row[i] != nil && !c.Hidden {
			ev.Columns = append(ev.Columns, c.Name)
			vals = append(vals, row[i])
		}
	}
	ev.Rows = [][]any{vals}
	return ev
}

// appendEvidence adds the one row of more to ev, aligning its columns with ev's (a column ev
// lacks is added, empty in the earlier rows).
func appendEvidence(ev *alert.Evidence, more alert.Evidence) {
	row := make([]any, len(ev.Columns))
	for j, c := range more.Columns {
		k := slices.Index(ev.Columns, c)
		if k < 0 {
			ev.Columns = append(ev.Columns, c)
			for r := range ev.Rows {
				ev.Rows[r] = append(ev.Rows[r], nil)
			}
			row = append(row, nil)
			k = len(ev.Columns) - 1
		}
		row[k] = more.Rows[0][j]
	}
	ev.Rows = append(ev.Rows, row)
}

// hasEntity reports whether es holds an entity of e's type with e's identifiers.
func hasEntity(es []alert.Entity, e alert.Entity) bool {
	return slices.ContainsFunc(es, func(x alert.Entity) bool {
		return x.Type == e.Type && maps.Equal(x.Identifiers, e.Identifiers)
	})
}

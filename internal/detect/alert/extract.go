package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/store"
)

// DefaultMaxEvidence is how many rows an alert keeps as evidence by default.
const DefaultMaxEvidence = 50

// Run describes the evaluation the results came from.
type Run struct {
	Tenant      string
	From, To    time.Time // the query window
	Now         time.Time // when the alert is created
	MaxEvidence int       // 0 means DefaultMaxEvidence
}

// Extract turns the results of one run of r into alerts. It returns none when the rule's
// trigger does not fire for the number of rows. With AlertPerResult each row is an alert;
// with SingleAlert all rows form one, whose title and overrides come from the first row.
func Extract(r *rule.Rule, res *store.Result, run Run) []Alert {
	if res == nil || !r.Trigger.Fires(len(res.Rows)) || len(res.Rows) == 0 {
		return nil
	}
	if run.MaxEvidence <= 0 {
		run.MaxEvidence = DefaultMaxEvidence
	}
	idx := map[string]int{}
	for i, c := range res.Columns {
		idx[c.Name] = i
	}
	if r.EventGrouping == rule.AlertPerResult {
		out := make([]Alert, 0, len(res.Rows))
		for _, row := range res.Rows {
			out = append(out, build(r, res, idx, [][]any{row}, run))
		}
		return out
	}
	return []Alert{build(r, res, idx, res.Rows, run)}
}

func build(r *rule.Rule, res *store.Result, idx map[string]int, rows [][]any, run Run) Alert {
	first := rows[0]
	a := Alert{
		Tenant: run.Tenant, Provider: Provider, RuleID: r.ID, RuleVersion: r.Version, RuleName: r.Name,
		Title: r.Name, Description: r.Description, Severity: r.Severity, Status: StatusNew,
		Tactics: r.Tactics, Techniques: r.Techniques, CreatedTime: run.Now, Incident: r.Incident,
		StartTime: run.From, EndTime: run.To, ResponseActions: r.ResponseActions,
	}
	for _, c := range res.Columns {
		a.Evidence.Columns = append(a.Evidence.Columns, c.Name)
	}
	n := min(len(rows), run.MaxEvidence)
	a.Evidence.Rows, a.Evidence.Truncated = rows[:n], len(rows) > n
	a.Entities = entities(r, idx, rows)
	a.CustomDetails = details(r, idx, rows)
	applyOverride(&a, r.AlertDetailsOverride, idx, first)
	eventTimes(&a, idx, rows)
	a.ID = alertID(&a, rows)
	return a
}

// cell returns the value of column name in row as text, and whether it is non-empty.
func cell(idx map[string]int, row []any, name string) (string, bool) {
	i, ok := idx[name]
	if !ok || i >= len(row) || row[i] == nil {
		return "", false
	}
	s := text(row[i])
	return s, s != ""
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case fmt.Stringer:
		return x.String()
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// entities extracts the mapped entities of every row, deduplicated, in first-seen order.
func entities(r *rule.Rule, idx map[string]int, rows [][]any) []Entity {
	var out []Entity
	seen := map[string]bool{}
	for _, row := range rows {
		for _, m := range r.EntityMappings {
			e := Entity{Type: m.EntityType, Identifiers: map[string]string{}}
			for _, f := range m.FieldMappings {
				if v, ok := cell(idx, row, f.ColumnName); ok {
					e.Identifiers[f.Identifier] = v
				}
			}
			if len(e.Identifiers) == 0 {
				continue
			}
			k := entityKey(e)
			if !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func entityKey(e Entity) string {
	keys := make([]string, 0, len(e.Identifiers))
	for k := range e.Identifiers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Type)
	for _, k := range keys {
		fmt.Fprintf(&b, "\x00%s=%s", k, strings.ToLower(e.Identifiers[k]))
	}
	return b.String()
}

// details collects each custom detail's distinct values over the rows.
func details(r *rule.Rule, idx map[string]int, rows [][]any) map[string][]any {
	if len(r.CustomDetails) == 0 {
		return nil
	}
	out := map[string][]any{}
	for _, d := range r.CustomDetails {
		seen := map[string]bool{}
		for _, row := range rows {
			i, ok := idx[d.Column]
			if !ok || i >= len(row) || row[i] == nil || seen[text(row[i])] {
				continue
			}
			seen[text(row[i])] = true
			out[d.Key] = append(out[d.Key], row[i])
		}
	}
	return out
}

// applyOverride sets title, description, severity, tactics and properties from the row.
func applyOverride(a *Alert, o *rule.AlertDetailsOverride, idx map[string]int, row []any) {
	if o == nil {
		return
	}
	if t := Expand(o.DisplayNameFormat, idx, row); t != "" {
		a.Title = t
	}
	if d := Expand(o.DescriptionFormat, idx, row); d != "" {
		a.Description = d
	}
	if v, ok := cell(idx, row, o.SeverityColumnName); ok {
		if s, ok := rule.ParseSeverity(v); ok {
			a.Severity = s
		}
	}
	if v, ok := cell(idx, row, o.TacticsColumnName); ok {
		if tac := parseTactics(v); len(tac) > 0 {
			a.Tactics = tac
		}
	}
	for _, p := range o.DynamicProperties {
		if v, ok := cell(idx, row, p.Value); ok {
			if a.Properties == nil {
				a.Properties = map[string]string{}
			}
			a.Properties[p.AlertProperty] = v
		}
	}
}

// parseTactics reads "InitialAccess, Execution" or a JSON array, keeping known tactics.
func parseTactics(v string) []string {
	var parts []string
	if err := json.Unmarshal([]byte(v), &parts); err != nil {
		parts = strings.Split(v, ",")
	}
	var out []string
	for _, p := range parts {
		if t := strings.TrimSpace(p); rule.ValidTactic(t) {
			out = append(out, t)
		}
	}
	return out
}

// Expand replaces {{Column}} placeholders in format with the row's values; unknown or
// empty columns expand to nothing.
func Expand(format string, idx map[string]int, row []any) string {
	if !strings.Contains(format, "{{") {
		return format
	}
	var b strings.Builder
	for {
		i := strings.Index(format, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(format[i:], "}}")
		if j < 0 {
			break
		}
		b.WriteString(format[:i])
		v, _ := cell(idx, row, strings.TrimSpace(format[i+2:i+j]))
		b.WriteString(v)
		format = format[i+j+2:]
	}
	b.WriteString(format)
	return b.String()
}

// timeColumns are the columns that give a result row's event time, in order of preference:
// the event's own, then the names aggregating rules give the first and last times they saw
// (summarize StartTime = min(TimeGenerated), EndTime = max(TimeGenerated), FirstSeen, ...).
var timeColumns = []string{"TimeGenerated", "Timestamp", "StartTime", "FirstSeen", "StartTimeUtc", "EndTime", "LastSeen", "EndTimeUtc"}

// eventTimes narrows the alert's time range to the rows' event times (timeColumns).
func eventTimes(a *Alert, idx map[string]int, rows [][]any) {
	var lo, hi time.Time
	for _, row := range rows {
		for _, c := range timeColumns {
			i, ok := idx[c]
			if !ok || i >= len(row) {
				continue
			}
			t, ok := row[i].(time.Time)
			if !ok {
				continue
			}
			if lo.IsZero() || t.Before(lo) {
				lo = t
			}
			if t.After(hi) {
				hi = t
			}
		}
	}
	if !lo.IsZero() {
		a.StartTime, a.EndTime = lo, hi
	}
}

// alertID is stable for the same rule, tenant, window and rows.
func alertID(a *Alert, rows [][]any) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00", a.Tenant, a.RuleID, a.RuleVersion, a.StartTime.UTC().Format(time.RFC3339Nano), a.EndTime.UTC().Format(time.RFC3339Nano))
	for _, row := range rows {
		for _, v := range row {
			fmt.Fprintf(h, "%s\x1f", text(v))
		}
		h.Write([]byte{0x1e})
	}
	s := hex.EncodeToString(h.Sum(nil))
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

package sigma

import (
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// alert builds the alert for a rule matching row i of b. c is nil for a correlation rule.
func (d *Detector) alert(r *Rule, c *compiled, b *stream.Batch, i int, group string, start int64) alert.Alert {
	id := r.ID
	if id == "" {
		id = r.Title
	}
	t := rowTime(b, i, d.now)
	a := alert.Alert{
		ID: alertID(id, b.Tenant, b.Seq, i, group, start), Tenant: b.Tenant, Provider: alert.Provider,
		RuleID: id, RuleName: r.Title, Title: r.Title, Description: r.Description, Status: alert.StatusNew,
		StartTime: t, EndTime: t, CreatedTime: d.now().UTC(),
		Entities: rowEntities(b, i), Evidence: evidence(b, i), Properties: properties(r),
		Incident: rule.IncidentConfiguration{CreateIncident: true},
	}
	if c != nil {
		a.Severity, a.Tactics, a.Techniques = c.severity, c.tactics, c.techniques
	}
	return a
}

func properties(r *Rule) map[string]string {
	p := map[string]string{"sigmaStatus": r.Status, "sigmaLevel": r.Level}
	if ls := r.LogSource.String(); ls != "" {
		p["logsource"] = ls
	}
	if len(r.FalsePositives) > 0 {
		p["falsepositives"] = strings.Join(r.FalsePositives, "; ")
	}
	if r.Author != "" {
		p["author"] = r.Author
	}
	if len(r.References) > 0 {
		p["references"] = strings.Join(r.References, " ")
	}
	return p
}

// evidence is the matched row: its set columns and their values.
func evidence(b *stream.Batch, i int) alert.Evidence {
	var ev alert.Evidence
	row := b.Rows[i]
	vals := make([]any, 0, len(row))
	for j, col := range b.Columns {
		if j >= len(row) || row[j] == nil {
			continue
		}
		ev.Columns = append(ev.Columns, col.Name)
		vals = append(vals, evidenceValue(row[j]))
	}
	ev.Rows = [][]any{vals}
	return ev
}

func evidenceValue(v schema.Value) any {
	switch x := v.(type) {
	case schema.GUID:
		return x.String()
	case schema.Dynamic:
		return string(x)
	case schema.Decimal:
		return string(x)
	case time.Duration:
		return x.String()
	}
	return v
}

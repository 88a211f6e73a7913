package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// Reader reads incidents for the table writer (*meta.Store).
type Reader interface {
	Incident(ctx context.Context, tenant string, id int64) (meta.Incident, error)
	IncidentAlerts(ctx context.Context, tenant string, id int64) ([]meta.IncidentAlert, error)
	IncidentComments(ctx context.Context, tenant string, id int64) ([]meta.IncidentComment, error)
}

// TableWriter appends a row to Sentinel's SecurityIncident table for every changed
// incident, as Sentinel does (one row per change; the newest row is the current state),
// so that incidents are huntable in KQL. Rows are written through the ingest service, the
// same path as the alert tables. A failed write is logged and not retried: the state
// store stays the record of incidents.
type TableWriter struct {
	w     alert.RowIngester
	r     Reader
	t     *schema.Table
	log   *slog.Logger
	clock func() time.Time
}

var _ Notifier = (*TableWriter)(nil)

// NewTableWriter returns a writer into reg's SecurityIncident table through w.
func NewTableWriter(reg *schema.Registry, w alert.RowIngester, r Reader, log *slog.Logger) (*TableWriter, error) {
	t, ok := reg.Table("SecurityIncident")
	if !ok {
		return nil, fmt.Errorf("incident table writer: no table SecurityIncident in the schema")
	}
	return &TableWriter{w: w, r: r, t: t, log: log, clock: time.Now}, nil
}

// Notify implements Notifier: one row per incident changed in the batch.
func (tw *TableWriter) Notify(ctx context.Context, changes []Change) {
	if err := tw.Write(ctx, changes); err != nil {
		tw.log.Error("write SecurityIncident rows", "err", err)
	}
}

// Write appends the rows of the incidents changes touch, per tenant.
func (tw *TableWriter) Write(ctx context.Context, changes []Change) error {
	type key struct {
		tenant string
		id     int64
	}
	var order []key
	last := map[key]Change{}
	for _, c := range changes {
		k := key{c.Tenant, c.IncidentID}
		if c.IncidentID == 0 {
			continue
		}
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = c
	}
	rows := map[string][][]schema.Value{}
	var tenants []string
	for _, k := range order {
		row, err := tw.row(ctx, k.tenant, k.id, last[k])
		if err != nil {
			return err
		}
		if _, ok := rows[k.tenant]; !ok {
			tenants = append(tenants, k.tenant)
		}
		rows[k.tenant] = append(rows[k.tenant], row)
	}
	for _, tenant := range tenants {
		res, err := tw.w.IngestRows(ctx, tenant, alert.TableSinkSource, tw.t, rows[tenant], nil)
		if err != nil {
			return fmt.Errorf("store SecurityIncident rows: %w", err)
		}
		if res != nil && res.Rejected > 0 && len(res.Errors) > 0 {
			return fmt.Errorf("store SecurityIncident rows: %d rejected: %s", res.Rejected, res.Errors[0].Reason)
		}
	}
	return nil
}

// row builds the SecurityIncident row of tenant's incident id after change c.
func (tw *TableWriter) row(ctx context.Context, tenant string, id int64, c Change) ([]schema.Value, error) {
	in, err := tw.r.Incident(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	alerts, err := tw.r.IncidentAlerts(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	comments, err := tw.r.IncidentComments(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	st := BuildStory(in, alerts)
	vals := make([]schema.Value, len(tw.t.Columns))
	set := func(col string, v schema.Value) {
		if i, ok := tw.t.Column(col); ok {
			vals[i] = v
		}
	}
	at := c.At
	if at.IsZero() {
		at = tw.clock()
	}
	set("TimeGenerated", at.UTC())
	set("IncidentName", strconv.FormatInt(in.ID, 10))
	set("Title", in.Title)
	set("Description", st.Summary)
	set("Severity", sentinelSeverity(in.Severity))
	set("Status", sentinelStatus(in.Status))
	set("Classification", sentinelClassification(in.Classification))
	if in.Determination != "unknown" {
		set("ClassificationReason", in.Determination)
	}
	set("Owner", dyn(map[string]any{"assignedTo": in.AssignedTo, "email": in.AssignedTo}))
	set("ProviderName", alert.Provider)
	set("ProviderIncidentId", strconv.FormatInt(in.ID, 10))
	set("FirstActivityTime", in.FirstActivity.UTC())
	set("LastActivityTime", in.LastActivity.UTC())
	set("FirstModifiedTime", in.CreatedAt.UTC())
	set("LastModifiedTime", in.UpdatedAt.UTC())
	set("CreatedTime", in.CreatedAt.UTC())
	if !in.ClosedAt.IsZero() {
		set("ClosedTime", in.ClosedAt.UTC())
	}
	set("IncidentNumber", int32(in.ID)) //nolint:gosec // incident numbers stay far below 2^31
	ids, rules := []string{}, []string{}
	for _, a := range alerts {
		ids = append(ids, a.AlertID)
		if !slices.Contains(rules, a.RuleID) {
			rules = append(rules, a.RuleID)
		}
	}
	set("AlertIds", dyn(ids))
	set("RelatedAnalyticRuleIds", dyn(rules))
	set("BookmarkIds", dyn([]string{}))
	set("Comments", dyn(comments))
	labels := []map[string]string{}
	for _, t := range in.Tags {
		labels = append(labels, map[string]string{"labelName": t, "labelType": "User"})
	}
	set("Labels", dyn(labels))
	set("IncidentUrl", "/incidents/"+strconv.FormatInt(in.ID, 10))
	set("AdditionalData", dyn(map[string]any{"alertsCount": len(alerts), "tactics": st.Tactics, "techniques": st.Techniques,
		"alertProductNames": []string{alert.Provider}, "mergedInto": in.MergedInto, "linkedFrom": in.LinkedFrom,
		"correlationNotes": in.Notes, "change": c.Kind}))
	set("ModifiedBy", c.Actor)
	set("SourceSystem", alert.Provider)
	return vals, nil
}

func dyn(v any) schema.Dynamic {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return schema.Dynamic(b)
}

// sentinelSeverity, sentinelStatus and sentinelClassification map Graph's values to the
// ones Sentinel writes in SecurityIncident.
func sentinelSeverity(s string) string {
	switch s {
	case "high":
		return "High"
	case "medium":
		return "Medium"
	case "low":
		return "Low"
	}
	return "Informational"
}

func sentinelStatus(s string) string {
	switch s {
	case meta.IncidentResolved, meta.IncidentRedirected:
		return "Closed"
	case meta.IncidentInProgress:
		return "Active"
	}
	return "New"
}

func sentinelClassification(c string) string {
	switch c {
	case meta.ClassTruePositive:
		return "TruePositive"
	case meta.ClassFalsePositive:
		return "FalsePositive"
	case meta.ClassExpected:
		return "BenignPositive"
	}
	return "Undetermined"
}

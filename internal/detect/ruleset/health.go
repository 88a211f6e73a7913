package ruleset

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/meta"
)

// RunStore keeps each rule's last run (*meta.Store).
type RunStore interface {
	RecordRuleRun(ctx context.Context, r meta.RuleRun) error
}

// Appender appends rows, given as a JSON array, to a table of a tenant (the ingest service in
// the server).
type Appender func(ctx context.Context, tenant, table string, rows []byte) error

// HealthTable is where every rule run is recorded, in the shape of Sentinel's health table.
const HealthTable = "SentinelHealth"

// Recorder records rule runs: the last run of each rule in the state store (for the API's
// lastRunDetails) and a SentinelHealth row per run (for hunting and health workbooks). The
// scheduler's OnRun calls Record from its rule goroutines; Run does the writing, so a slow
// store never holds up a rule.
type Recorder struct {
	store  RunStore
	append Appender
	rules  func(id string) *rule.Rule
	runs   chan schedule.RunInfo
	log    *slog.Logger
}

// NewRecorder returns a recorder; rules looks a rule up by id (for its name and kind).
func NewRecorder(store RunStore, appender Appender, rules func(id string) *rule.Rule, log *slog.Logger) *Recorder {
	return &Recorder{store: store, append: appender, rules: rules, runs: make(chan schedule.RunInfo, 4096), log: log}
}

// Record queues a run; when the queue is full the run is dropped and logged.
func (r *Recorder) Record(ri schedule.RunInfo) {
	select {
	case r.runs <- ri:
	default:
		r.log.Warn("rule run record dropped: recorder queue full", "rule", ri.RuleID, "tenant", ri.Tenant)
	}
}

// Run writes queued runs until ctx ends, then writes what is queued.
func (r *Recorder) Run(ctx context.Context) error {
	for {
		select {
		case ri := <-r.runs:
			r.write(context.WithoutCancel(ctx), ri)
		case <-ctx.Done():
			for {
				select {
				case ri := <-r.runs:
					r.write(context.WithoutCancel(ctx), ri)
				default:
					return nil
				}
			}
		}
	}
}

func (r *Recorder) write(ctx context.Context, ri schedule.RunInfo) {
	if ri.Tenant == "" {
		return // a missed slot: counted on the run that follows it
	}
	run := meta.RuleRun{Tenant: ri.Tenant, ID: ri.RuleID, Slot: ri.Slot, StartedAt: ri.Slot, Duration: ri.Duration,
		Rows: ri.Rows, Alerts: ri.Alerts, Status: meta.RuleRunCompleted}
	switch {
	case ri.Err != nil:
		run.Status, run.Error = meta.RuleRunFailed, ri.Err.Error()
	case ri.Suppressed:
		run.Status = meta.RuleRunSuppressed
	}
	if err := r.store.RecordRuleRun(ctx, run); err != nil {
		r.log.Warn("record rule run", "rule", ri.RuleID, "err", err)
	}
	row, err := json.Marshal([]any{r.healthRow(ri, run)})
	if err == nil {
		err = r.append(ctx, ri.Tenant, HealthTable, row)
	}
	if err != nil {
		r.log.Warn("append rule health row", "rule", ri.RuleID, "err", err)
	}
}

// healthRow shapes a run as Sentinel's SentinelHealth does for analytics rules.
func (r *Recorder) healthRow(ri schedule.RunInfo, run meta.RuleRun) map[string]any {
	name, kind := ri.RuleID, string(rule.KindScheduled)
	var trigger rule.Trigger
	if rl := r.rules(ri.RuleID); rl != nil {
		name, kind, trigger = rl.Name, string(rl.Kind), rl.Trigger
	}
	status, desc := "Success", fmt.Sprintf("Rule ran over [%s, %s): %d rows, %d alerts.", ri.From.Format(time.RFC3339), ri.To.Format(time.RFC3339), ri.Rows, ri.Alerts)
	switch run.Status {
	case meta.RuleRunFailed:
		status, desc = "Failure", "Rule run failed."
	case meta.RuleRunSuppressed:
		desc = "Rule run skipped: alerts are suppressed."
	}
	return map[string]any{
		"TimeGenerated":        ri.Slot.Add(ri.Duration).UTC().Format(time.RFC3339Nano),
		"OperationName":        kind + " analytics rule run",
		"SentinelResourceId":   ri.RuleID,
		"SentinelResourceName": name,
		"SentinelResourceType": "Analytics Rule",
		"SentinelResourceKind": kind,
		"RecordId":             fmt.Sprintf("%s-%s-%d", ri.Tenant, ri.RuleID, ri.Slot.UnixMilli()),
		"Status":               status,
		"Description":          desc,
		"Reason":               run.Error,
		"ExtendedProperties": map[string]any{
			"QueryStartTimeUTC": ri.From.UTC().Format(time.RFC3339), "QueryEndTimeUTC": ri.To.UTC().Format(time.RFC3339),
			"QueryResultAmount": ri.Rows, "AlertsGeneratedAmount": ri.Alerts, "DurationMs": ri.Duration.Milliseconds(),
			"MissedRuns": ri.Missed, "TriggerOperator": trigger.Operator, "TriggerThreshold": trigger.Threshold,
		},
	}
}

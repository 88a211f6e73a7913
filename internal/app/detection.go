package app

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/detect/deception"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/ruleset"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/detect/sigma"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/detect/ti"
	"github.com/vigilsec/vigil/internal/ingest"
)

// newDetection builds the rule set (the configured content and the rules stored through the
// API), the scheduler that runs it, the recorder of rule runs and, when stream detectors are
// configured, the bus consumer that runs them. The stream consumer is resumed here, before
// the HTTP server takes data, because the bus keeps messages only for consumers that exist.
func (a *App) newDetection(ctx context.Context, svc *ingest.Service, promReg prometheus.Registerer) error {
	dc := a.cfg.Detection
	evaluator := schedule.KQL{Registry: a.reg, Store: a.store, MaxRows: a.cfg.Server.MaxQueryRows, Watchlists: a.meta}
	var err error
	a.rules, err = ruleset.New(ruleset.Options{Registry: a.reg, Store: a.meta, Content: dc.Rules, Tenants: dc.Tenants,
		Evaluator: evaluator, OnChange: func(jobs []schedule.Job) error { return a.sched.Replace(jobs) }})
	if err != nil {
		return fmt.Errorf("detection rules: %w", err)
	}
	for _, f := range a.rules.ContentFindings() {
		a.log.Warn("detection rule finding", "level", f.Level.String(), "rule", f.RuleID, "finding", f.String())
	}
	jobs, skipped, err := a.rules.Jobs(ctx)
	if err != nil {
		return fmt.Errorf("detection rules: %w", err)
	}
	for _, s := range skipped {
		a.log.Warn("detection rule not scheduled", "rule", s.RuleID, "file", s.File, "reason", s.Reason)
	}
	a.log.Info("detection rules loaded", "paths", len(dc.Rules), "scheduled", len(jobs), "skipped", len(skipped))
	a.runs = ruleset.NewRecorder(a.meta, ingestAppender(svc), a.ruleByID, a.log.With("component", "rule-runs"))
	a.sched, err = schedule.NewJobs(jobs, schedule.Options{
		Tenants: dc.Tenants, RunTimeout: dc.RunTimeout, Concurrency: dc.Concurrency, Evaluator: evaluator,
		Sink: a.alerts, Clock: a.clock, Metrics: schedule.NewMetrics(promReg), Log: a.log.With("component", "scheduler"),
		OnRun: a.runs.Record, Watermark: a.writer.Written, Marks: a.meta,
	})
	if err != nil {
		return err
	}
	return a.newStream(ctx, promReg)
}

// ruleByID finds a scheduled rule, for the run recorder.
func (a *App) ruleByID(id string) *rule.Rule {
	for _, r := range a.sched.Rules() {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// ingestAppender appends JSON rows through the ingest service, as any producer does.
func ingestAppender(svc *ingest.Service) ruleset.Appender {
	return func(ctx context.Context, tenant, table string, rows []byte) error {
		res, err := svc.Ingest(ctx, ingest.Request{Tenant: tenant, Table: table, Source: "vigil:detection", Body: rows})
		if err != nil {
			return err
		}
		if res.Rejected > 0 {
			return fmt.Errorf("%d rows rejected (see IngestionErrors)", res.Rejected)
		}
		return nil
	}
}

// streamDetectors builds the configured stream detectors: threat-intelligence matching (its
// indicators loaded from the event store first) and decoys (loaded from the state store).
func (a *App) streamDetectors(ctx context.Context) ([]stream.Detector, error) {
	dc := a.cfg.Detection
	var dets []stream.Detector
	if len(dc.Sigma) > 0 {
		d, err := a.sigmaDetector(dc.Sigma)
		if err != nil {
			return nil, err
		}
		dets = append(dets, d)
	}
	if tc := dc.ThreatIntelligence; tc.Enabled {
		m, err := ti.NewMatcher(ti.Options{Registry: a.reg, Source: &ti.StoreSource{Store: a.store},
			MinConfidence: tc.MinConfidence, MediumConfidence: tc.MediumConfidence, HighConfidence: tc.HighConfidence,
			Log: a.log.With("component", "ti")})
		if err != nil {
			return nil, err
		}
		if err := m.Load(ctx, time.Time{}); err != nil {
			return nil, fmt.Errorf("load threat intelligence: %w", err)
		}
		dets = append(dets, m)
	}
	if dc.Deception.Enabled {
		d, err := deception.New(deception.Options{Registry: a.reg, Source: deception.MetaSource{Store: a.meta},
			PollInterval: dc.Deception.PollInterval, Log: a.log.With("component", "deception")})
		if err != nil {
			return nil, err
		}
		if _, err := d.Reload(ctx); err != nil {
			return nil, err
		}
		a.decoys = d
		dets = append(dets, d)
	}
	return dets, nil
}

// newStream resumes the stream detectors' bus consumer when any detector is configured.
func (a *App) newStream(ctx context.Context, promReg prometheus.Registerer) error {
	dets, err := a.streamDetectors(ctx)
	if err != nil || len(dets) == 0 {
		return err
	}
	off, err := a.meta.StreamOffset(ctx, stream.ConsumerName)
	if err != nil {
		return fmt.Errorf("read stream offset: %w", err)
	}
	src, err := a.bus.ResumeConsumer(ctx, stream.ConsumerName, bus.IngestSubjectPrefix+">", off)
	if err != nil {
		return err
	}
	a.stream = stream.New(src, a.meta, off, a.alerts, dets, stream.Options{
		Decode: decodeForStream, Skip: detectionOutputTable, Metrics: stream.NewMetrics(promReg), Log: a.log.With("component", "stream"),
	})
	return nil
}

func decodeForStream(data []byte) (*stream.Batch, error) {
	b, err := ingest.DecodeBatch(data)
	if err != nil {
		return nil, err
	}
	return &stream.Batch{Tenant: b.Tenant, Table: b.Table, IngestTime: b.IngestTime, Columns: b.Columns, Rows: b.Rows}, nil
}

// detectionOutputTable names the tables detection itself writes: the stream detectors never
// test them, so that an alert cannot raise alerts on itself.
func detectionOutputTable(table string) bool {
	switch table {
	case "SecurityAlert", "AlertInfo", "AlertEvidence", "SecurityIncident", "SentinelHealth", "IngestionErrors":
		return true
	}
	return false
}

// runDetection starts the scheduler, the run recorder and the stream consumer as producers:
// they write through the bus, so the writer drains after they stop.
func (a *App) runDetection(ctx context.Context, producers *sync.WaitGroup) {
	var detectors sync.WaitGroup
	detectors.Go(func() {
		if err := a.sched.Run(ctx); err != nil {
			a.log.Error("scheduler stopped", "err", err)
		}
	})
	if a.stream != nil {
		detectors.Go(func() {
			if err := a.stream.Run(ctx); err != nil {
				a.log.Error("stream detection stopped", "err", err)
			}
		})
	}
	if a.decoys != nil {
		detectors.Go(func() {
			if err := a.decoys.Run(ctx); err != nil {
				a.log.Error("decoy reloads stopped", "err", err)
			}
		})
	}
	// The recorder outlives the scheduler so that the last runs are recorded.
	recCtx, stopRec := context.WithCancel(context.WithoutCancel(ctx))
	producers.Go(func() {
		if err := a.runs.Run(recCtx); err != nil {
			a.log.Error("rule run recorder stopped", "err", err)
		}
	})
	producers.Go(func() {
		detectors.Wait()
		stopRec()
	})
}

// sigmaDetector loads and compiles the Sigma rules under paths. A rule that does not load or
// compile is logged and left out; the server starts with the others.
func (a *App) sigmaDetector(paths []string) (*sigma.Detector, error) {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("detection.sigma: %w", err) // a mistyped path is not a rule to skip
		}
	}
	rules, errs := sigma.LoadPaths(paths)
	for _, err := range errs {
		a.log.Warn("sigma rule not loaded", "err", err)
	}
	set, err := sigma.Compile(rules, sigma.Config{Registry: a.reg})
	if set == nil {
		return nil, fmt.Errorf("detection.sigma: %w", err)
	}
	if err != nil {
		a.log.Warn("sigma rules left out", "err", err)
	}
	a.log.Info("sigma rules loaded", "rules", len(rules))
	return sigma.NewDetector(set), nil
}

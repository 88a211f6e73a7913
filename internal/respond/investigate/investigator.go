package investigate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// Store keeps investigations (*meta.Store).
type Store interface {
	CreateInvestigation(ctx context.Context, inv meta.Investigation) (bool, error)
	UpdateInvestigation(ctx context.Context, tenant, id, state, doc string) error
	Investigation(ctx context.Context, tenant, id string) (meta.Investigation, error)
	Investigations(ctx context.Context, tenant string, f meta.InvestigationFilter) ([]meta.Investigation, error)
	UnfinishedInvestigations(ctx context.Context) ([]meta.Investigation, error)
	Alert(ctx context.Context, tenant, id string) (meta.IncidentAlert, error)
}

// Requester requests response actions (*respond.Service).
type Requester interface {
	Request(ctx context.Context, tenant string, actor respond.Actor, r respond.Request) (respond.Action, error)
}

// Config tunes automated investigation.
type Config struct {
	// MinSeverity is the least severe alert investigated (default Medium).
	MinSeverity rule.Severity
	// Before and After widen the alert's time span into the window evidence is collected
	// from (default one hour each).
	Before, After time.Duration
	// Prevalence is how far back a file's prevalence is counted (default 30 days).
	Prevalence time.Duration
	// RareDevices and MinFleet: a file seen on at most RareDevices of a fleet of at least
	// MinFleet devices is rare (defaults 1 and 5).
	RareDevices, MinFleet int
}

func (c Config) withDefaults() Config {
	if c.MinSeverity == "" {
		c.MinSeverity = rule.SeverityMedium
	}
	if c.Before <= 0 {
		c.Before = time.Hour
	}
	if c.After <= 0 {
		c.After = time.Hour
	}
	if c.Prevalence <= 0 {
		c.Prevalence = 30 * 24 * time.Hour
	}
	if c.RareDevices <= 0 {
		c.RareDevices = 1
	}
	if c.MinFleet <= 0 {
		c.MinFleet = 5
	}
	return c
}

// Investigator investigates alerts. Put (an alert sink) queues an investigation in the state
// store; Run works the queue, resuming what a restart interrupted.
type Investigator struct {
	Events  Events
	Actions Requester
	Store   Store
	Config  Config
	Log     *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	wake chan struct{}
}

func (iv *Investigator) init() {
	if iv.wake == nil {
		iv.wake = make(chan struct{}, 1)
	}
	iv.Config = iv.Config.withDefaults()
	if iv.Now == nil {
		iv.Now = time.Now
	}
	if iv.Log == nil {
		iv.Log = slog.New(slog.DiscardHandler)
	}
}

// New returns an investigator ready for Put and Run.
func New(events Events, actions Requester, store Store, cfg Config, log *slog.Logger) *Investigator {
	iv := &Investigator{Events: events, Actions: actions, Store: store, Config: cfg, Log: log}
	iv.init()
	return iv
}

// ID is the investigation id of an alert: one investigation per alert, whatever number of
// times the alert is delivered.
func ID(tenant, alertID string) string {
	h := sha256.Sum256([]byte(tenant + "\x00" + alertID))
	return "inv-" + hex.EncodeToString(h[:8])
}

// severities orders the alert severities.
var severities = []rule.Severity{rule.SeverityInformational, rule.SeverityLow, rule.SeverityMedium, rule.SeverityHigh}

// qualifies reports whether a is investigated: severe enough and with a device, mailbox,
// file, address or URL to start from.
func (iv *Investigator) qualifies(a *alert.Alert) bool {
	if slices.Index(severities, a.Severity) < slices.Index(severities, iv.Config.MinSeverity) {
		return false
	}
	s := scopeOf(a)
	return len(s.Devices)+len(s.Mailboxes)+len(s.Files)+len(s.IPs)+len(s.URLs) > 0
}

// Put implements alert.Sink: it records a queued investigation for each alert that
// qualifies, so the work survives a restart, and wakes Run. Alerts delivered again are
// skipped.
func (iv *Investigator) Put(ctx context.Context, alerts []alert.Alert) error {
	queued := false
	for i := range alerts {
		a := &alerts[i]
		if !iv.qualifies(a) {
			continue
		}
		inv := Investigation{ID: ID(a.Tenant, a.ID), Tenant: a.Tenant, Alert: *a, State: meta.InvestigationQueued, Scope: scopeOf(a)}
		doc, err := json.Marshal(inv)
		if err != nil {
			return fmt.Errorf("investigation of alert %s: %w", a.ID, err)
		}
		created, err := iv.Store.CreateInvestigation(ctx, meta.Investigation{Tenant: a.Tenant, ID: inv.ID, AlertID: a.ID,
			State: meta.InvestigationQueued, Doc: string(doc)})
		if err != nil {
			return err
		}
		queued = queued || created
	}
	if queued {
		select {
		case iv.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// Run works queued investigations until ctx ends, one at a time (each is a handful of
// queries over the event store).
func (iv *Investigator) Run(ctx context.Context) error {
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		if err := iv.drain(ctx); err != nil && ctx.Err() == nil {
			iv.Log.Warn("automated investigation", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-iv.wake:
		case <-tick.C:
		}
	}
}

// drain runs every unfinished investigation.
func (iv *Investigator) drain(ctx context.Context) error {
	invs, err := iv.Store.UnfinishedInvestigations(ctx)
	if err != nil {
		return err
	}
	for _, m := range invs {
		if ctx.Err() != nil {
			return nil
		}
		var inv Investigation
		if err := json.Unmarshal([]byte(m.Doc), &inv); err != nil {
			iv.Log.Warn("unreadable investigation; marked failed", "id", m.ID, "err", err)
			_ = iv.Store.UpdateInvestigation(ctx, m.Tenant, m.ID, meta.InvestigationFailed, m.Doc)
			continue
		}
		iv.run(ctx, &inv)
	}
	return nil
}

// Investigate runs the investigation of a at once and returns it; Put and Run are the usual
// path.
func (iv *Investigator) Investigate(ctx context.Context, a alert.Alert) (Investigation, error) {
	if err := iv.Put(ctx, []alert.Alert{a}); err != nil {
		return Investigation{}, err
	}
	m, err := iv.Store.Investigation(ctx, a.Tenant, ID(a.Tenant, a.ID))
	if err != nil {
		return Investigation{}, err
	}
	var inv Investigation
	if err := json.Unmarshal([]byte(m.Doc), &inv); err != nil {
		return Investigation{}, err
	}
	if m.State == meta.InvestigationQueued || m.State == meta.InvestigationRunning {
		iv.run(ctx, &inv)
	}
	return inv, nil
}

// run carries inv out and stores each state it passes.
func (iv *Investigator) run(ctx context.Context, inv *Investigation) {
	inv.State, inv.Started = meta.InvestigationRunning, iv.Now().UTC()
	inv.Evidence, inv.Error = nil, ""
	iv.save(ctx, inv)
	err := iv.investigate(ctx, inv)
	if ctx.Err() != nil {
		return // interrupted: stays running, and is resumed
	}
	inv.State, inv.Finished = meta.InvestigationCompleted, iv.Now().UTC()
	if err != nil {
		inv.State, inv.Error = meta.InvestigationFailed, err.Error()
		iv.Log.Warn("automated investigation failed", "id", inv.ID, "alert", inv.Alert.ID, "err", err)
	}
	iv.save(ctx, inv)
}

func (iv *Investigator) save(ctx context.Context, inv *Investigation) {
	doc, err := json.Marshal(inv)
	if err == nil {
		err = iv.Store.UpdateInvestigation(ctx, inv.Tenant, inv.ID, inv.State, string(doc))
	}
	if err != nil && ctx.Err() == nil {
		iv.Log.Warn("save investigation", "id", inv.ID, "err", err)
	}
}

// investigate collects the evidence, judges it and remediates.
func (iv *Investigator) investigate(ctx context.Context, inv *Investigation) error {
	a, s, t := &inv.Alert, inv.Scope, inv.Tenant
	from, to := a.StartTime.Add(-iv.Config.Before), a.EndTime.Add(iv.Config.After)
	if a.StartTime.IsZero() {
		from = a.CreatedTime.Add(-iv.Config.Before)
	}
	if a.EndTime.IsZero() {
		to = a.CreatedTime.Add(iv.Config.After)
	}
	inv.From, inv.To = from.UTC(), to.UTC()
	var ev []Evidence
	var msgIndicators map[string][]string
	if len(s.Devices) > 0 {
		files, err := iv.Events.deviceFiles(ctx, t, s.Devices, from, to)
		if err != nil {
			return err
		}
		conns, err := iv.Events.deviceConnections(ctx, t, s.Devices, from, to)
		if err != nil {
			return err
		}
		ev = append(append(ev, files...), conns...)
	}
	if len(s.Mailboxes) > 0 {
		msgs, ind, err := iv.Events.mailboxMessages(ctx, t, s.Mailboxes, from, to)
		if err != nil {
			return err
		}
		ev, msgIndicators = append(ev, msgs...), ind
	}
	ev = addNamed(ev, s)
	if len(ev) > maxEvidence {
		ev = ev[:maxEvidence]
	}
	f, err := iv.facts(ctx, inv, ev, msgIndicators)
	if err != nil {
		return err
	}
	threat := false
	for i := range ev {
		f.judge(&ev[i])
		threat = threat || ev[i].Verdict == Malicious
	}
	for _, acc := range s.Accounts {
		e := Evidence{Kind: Account, Value: acc, Verdict: NoThreatsFound, Reasons: []string{"named by the alert; no threat found on its devices or mailbox"}}
		if threat {
			e.Verdict, e.Reasons = Suspicious, []string{"named by the alert, whose devices or mailbox hold malicious evidence"}
		}
		ev = append(ev, e)
	}
	inv.Evidence = ev
	iv.remediate(ctx, inv)
	return nil
}

// addNamed adds the files, addresses and URLs the alert names that collection did not find
// on a device, so their verdicts show.
func addNamed(ev []Evidence, s Scope) []Evidence {
	seen := map[string]bool{}
	for _, e := range ev {
		seen[string(e.Kind)+":"+strings.ToLower(e.Value)] = true
	}
	for kind, values := range map[Kind][]string{File: s.Files, IP: s.IPs, URL: s.URLs} {
		for _, v := range values {
			if !seen[string(kind)+":"+strings.ToLower(v)] {
				ev = append(ev, Evidence{Kind: kind, Value: v, Detail: "named by the alert"})
			}
		}
	}
	return ev
}

// facts gathers threat intelligence and prevalence for the evidence.
func (iv *Investigator) facts(ctx context.Context, inv *Investigation, ev []Evidence, msgIndicators map[string][]string) (*facts, error) {
	f := &facts{severity: inv.Alert.Severity, linked: map[string]bool{}, messageIndicators: msgIndicators,
		rareDevices: iv.Config.RareDevices, minFleet: iv.Config.MinFleet}
	s := inv.Scope
	for _, v := range slices.Concat(s.Files, s.IPs, s.URLs) {
		f.linked[strings.ToLower(v)] = true
	}
	var values, hashes []string
	for _, e := range ev {
		values = append(values, e.Value)
		if e.Kind == File {
			hashes = append(hashes, e.Value)
		}
	}
	for _, ind := range msgIndicators {
		values = append(values, ind...)
	}
	slices.Sort(values)
	values = slices.Compact(values)
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	var err error
	if f.intel, err = iv.Events.intel(ctx, inv.Tenant, values); err != nil {
		return nil, err
	}
	now := iv.Now().UTC()
	if f.prevalence, f.fleet, err = iv.Events.prevalence(ctx, inv.Tenant, hashes, now.Add(-iv.Config.Prevalence), now.Add(time.Minute)); err != nil {
		return nil, err
	}
	return f, nil
}

// remediate requests the action of each malicious piece of evidence from the Action
// Center, as the investigation, and proposes those of suspicious ones. The same action on
// the same target is requested once.
func (iv *Investigator) remediate(ctx context.Context, inv *Investigation) {
	incidentID := int64(0)
	if ia, err := iv.Store.Alert(ctx, inv.Tenant, inv.Alert.ID); err == nil {
		incidentID = ia.IncidentID
	}
	done := map[string]*Remediation{}
	actor := respond.Actor{Name: inv.ID, Kind: auth.KindSystem, As: respond.ByInvestigation}
	for i := range inv.Evidence {
		e := &inv.Evidence[i]
		r := remediation(e)
		if r == nil {
			continue
		}
		key := string(r.Type) + "\x00" + respond.TargetKey(r.Type, r.Target) + "\x00" + r.Target.Device
		if prev, ok := done[key]; ok {
			c := *prev
			e.Remediation = &c
			continue
		}
		if r.State == Requested {
			req := respond.Request{Type: r.Type, Target: r.Target, IncidentID: incidentID,
				Reason: fmt.Sprintf("automated investigation %s of alert %q: %s", inv.ID, inv.Alert.Title, strings.Join(e.Reasons, "; "))}
			act, err := iv.Actions.Request(ctx, inv.Tenant, actor, req)
			switch {
			case errors.Is(err, respond.ErrAutomationOff):
				r.State, r.Error = NotAllowed, "the automation level is none: request it by hand"
			case err != nil:
				r.State, r.Error = NotAllowed, err.Error()
			default:
				r.ActionID = act.ID
			}
		}
		e.Remediation, done[key] = r, r
	}
}

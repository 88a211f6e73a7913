package respond

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/incident"
)

// DisruptedTag marks an incident that automatic attack disruption contained.
const DisruptedTag = "Attack disruption"

// IncidentReader gives the disruption an incident's alerts and lets it tag the incident
// (the state store, through an adapter in the server).
type IncidentReader interface {
	IncidentAlerts(ctx context.Context, tenant string, id int64) ([]alert.Alert, error)
	// TagIncident adds tag to the incident (none when tag is empty) and comments why.
	TagIncident(ctx context.Context, tenant string, id int64, tag, why string) error
}

// Disruption is automatic attack disruption: it watches incidents as they change and, when an
// incident matches one of a few high-confidence cross-domain patterns (the patterns table:
// credential theft then use of an account, ransomware on several devices, a compromised
// mailbox phishing inside, AiTM session theft), requests containment as the disruption
// requester (approved at once when the tenant's policy allows attack disruption), tags the
// incident and records why. Devices and accounts excluded (here or in the tenant's policy)
// are never contained; in a dry run (here or in the policy) it only comments on the incident
// what it would have done. It acts at most once per incident.
type Disruption struct {
	Service   *Service
	Incidents IncidentReader
	Log       *slog.Logger
	// Excluded are device and account names never contained (compared case-insensitively),
	// beside the exclusions of each tenant's policy.
	Excluded []string
	// DryRun records what would be done (on the incident) without requesting actions, for
	// every tenant; the policy's DisruptionDryRun does so for one.
	DryRun bool

	mu    sync.Mutex
	done  map[string]bool // tenant/incident already disrupted
	queue chan incidentRef
}

type incidentRef struct {
	tenant string
	id     int64
}

// queueSize bounds the incidents waiting for evaluation; past it, changes are dropped (the
// incident's next change brings it back).
const queueSize = 4096

func (d *Disruption) init() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.queue == nil {
		d.queue = make(chan incidentRef, queueSize)
		d.done = map[string]bool{}
	}
}

// Notify implements incident.Notifier: it queues the incidents the changes touched for Run,
// so that correlation never waits for disruption.
func (d *Disruption) Notify(_ context.Context, changes []incident.Change) {
	d.init()
	for _, c := range changes {
		if c.IncidentID == 0 {
			continue
		}
		select {
		case d.queue <- incidentRef{c.Tenant, c.IncidentID}:
		default:
			d.Log.Warn("attack disruption queue full; change dropped", "incident", c.IncidentID)
		}
	}
}

// Run evaluates queued incidents until ctx ends.
func (d *Disruption) Run(ctx context.Context) error {
	d.init()
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-d.queue:
			if err := d.evaluate(ctx, r.tenant, r.id); err != nil && ctx.Err() == nil {
				d.Log.Warn("attack disruption", "incident", r.id, "err", err)
			}
		}
	}
}

func (d *Disruption) evaluate(ctx context.Context, tenant string, id int64) error {
	d.init()
	key := fmt.Sprintf("%s/%d", tenant, id)
	d.mu.Lock()
	already := d.done[key]
	d.mu.Unlock()
	if already {
		return nil
	}
	alerts, err := d.Incidents.IncidentAlerts(ctx, tenant, id)
	if err != nil {
		return err
	}
	x, dryRun := exclusions{devices: d.Excluded, accounts: d.Excluded}, d.DryRun
	if d.Service != nil {
		pol, err := d.Service.Policy(ctx, tenant)
		if err != nil {
			return err
		}
		if ex := pol.DisruptionExclusions; ex != nil {
			x.devices = append(slices.Clone(x.devices), ex.Devices...)
			x.accounts = append(slices.Clone(x.accounts), ex.Accounts...)
		}
		dryRun = dryRun || pol.DisruptionDryRun
	}
	p, ok := match(alerts, x)
	if !ok {
		return nil
	}
	d.mu.Lock()
	d.done[key] = true
	d.mu.Unlock()
	return d.act(ctx, tenant, id, p, dryRun)
}

// act requests p's containment and tags the incident; in a dry run it only comments what
// it would have done.
func (d *Disruption) act(ctx context.Context, tenant string, id int64, p plan, dryRun bool) error {
	if dryRun {
		return d.Incidents.TagIncident(ctx, tenant, id, "", DisruptedTag+" (dry run) would have "+p.summary()+": "+p.why()+". Nothing was contained.")
	}
	why := "Automatic attack disruption: " + p.why()
	actor := Actor{Name: "attack-disruption", Kind: auth.KindSystem, As: ByDisruption}
	// A target refused (its device group's automation is off) does not stop the others.
	var errs []error
	comment := "Automatic attack disruption " + p.summary() + ": " + p.why()
	for _, r := range p.requests() {
		r.Reason, r.IncidentID = why, id
		if _, err := d.Service.Request(ctx, tenant, actor, r); err != nil {
			err = fmt.Errorf("request %s of %s: %w", r.Type, TargetKey(r.Type, r.Target), err)
			errs = append(errs, err)
			comment += ". Not requested: " + err.Error()
		}
	}
	if len(errs) == len(p.requests()) {
		return errors.Join(errs...)
	}
	return errors.Join(append(errs, d.Incidents.TagIncident(ctx, tenant, id, DisruptedTag, comment))...)
}

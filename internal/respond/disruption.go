package respond

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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
	TagIncident(ctx context.Context, tenant string, id int64, tag, why string) error
}

// Disruption is automatic attack disruption: it watches incidents as they change and, when an
// incident matches a high-confidence cross-domain pattern, requests containment as the
// disruption requester (approved at once when the tenant's policy allows attack disruption),
// tags the incident and records why. One pattern today: credential theft on a device
// (OS credential dumping, T1003) followed, in the same incident, by use of an account
// elsewhere (lateral movement to another host, or a sign-in alert): the device is isolated
// and the account used is disabled. It acts at most once per incident.
type Disruption struct {
	Service   *Service
	Incidents IncidentReader
	Log       *slog.Logger
	// Excluded are device and account names never contained (compared case-insensitively).
	Excluded []string
	// DryRun records what would be done (on the incident) without requesting actions.
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

// plan is what the pattern found: the device to isolate and the account to disable.
type plan struct {
	device, account, why string
}

func (d *Disruption) evaluate(ctx context.Context, tenant string, id int64) error {
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
	p, ok := d.match(alerts)
	if !ok {
		return nil
	}
	d.mu.Lock()
	d.done[key] = true
	d.mu.Unlock()
	return d.act(ctx, tenant, id, p)
}

// match applies the pattern: credential theft on a device, then the use of an account on
// another host or in a sign-in.
func (d *Disruption) match(alerts []alert.Alert) (plan, bool) {
	var p plan
	for _, a := range alerts {
		if hasTechnique(a, "T1003") {
			if h := firstEntity(a, "host", "HostName", "FullName"); h != "" && !d.excluded(h) {
				p.device = h
				break
			}
		}
	}
	if p.device == "" {
		return p, false
	}
	// The account used on another host is the stolen one; failing that, the account of a
	// sign-in alert. Decoy alerts never name a real account to disable.
	for _, use := range []func(a alert.Alert, host string) bool{
		func(a alert.Alert, host string) bool {
			return slices.Contains(a.Tactics, "LateralMovement") && host != "" && !sameHost(host, p.device)
		},
		func(a alert.Alert, host string) bool {
			return host == "" && slices.Contains(a.Tactics, "InitialAccess")
		},
	} {
		for _, a := range alerts {
			if a.RuleID == decoyRuleID || !use(a, firstEntity(a, "host", "HostName", "FullName")) {
				continue
			}
			if acc := accountOf(a); acc != "" && !d.excluded(acc) {
				p.account = acc
				p.why = fmt.Sprintf("credential theft on %s, then the account %s used: %s", p.device, acc, a.Title)
				return p, true
			}
		}
	}
	return p, false
}

// decoyRuleID is the rule id of decoy alerts (internal/detect/deception), which name decoy
// accounts, never ones to disable.
const decoyRuleID = "vigil-deception"

func (d *Disruption) act(ctx context.Context, tenant string, id int64, p plan) error {
	why := "Automatic attack disruption: " + p.why
	if d.DryRun {
		return d.Incidents.TagIncident(ctx, tenant, id, DisruptedTag+" (dry run)", why+" (dry run: nothing contained)")
	}
	actor := Actor{Name: "attack-disruption", Kind: auth.KindSystem, As: ByDisruption}
	for _, r := range []Request{
		{Type: IsolateDevice, Target: Target{Device: p.device}, Reason: why, IncidentID: id},
		{Type: DisableAccount, Target: Target{Account: p.account}, Reason: why, IncidentID: id},
	} {
		if _, err := d.Service.Request(ctx, tenant, actor, r); err != nil {
			return fmt.Errorf("request %s: %w", r.Type, err)
		}
	}
	return d.Incidents.TagIncident(ctx, tenant, id, DisruptedTag, why)
}

func (d *Disruption) excluded(name string) bool {
	return slices.ContainsFunc(d.Excluded, func(x string) bool { return strings.EqualFold(x, name) })
}

func hasTechnique(a alert.Alert, prefix string) bool {
	return slices.ContainsFunc(a.Techniques, func(t string) bool { return strings.HasPrefix(t, prefix) })
}

// firstEntity returns the first of the identifiers of a's first entity of type typ.
func firstEntity(a alert.Alert, typ string, ids ...string) string {
	for _, e := range a.Entities {
		if !strings.EqualFold(e.Type, typ) {
			continue
		}
		for _, id := range ids {
			if v := e.Identifiers[id]; v != "" {
				return v
			}
		}
	}
	return ""
}

// accountOf names the account an alert is about, preferring a UPN (what a directory disables).
func accountOf(a alert.Alert) string {
	var best string
	for _, e := range a.Entities {
		if !strings.EqualFold(e.Type, "account") {
			continue
		}
		for _, id := range []string{"UPNSuffix", "FullName", "Name"} {
			v := e.Identifiers[id]
			if id == "UPNSuffix" && v != "" && e.Identifiers["Name"] != "" {
				v = e.Identifiers["Name"] + "@" + v
			}
			if strings.Contains(v, "@") {
				return v
			}
			if best == "" && id != "UPNSuffix" {
				best = v
			}
		}
	}
	return best
}

// sameHost compares host names, short name against FQDN.
func sameHost(a, b string) bool {
	short := func(s string) string { h, _, _ := strings.Cut(strings.ToLower(s), "."); return h }
	return short(a) == short(b)
}

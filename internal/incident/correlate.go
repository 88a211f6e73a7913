package incident

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
)

// Tx is a correlation transaction over one tenant's incidents (*meta.IncidentTx).
type Tx interface {
	ExistingAlerts(ctx context.Context, ids []string) (map[string]bool, error)
	RecentAlerts(ctx context.Context, since time.Time) (int, error)
	EntityCounts(ctx context.Context, keys []string, since time.Time) (map[string]int, error)
	EntityHostBreadth(ctx context.Context, keys []string, since time.Time) (map[string]int, error)
	IncidentsWith(ctx context.Context, keys []string, since time.Time) ([]meta.Incident, error)
	GroupIncident(ctx context.Context, key string, since time.Time) (meta.Incident, bool, error)
	CreateIncident(ctx context.Context, in meta.Incident) (meta.Incident, error)
	SaveIncident(ctx context.Context, in meta.Incident) error
	AddAlert(ctx context.Context, a meta.IncidentAlert, keys []string) error
	AlertDigests(ctx context.Context, id int64) ([]meta.IncidentAlert, error)
	MoveAlerts(ctx context.Context, from, into int64) error
	AddHistory(ctx context.Context, id int64, actor, action, detail string) error
}

// State runs correlation transactions. fn runs while no other node correlates the tenant.
type State interface {
	Correlate(ctx context.Context, tenant string, fn func(tx Tx) error) error
}

// MetaState adapts the state store to State.
type MetaState struct{ Store *meta.Store }

// Correlate implements State.
func (m MetaState) Correlate(ctx context.Context, tenant string, fn func(tx Tx) error) error {
	return m.Store.Correlate(ctx, tenant, func(tx *meta.IncidentTx) error { return fn(tx) })
}

// Options tune correlation. Zero values take the defaults.
type Options struct {
	// Window is how long after its last alert an incident still takes new ones (default 24h).
	Window time.Duration
	// CommonShare is the share of the tenant's alerts in the window above which an entity is
	// too common to correlate on (default 0.2), once there are at least CommonMinAlerts
	// alerts in the window (default 20).
	CommonShare     float64
	CommonMinAlerts int
	// CommonMinHosts is how many distinct hosts an entity's alerts must also span for it to
	// be too common (default 10): an attacker's address or a victim's account in most alerts
	// of one attack stays correlated, a scanner or a service account seen across the fleet
	// does not.
	CommonMinHosts int
	// Identities, when set, adds the other names of the accounts and mailboxes of an alert
	// (from the directory) to its keys, so that alerts naming one person by SID, UPN or
	// mailbox correlate.
	Identities Identities
	// MaxAlerts is the size cap of an incident (default 100).
	MaxAlerts int
	// NoReopen keeps resolved incidents closed when a new alert correlates with them by
	// entity; by default they reopen unless classified falsePositive or
	// informationalExpectedActivity. Rule grouping follows the rule's reopenClosedIncident.
	NoReopen bool
	// Notify, when set, receives the changes of each committed batch.
	Notify Notifier
}

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = 24 * time.Hour
	}
	if o.CommonShare <= 0 {
		o.CommonShare = 0.2
	}
	if o.CommonMinAlerts <= 0 {
		o.CommonMinAlerts = 20
	}
	if o.CommonMinHosts <= 0 {
		o.CommonMinHosts = 10
	}
	if o.MaxAlerts <= 0 {
		o.MaxAlerts = 100
	}
	return o
}

// actor names the correlator in incident history.
const actor = "correlator"

// Correlator groups alerts into incidents. It is safe for concurrent use.
type Correlator struct {
	state State
	opts  Options
}

var _ alert.Sink = (*Correlator)(nil)

// New returns a correlator keeping its state in st.
func New(st State, opts Options) *Correlator {
	return &Correlator{state: st, opts: opts.withDefaults()}
}

// Put correlates alerts, each tenant's in one transaction, in order. Alerts already
// correlated (a retried run) are skipped, so Put may be retried after an error.
func (c *Correlator) Put(ctx context.Context, alerts []alert.Alert) error {
	var tenants []string
	byTenant := map[string][]*alert.Alert{}
	for i := range alerts {
		t := alerts[i].Tenant
		if _, ok := byTenant[t]; !ok {
			tenants = append(tenants, t)
		}
		byTenant[t] = append(byTenant[t], &alerts[i])
	}
	for _, t := range tenants {
		var p *pass
		err := c.state.Correlate(ctx, t, func(tx Tx) error {
			p = &pass{Tx: tx, tenant: t} // a retried transaction starts over
			ids := make([]string, 0, len(byTenant[t]))
			for _, a := range byTenant[t] {
				ids = append(ids, a.ID)
			}
			var err error
			if p.seen, err = tx.ExistingAlerts(ctx, ids); err != nil {
				return err
			}
			for _, a := range byTenant[t] {
				if err := c.correlate(ctx, p, a); err != nil {
					return fmt.Errorf("alert %s: %w", a.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("correlate alerts of tenant %q: %w", t, err)
		}
		if c.opts.Notify != nil && len(p.changes) > 0 {
			c.opts.Notify.Notify(ctx, p.changes)
		}
	}
	return nil
}

// pass is one correlation transaction and the changes it made.
type pass struct {
	Tx
	tenant  string
	seen    map[string]bool // alerts already stored, or placed earlier in the pass
	changes []Change
}

func (p *pass) record(kind string, incidentID int64, alertID, detail string, at time.Time) {
	p.changes = append(p.changes, Change{Tenant: p.tenant, Kind: kind, IncidentID: incidentID, AlertID: alertID,
		Actor: actor, Detail: detail, At: at})
}

// history records a change in the incident's history and in the pass's changes.
func (p *pass) history(ctx context.Context, kind string, id int64, action, alertID, detail string, at time.Time) error {
	p.record(kind, id, alertID, detail, at)
	return p.AddHistory(ctx, id, actor, action, detail)
}

// correlate places one alert: nowhere when its rule creates no incident, in its rule's
// group when the rule groups alerts, else by shared entities.
func (c *Correlator) correlate(ctx context.Context, p *pass, a *alert.Alert) error {
	if a.ID == "" {
		return errors.New("alert has no id")
	}
	if p.seen[a.ID] {
		return nil // correlated already: a retried run
	}
	p.seen[a.ID] = true
	at := alertTime(a)
	all := entityKeys(a)
	if c.opts.Identities != nil {
		var err error
		if all, err = c.opts.Identities.Expand(ctx, a.Tenant, all); err != nil {
			return fmt.Errorf("resolve identities: %w", err)
		}
	}
	if !createsIncident(a) {
		p.record(AlertCreated, 0, a.ID, "rule creates no incident", at)
		return c.store(ctx, p, 0, a, at, all)
	}
	keys := all
	if gk, ok := groupKey(a); ok {
		keys = append(slices.Clone(all), gk)
		in, found, err := c.grouped(ctx, p, a, gk, at)
		if err != nil {
			return err
		}
		if found {
			return c.addAlert(ctx, p, in, a, at, keys)
		}
	}
	target, err := c.byEntities(ctx, p, a, all, at)
	if err != nil {
		return err
	}
	return c.addAlert(ctx, p, target, a, at, keys)
}

// grouped returns the incident of a's rule group within the rule's lookback, reopened when
// resolved and the rule says reopenClosedIncident; found is false when a opens a new one.
func (c *Correlator) grouped(ctx context.Context, p *pass, a *alert.Alert, key string, at time.Time) (meta.Incident, bool, error) {
	g := a.Incident.Grouping
	lookback := g.LookbackDuration.Std()
	if lookback <= 0 {
		lookback = defaultLookback
	}
	in, ok, err := p.GroupIncident(ctx, key, at.Add(-lookback))
	if err != nil || !ok {
		return meta.Incident{}, false, err
	}
	switch {
	case in.Status != meta.IncidentResolved && in.AlertCount < c.opts.MaxAlerts:
		return in, true, nil
	case in.Status == meta.IncidentResolved && g.ReopenClosedIncident:
		return in, true, reopen(ctx, p, &in, a.ID, "grouped by rule "+a.RuleID, at)
	}
	return meta.Incident{}, false, nil
}

// byEntities returns the incident a joins by its strong entities, after recording the
// entities too common to correlate on.
func (c *Correlator) byEntities(ctx context.Context, p *pass, a *alert.Alert, all []string, at time.Time) (meta.Incident, error) {
	since := at.Add(-c.opts.Window)
	strong, notes, err := c.excludeCommon(ctx, p, all, since)
	if err != nil {
		return meta.Incident{}, err
	}
	cands, err := p.IncidentsWith(ctx, strong, since)
	if err != nil {
		return meta.Incident{}, err
	}
	cands = c.reopenable(cands)
	target, err := c.place(ctx, p, cands, a, at)
	if err != nil {
		return meta.Incident{}, err
	}
	for _, n := range notes {
		if !slices.Contains(target.Notes, n) {
			target.Notes = append(target.Notes, n)
			if err := p.AddHistory(ctx, target.ID, actor, "notCorrelated", n); err != nil {
				return meta.Incident{}, err
			}
		}
	}
	return target, nil
}

// reopenable drops the resolved candidates the reopen policy keeps closed.
func (c *Correlator) reopenable(cands []meta.Incident) []meta.Incident {
	return slices.DeleteFunc(cands, func(in meta.Incident) bool {
		if in.Status != meta.IncidentResolved {
			return false
		}
		return c.opts.NoReopen || in.Classification == meta.ClassFalsePositive || in.Classification == meta.ClassExpected
	})
}

// reopen sets a resolved incident active again and records why.
func reopen(ctx context.Context, p *pass, in *meta.Incident, alertID, why string, at time.Time) error {
	in.Status, in.ClosedAt = meta.IncidentActive, time.Time{}
	return p.history(ctx, IncidentUpdated, in.ID, "reopened", alertID,
		fmt.Sprintf("reopened by alert %s (%s)", alertID, why), at)
}

// excludeCommon splits keys into those that may correlate and notes on those too common
// to. It counts the tenant's recent alerts only when some key is common enough that it
// might be excluded, which keeps the usual alert to a few index lookups.
func (c *Correlator) excludeCommon(ctx context.Context, tx *pass, keys []string, since time.Time) ([]string, []string, error) {
	var strong, notes []string
	counts, err := tx.EntityCounts(ctx, keys, since)
	if err != nil {
		return nil, nil, err
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	recent := 0
	hosts := map[string]int{}
	if float64(most) > c.opts.CommonShare*float64(c.opts.CommonMinAlerts) {
		if recent, err = tx.RecentAlerts(ctx, since); err != nil {
			return nil, nil, err
		}
		if hosts, err = tx.EntityHostBreadth(ctx, keys, since); err != nil {
			return nil, nil, err
		}
	}
	for _, k := range keys {
		switch {
		case staticallyCommon(k):
			notes = append(notes, fmt.Sprintf("not correlated on %s: too common (well-known)", k))
		case recent >= c.opts.CommonMinAlerts && float64(counts[k]) > c.opts.CommonShare*float64(recent) && hosts[k] >= c.opts.CommonMinHosts:
			notes = append(notes, fmt.Sprintf("not correlated on %s: too common (in %d of %d recent alerts, on %d hosts)", k, counts[k], recent, hosts[k]))
		default:
			strong = append(strong, k)
		}
	}
	return strong, notes, nil
}

// place returns the incident the alert joins: the largest open candidate with room, after
// merging the other candidates into it while the cap allows; a linked incident when every
// candidate is full; a new incident when there is none.
func (c *Correlator) place(ctx context.Context, p *pass, cands []meta.Incident, a *alert.Alert, at time.Time) (meta.Incident, error) {
	var open, full []meta.Incident
	for _, in := range cands {
		if in.AlertCount >= c.opts.MaxAlerts {
			full = append(full, in)
		} else {
			open = append(open, in)
		}
	}
	if len(open) == 0 {
		in := meta.Incident{Title: a.Title, Severity: severity(string(a.Severity)), Status: meta.IncidentActive,
			Classification: "unknown", Determination: "unknown", FirstActivity: at, LastActivity: at}
		if len(full) > 0 {
			in.LinkedFrom = largest(full).ID
			in.Notes = []string{fmt.Sprintf("continues incident %d, which reached the size cap of %d alerts", in.LinkedFrom, c.opts.MaxAlerts)}
		}
		created, err := p.CreateIncident(ctx, in)
		if err != nil {
			return meta.Incident{}, err
		}
		return created, p.history(ctx, IncidentCreated, created.ID, "create", a.ID, "opened by alert "+a.ID, at)
	}
	target := largest(open)
	if target.Status == meta.IncidentResolved {
		if err := reopen(ctx, p, &target, a.ID, "shares an entity within the correlation window", at); err != nil {
			return meta.Incident{}, err
		}
	}
	for _, other := range open {
		if other.ID == target.ID {
			continue
		}
		if target.AlertCount+other.AlertCount >= c.opts.MaxAlerts {
			target.Notes = appendNew(target.Notes, fmt.Sprintf("not merged with incident %d: size cap of %d alerts", other.ID, c.opts.MaxAlerts))
			continue
		}
		if err := merge(ctx, p, &target, other, a.ID, at); err != nil {
			return meta.Incident{}, err
		}
	}
	return target, nil
}

// largest returns the incident with the most alerts, the oldest among equals.
func largest(ins []meta.Incident) meta.Incident {
	best := ins[0]
	for _, in := range ins[1:] {
		if in.AlertCount > best.AlertCount || (in.AlertCount == best.AlertCount && in.ID < best.ID) {
			best = in
		}
	}
	return best
}

// merge moves other's alerts into target and marks other redirected to it.
func merge(ctx context.Context, p *pass, target *meta.Incident, other meta.Incident, alertID string, at time.Time) error {
	if err := p.MoveAlerts(ctx, other.ID, target.ID); err != nil {
		return err
	}
	target.AlertCount += other.AlertCount
	target.FirstActivity = minTime(target.FirstActivity, other.FirstActivity)
	target.LastActivity = maxTime(target.LastActivity, other.LastActivity)
	for _, t := range other.Tags {
		target.Tags = appendNew(target.Tags, t)
	}
	for _, n := range other.Notes {
		target.Notes = appendNew(target.Notes, n)
	}
	merged := fmt.Sprintf("merged incident %d into this one: alert %s bridges them", other.ID, alertID)
	target.Notes = appendNew(target.Notes, merged)
	other.MergedInto, other.Status, other.AlertCount = target.ID, meta.IncidentRedirected, 0
	if err := p.SaveIncident(ctx, other); err != nil {
		return err
	}
	if err := p.history(ctx, IncidentMerged, other.ID, "mergedInto", alertID,
		fmt.Sprintf("merged into incident %d: alert %s bridges them", target.ID, alertID), at); err != nil {
		return err
	}
	return p.history(ctx, IncidentMerged, target.ID, "merged", alertID, merged, at)
}

// store keeps a under incident id (0: none) with its keys.
func (c *Correlator) store(ctx context.Context, p *pass, id int64, a *alert.Alert, at time.Time, keys []string) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	ia := meta.IncidentAlert{AlertID: a.ID, IncidentID: id, RuleID: a.RuleID, Title: a.Title,
		Severity: severity(string(a.Severity)), Status: "new", FirstActivity: first0(a.StartTime, at),
		LastActivity: first0(a.EndTime, at), CreatedAt: at, Data: data, Tactics: a.Tactics}
	return p.AddAlert(ctx, ia, keys)
}

// addAlert stores a in in and derives in's title, severity and activity times.
func (c *Correlator) addAlert(ctx context.Context, p *pass, in meta.Incident, a *alert.Alert, at time.Time, keys []string) error {
	if err := c.store(ctx, p, in.ID, a, at, keys); err != nil {
		return err
	}
	alerts, err := p.AlertDigests(ctx, in.ID)
	if err != nil {
		return err
	}
	in.AlertCount = len(alerts)
	in.FirstActivity, in.LastActivity = minTime(in.FirstActivity, at), maxTime(in.LastActivity, at)
	in.Title = title(alerts)
	if !in.SeverityOverride {
		in.Severity = maxSeverity(alerts)
	}
	p.record(AlertCreated, in.ID, a.ID, "", at)
	p.record(IncidentUpdated, in.ID, a.ID, "alert "+a.ID+" added", at)
	return p.SaveIncident(ctx, in)
}

func alertTime(a *alert.Alert) time.Time {
	if !a.CreatedTime.IsZero() {
		return a.CreatedTime.UTC()
	}
	if !a.EndTime.IsZero() {
		return a.EndTime.UTC()
	}
	return time.Now().UTC()
}

func first0(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// severities are Graph's alert severities, lowest first.
var severities = []string{"unknown", "informational", "low", "medium", "high"}

// severity returns Graph's name for a rule severity.
func severity(s string) string {
	s = strings.ToLower(s)
	if slices.Contains(severities, s) {
		return s
	}
	return "unknown"
}

func maxSeverity(alerts []meta.IncidentAlert) string {
	best := 0
	for _, a := range alerts {
		best = max(best, slices.Index(severities, a.Severity))
	}
	return severities[best]
}

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
	AlertExists(ctx context.Context, id string) (bool, error)
	RecentAlerts(ctx context.Context, since time.Time) (int, error)
	EntityCounts(ctx context.Context, keys []string, since time.Time) (map[string]int, error)
	OpenIncidentsWith(ctx context.Context, keys []string, since time.Time) ([]meta.Incident, error)
	CreateIncident(ctx context.Context, in meta.Incident) (meta.Incident, error)
	SaveIncident(ctx context.Context, in meta.Incident) error
	AddAlert(ctx context.Context, a meta.IncidentAlert, keys []string) error
	IncidentAlerts(ctx context.Context, id int64) ([]meta.IncidentAlert, error)
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
	// MaxAlerts is the size cap of an incident (default 100).
	MaxAlerts int
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
		err := c.state.Correlate(ctx, t, func(tx Tx) error {
			for _, a := range byTenant[t] {
				if err := c.correlate(ctx, tx, a); err != nil {
					return fmt.Errorf("alert %s: %w", a.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("correlate alerts of tenant %q: %w", t, err)
		}
	}
	return nil
}

// correlate places one alert.
func (c *Correlator) correlate(ctx context.Context, tx Tx, a *alert.Alert) error {
	if a.ID == "" {
		return errors.New("alert has no id")
	}
	if seen, err := tx.AlertExists(ctx, a.ID); err != nil || seen {
		return err
	}
	at := alertTime(a)
	since := at.Add(-c.opts.Window)
	all := entityKeys(a)
	strong, notes, err := c.excludeCommon(ctx, tx, all, since)
	if err != nil {
		return err
	}
	cands, err := tx.OpenIncidentsWith(ctx, strong, since)
	if err != nil {
		return err
	}
	target, err := c.place(ctx, tx, cands, a, at)
	if err != nil {
		return err
	}
	for _, n := range notes {
		if !slices.Contains(target.Notes, n) {
			target.Notes = append(target.Notes, n)
			if err := tx.AddHistory(ctx, target.ID, actor, "notCorrelated", n); err != nil {
				return err
			}
		}
	}
	return c.addAlert(ctx, tx, target, a, at, all)
}

// excludeCommon splits keys into those that may correlate and notes on those too common to.
func (c *Correlator) excludeCommon(ctx context.Context, tx Tx, keys []string, since time.Time) ([]string, []string, error) {
	var strong, notes []string
	recent, err := tx.RecentAlerts(ctx, since)
	if err != nil {
		return nil, nil, err
	}
	var counts map[string]int
	if recent >= c.opts.CommonMinAlerts {
		if counts, err = tx.EntityCounts(ctx, keys, since); err != nil {
			return nil, nil, err
		}
	}
	for _, k := range keys {
		switch {
		case staticallyCommon(k):
			notes = append(notes, fmt.Sprintf("not correlated on %s: too common (well-known)", k))
		case recent > 0 && float64(counts[k]) > c.opts.CommonShare*float64(recent):
			notes = append(notes, fmt.Sprintf("not correlated on %s: too common (in %d of %d recent alerts)", k, counts[k], recent))
		default:
			strong = append(strong, k)
		}
	}
	return strong, notes, nil
}

// place returns the incident the alert joins: the largest open candidate with room, after
// merging the other candidates into it while the cap allows; a linked incident when every
// candidate is full; a new incident when there is none.
func (c *Correlator) place(ctx context.Context, tx Tx, cands []meta.Incident, a *alert.Alert, at time.Time) (meta.Incident, error) {
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
		created, err := tx.CreateIncident(ctx, in)
		if err != nil {
			return meta.Incident{}, err
		}
		return created, tx.AddHistory(ctx, created.ID, actor, "create", "opened by alert "+a.ID)
	}
	target := largest(open)
	for _, other := range open {
		if other.ID == target.ID {
			continue
		}
		if target.AlertCount+other.AlertCount >= c.opts.MaxAlerts {
			target.Notes = appendNew(target.Notes, fmt.Sprintf("not merged with incident %d: size cap of %d alerts", other.ID, c.opts.MaxAlerts))
			continue
		}
		if err := merge(ctx, tx, &target, other, a.ID); err != nil {
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
func merge(ctx context.Context, tx Tx, target *meta.Incident, other meta.Incident, alertID string) error {
	if err := tx.MoveAlerts(ctx, other.ID, target.ID); err != nil {
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
	other.MergedInto, other.Status, other.AlertCount = target.ID, meta.IncidentRedirected, 0
	if err := tx.SaveIncident(ctx, other); err != nil {
		return err
	}
	if err := tx.AddHistory(ctx, other.ID, actor, "mergedInto", fmt.Sprintf("merged into incident %d: alert %s bridges them", target.ID, alertID)); err != nil {
		return err
	}
	return tx.AddHistory(ctx, target.ID, actor, "merged", fmt.Sprintf("merged incident %d: alert %s bridges them", other.ID, alertID))
}

// addAlert stores a in in and derives in's title, severity and activity times.
func (c *Correlator) addAlert(ctx context.Context, tx Tx, in meta.Incident, a *alert.Alert, at time.Time, keys []string) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	ia := meta.IncidentAlert{AlertID: a.ID, IncidentID: in.ID, RuleID: a.RuleID, Title: a.Title,
		Severity: severity(string(a.Severity)), Status: "new", FirstActivity: first0(a.StartTime, at),
		LastActivity: first0(a.EndTime, at), CreatedAt: at, Data: data}
	if err := tx.AddAlert(ctx, ia, keys); err != nil {
		return err
	}
	alerts, err := tx.IncidentAlerts(ctx, in.ID)
	if err != nil {
		return err
	}
	in.AlertCount = len(alerts)
	in.FirstActivity, in.LastActivity = minTime(in.FirstActivity, at), maxTime(in.LastActivity, at)
	in.Title = title(alerts)
	if !in.SeverityOverride {
		in.Severity = maxSeverity(alerts)
	}
	return tx.SaveIncident(ctx, in)
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

package tuning

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
)

// Store keeps tuning rules and reads past alerts (*meta.Store).
type Store interface {
	PutTuningRule(ctx context.Context, tenant, id, document, actor string) (bool, error)
	TuningRules(ctx context.Context, tenant string) ([]meta.TuningRule, error)
	TuningRule(ctx context.Context, tenant, id string) (meta.TuningRule, error)
	DeleteTuningRule(ctx context.Context, tenant, id string) error
	AddTuningHits(ctx context.Context, tenant, id string, n int, at time.Time) error
	AlertDocumentsSince(ctx context.Context, tenant string, since time.Time, limit int) ([]string, error)
}

// InvalidError is a tuning rule that does not validate.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return "invalid tuning rule: " + e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// Entry is a stored tuning rule with its owner and hits.
type Entry struct {
	Rule
	CreatedBy string     `json:"createdBy"`
	CreatedAt time.Time  `json:"createdDateTime"`
	UpdatedBy string     `json:"lastModifiedBy"`
	UpdatedAt time.Time  `json:"lastModifiedDateTime"`
	Hits      int64      `json:"hits"`
	LastHitAt *time.Time `json:"lastHitDateTime,omitempty"`
}

// Service applies and manages tuning rules. It is safe for concurrent use.
type Service struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
}

// New returns a service over store.
func New(store Store, log *slog.Logger) *Service {
	return &Service{store: store, now: time.Now, log: log}
}

// Put validates r and stores it for tenant (a new id when r.ID is empty).
func (s *Service) Put(ctx context.Context, tenant, actor string, r Rule) (Entry, error) {
	if err := r.Validate(); err != nil {
		return Entry{}, &InvalidError{err}
	}
	if r.ID == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		r.ID = "tr-" + hex.EncodeToString(b)
	}
	doc, err := json.Marshal(r)
	if err != nil {
		return Entry{}, err
	}
	if _, err := s.store.PutTuningRule(ctx, tenant, r.ID, string(doc), actor); err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, tenant, r.ID)
}

// Get returns one of tenant's rules.
func (s *Service) Get(ctx context.Context, tenant, id string) (Entry, error) {
	t, err := s.store.TuningRule(ctx, tenant, id)
	if err != nil {
		return Entry{}, err
	}
	return entry(t)
}

// List returns tenant's rules.
func (s *Service) List(ctx context.Context, tenant string) ([]Entry, error) {
	ts, err := s.store.TuningRules(ctx, tenant)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(ts))
	for _, t := range ts {
		e, err := entry(t)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Delete removes one of tenant's rules.
func (s *Service) Delete(ctx context.Context, tenant, id string) error {
	return s.store.DeleteTuningRule(ctx, tenant, id)
}

func entry(t meta.TuningRule) (Entry, error) {
	e := Entry{CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt, Hits: t.Hits}
	if err := json.Unmarshal([]byte(t.Document), &e.Rule); err != nil {
		return Entry{}, fmt.Errorf("tuning rule %s: %w", t.ID, err)
	}
	if err := e.Validate(); err != nil { // compiles its regular expressions
		return Entry{}, fmt.Errorf("tuning rule %s: %w", t.ID, err)
	}
	if !t.LastHitAt.IsZero() {
		e.LastHitAt = &t.LastHitAt
	}
	return e, nil
}

// active returns tenant's rules in force at t.
func (s *Service) active(ctx context.Context, tenant string, t time.Time) ([]Rule, error) {
	all, err := s.List(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, e := range all {
		if e.Active(t) {
			out = append(out, e.Rule)
		}
	}
	return out, nil
}

// Preview is what a tuning rule would have done to past alerts.
type Preview struct {
	Since   time.Time     `json:"since"`
	Scanned int           `json:"alertsScanned"`
	Matched []alert.Alert `json:"matched"`
}

// PreviewWindow is how far back Preview looks, and previewLimit how many alerts it reads.
const (
	PreviewWindow = 30 * 24 * time.Hour
	previewLimit  = 100_000
)

// Preview validates r and returns the alerts of the past 30 days it would have matched.
func (s *Service) Preview(ctx context.Context, tenant string, r Rule) (Preview, error) {
	if err := r.Validate(); err != nil {
		return Preview{}, &InvalidError{err}
	}
	since := s.now().Add(-PreviewWindow)
	docs, err := s.store.AlertDocumentsSince(ctx, tenant, since, previewLimit)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Since: since, Scanned: len(docs), Matched: []alert.Alert{}}
	for _, d := range docs {
		var a alert.Alert
		if err := json.Unmarshal([]byte(d), &a); err != nil {
			return Preview{}, fmt.Errorf("stored alert: %w", err)
		}
		if r.Matches(&a) {
			p.Matched = append(p.Matched, a)
		}
	}
	return p, nil
}

// Sink applies tenants' tuning rules to alerts on their way to Next: suppressed alerts go
// nowhere, resolved ones only to Resolved (the alert tables), the rest to Next.
type Sink struct {
	Service  *Service
	Next     alert.Sink
	Resolved alert.Sink
}

// Put implements alert.Sink.
func (k *Sink) Put(ctx context.Context, alerts []alert.Alert) error {
	now := k.Service.now()
	rules := map[string][]Rule{}
	hits := map[[2]string]int{}
	var keep, resolved []alert.Alert
	for _, a := range alerts {
		rs, ok := rules[a.Tenant]
		if !ok {
			var err error
			if rs, err = k.Service.active(ctx, a.Tenant, now); err != nil {
				return fmt.Errorf("tuning rules: %w", err)
			}
			rules[a.Tenant] = rs
		}
		r := firstMatch(rs, &a)
		switch {
		case r == nil:
			keep = append(keep, a)
		case r.Action == ActionResolve:
			a.Status = "Resolved"
			if a.Properties == nil {
				a.Properties = map[string]string{}
			}
			a.Properties["TuningRuleId"], a.Properties["TuningReason"] = r.ID, r.Reason
			resolved = append(resolved, a)
			hits[[2]string{a.Tenant, r.ID}]++
		default:
			hits[[2]string{a.Tenant, r.ID}]++
		}
	}
	if err := k.put(ctx, keep, resolved); err != nil {
		return err
	}
	for key, n := range hits {
		if err := k.Service.store.AddTuningHits(context.WithoutCancel(ctx), key[0], key[1], n, now); err != nil {
			k.Service.log.Warn("count tuning hits", "rule", key[1], "err", err)
		}
	}
	return nil
}

func (k *Sink) put(ctx context.Context, keep, resolved []alert.Alert) error {
	var errs []error
	if len(keep) > 0 {
		errs = append(errs, k.Next.Put(ctx, keep))
	}
	if len(resolved) > 0 {
		errs = append(errs, k.Resolved.Put(ctx, resolved))
	}
	return errors.Join(errs...)
}

func firstMatch(rs []Rule, a *alert.Alert) *Rule {
	for i := range rs {
		if rs[i].Matches(a) {
			return &rs[i]
		}
	}
	return nil
}

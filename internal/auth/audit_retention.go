package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// Bounds of a tenant's audit retention.
const (
	MinAuditRetention = 24 * time.Hour
	MaxAuditRetention = 100 * 365 * 24 * time.Hour
)

// auditRetentionKey prefixes the setting holding a tenant's retention.
const auditRetentionKey = "audit.retention."

// ErrRetention is a retention outside MinAuditRetention..MaxAuditRetention.
var ErrRetention = errors.New("audit retention must be between 24h and 100 years")

// AuditRetention returns how long tenant's audit records are kept, and
// whether that is the tenant's own setting rather than the default.
func (s *Service) AuditRetention(ctx context.Context, tenant string) (time.Duration, bool, error) {
	v, err := s.st.Setting(ctx, auditRetentionKey+tenant)
	if errors.Is(err, meta.ErrNotFound) || (err == nil && v == "") {
		return s.opts.AuditRetention, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, false, fmt.Errorf("setting %s%s = %q: %w", auditRetentionKey, tenant, v, err)
	}
	return d, true, nil
}

// SetAuditRetention sets how long tenant's audit records are kept; 0
// returns the tenant to the default.
func (s *Service) SetAuditRetention(ctx context.Context, tenant string, d time.Duration) error {
	if !TenantIDValid(tenant) {
		return fmt.Errorf("set audit retention: invalid tenant %q", tenant)
	}
	v := ""
	if d != 0 {
		if d < MinAuditRetention || d > MaxAuditRetention {
			return ErrRetention
		}
		v = d.String()
	}
	return s.st.PutSetting(ctx, auditRetentionKey+tenant, v)
}

// auditRetentions returns the default retention and every tenant's own.
func (s *Service) auditRetentions(ctx context.Context) (meta.AuditRetention, error) {
	ret := meta.AuditRetention{Default: s.opts.AuditRetention, Tenants: map[string]time.Duration{}}
	ts, err := s.st.Tenants(ctx)
	if err != nil {
		return ret, err
	}
	for _, t := range ts {
		d, own, err := s.AuditRetention(ctx, t.ID)
		if err != nil {
			return ret, err
		}
		if own {
			ret.Tenants[t.ID] = d
		}
	}
	return ret, nil
}

// PruneAudit removes the audit records older than their tenant's retention
// (see meta.Store.PruneAudit); the checkpoint it appends is the audit record
// of the prune. A failure is itself audited (audit.prune.failure).
func (s *Service) PruneAudit(ctx context.Context) (meta.AuditPrune, error) {
	ret, err := s.auditRetentions(ctx)
	if err == nil {
		var p meta.AuditPrune
		if p, err = s.st.PruneAudit(ctx, s.opts.Now(), ret); err == nil {
			if p.Checkpoint.Seq != 0 && s.opts.AuditSink != nil {
				s.opts.AuditSink.Offer(p.Checkpoint)
			}
			return p, nil
		}
	}
	if ctx.Err() != nil {
		return meta.AuditPrune{}, err // stopping, not failing
	}
	if aerr := s.Audit(ctx, Event{Actor: "vigil", ActorType: KindSystem, Action: "audit.prune.failure", Target: "audit_log",
		Result: "failure", Detail: map[string]any{"error": err.Error()}}); aerr != nil {
		s.log.Error("audit a failed prune", "err", aerr)
	}
	return meta.AuditPrune{}, err
}

// AuditPruner prunes the audit log periodically.
type AuditPruner struct {
	svc   *Service
	every time.Duration
	log   *slog.Logger
}

// NewAuditPruner returns a pruner of svc's audit log running every interval.
func NewAuditPruner(svc *Service, every time.Duration, log *slog.Logger) *AuditPruner {
	if every <= 0 {
		every = time.Hour
	}
	return &AuditPruner{svc: svc, every: every, log: log}
}

// Run prunes once at start and then every interval until ctx ends; it
// returns nil. A failed prune is logged and audited, and retried next time.
func (p *AuditPruner) Run(ctx context.Context) error {
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	for {
		res, err := p.svc.PruneAudit(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Error("prune the audit log", "err", err)
		case res.Checkpoint.Seq != 0:
			p.log.Info("pruned the audit log", "stubbed", res.Stubbed, "removed", res.Removed, "checkpoint", res.Checkpoint.Seq)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// DefaultAuditRetention is how long audit records of a tenant without its
// own retention are kept.
func (s *Service) DefaultAuditRetention() time.Duration { return s.opts.AuditRetention }

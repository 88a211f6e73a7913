package app

import (
	"context"
	"crypto/tls"
	"sync"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/ingest"
)

// auditJobs are the audit log's background components.
type auditJobs struct {
	table  *auth.AuditTable  // copies records to the VigilAudit table
	pruner *auth.AuditPruner // prunes expired records
}

// authService builds the service that signs users in, checks stored API keys
// and keeps the audit log, over the state store; its records are copied to
// the VigilAudit table through svc.
func (a *App) authService(svc *ingest.Service) (*auth.Service, api.AuthOptions, error) {
	c := a.cfg.Auth
	table, err := auth.NewAuditTable(a.meta, a.reg, svc, c.Audit.TableQueue, a.log.With("component", "audit"))
	if err != nil {
		return nil, api.AuthOptions{}, err
	}
	var sso *auth.OIDCConfig
	if o := c.OIDC; o.Issuer != "" {
		groups, err := o.Grants()
		if err != nil {
			return nil, api.AuthOptions{}, err
		}
		sso = &auth.OIDCConfig{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
			Scopes: o.Scopes, UsernameClaim: o.UsernameClaim, GroupsClaim: o.GroupsClaim, GroupRoles: groups}
	}
	authSvc, err := auth.New(a.meta, auth.Options{
		OIDC:       sso,
		Hash:       auth.HashParams{Memory: c.Argon2.MemoryKiB, Time: c.Argon2.Time, Threads: c.Argon2.Threads},
		SessionTTL: c.SessionTTL, SessionIdle: c.SessionIdle,
		FreeFailures: c.FreeFailures, LockoutBase: c.LockoutBase, LockoutMax: c.LockoutMax,
		AuditRetention: c.Audit.Retention, AuditSink: table,
	}, a.log.With("component", "auth"))
	if err != nil {
		return nil, api.AuthOptions{}, err
	}
	a.audit = &auditJobs{table: table, pruner: auth.NewAuditPruner(authSvc, c.Audit.PruneInterval, a.log.With("component", "audit"))}
	return authSvc, api.AuthOptions{SessionTTL: c.SessionTTL, SecureCookie: c.SecureCookie}, nil
}

// runAudit starts the audit table copier and the pruner; they stop with
// ctx. Records still queued then are copied at the next start.
func (a *App) runAudit(ctx context.Context, wg *sync.WaitGroup) {
	if a.audit == nil {
		return
	}
	wg.Go(func() { _ = a.audit.table.Run(ctx) })
	wg.Go(func() { _ = a.audit.pruner.Run(ctx) })
}

// tlsConfig returns the HTTPS configuration when server.tls names files.
func (a *App) tlsConfig() (*tls.Config, error) {
	c := a.cfg.Server.TLS
	if c.CertFile == "" {
		return nil, nil
	}
	r, err := auth.NewCertReloader(c.CertFile, c.KeyFile, c.ReloadInterval, a.log.With("component", "tls"))
	if err != nil {
		return nil, err
	}
	return r.TLSConfig(), nil
}

package app

import (
	"crypto/tls"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/auth"
)

// authService builds the service that signs users in, checks stored API keys
// and keeps the audit log, over the state store.
func (a *App) authService() (*auth.Service, api.AuthOptions, error) {
	c := a.cfg.Auth
	var sso *auth.OIDCConfig
	if o := c.OIDC; o.Issuer != "" {
		groups, err := o.Grants()
		if err != nil {
			return nil, api.AuthOptions{}, err
		}
		sso = &auth.OIDCConfig{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
			Scopes: o.Scopes, UsernameClaim: o.UsernameClaim, GroupsClaim: o.GroupsClaim, GroupRoles: groups}
	}
	svc, err := auth.New(a.meta, auth.Options{
		OIDC:       sso,
		Hash:       auth.HashParams{Memory: c.Argon2.MemoryKiB, Time: c.Argon2.Time, Threads: c.Argon2.Threads},
		SessionTTL: c.SessionTTL, SessionIdle: c.SessionIdle,
		FreeFailures: c.FreeFailures, LockoutBase: c.LockoutBase, LockoutMax: c.LockoutMax,
	}, a.log.With("component", "auth"))
	return svc, api.AuthOptions{SessionTTL: c.SessionTTL, SecureCookie: c.SecureCookie}, err
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

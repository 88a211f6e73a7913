package app

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/ingest/receiver/hec"
	syslogrecv "github.com/vigilsec/vigil/internal/ingest/receiver/syslog"
	"github.com/vigilsec/vigil/internal/schema"
)

// syslogTLS returns the syslog receiver's TLS configuration when a listener takes TLS: the certificate reloaded from its files (auth.CertReloader, as for HTTPS) and, with
// clientCAFile, client certificates required and verified.
func (a *App) syslogTLS() (*tls.Config, error) {
	c := a.cfg.Receivers.Syslog.TLS
	if !a.cfg.Receivers.Syslog.tlsWanted() {
		return nil, nil
	}
	r, err := auth.NewCertReloader(c.CertFile, c.KeyFile, c.ReloadInterval, a.log.With("component", "syslog-tls"))
	if err != nil {
		return nil, fmt.Errorf("receivers.syslog.tls: %w", err)
	}
	cfg := r.TLSConfig()
	if c.ClientCAFile != "" {
		pem, err := os.ReadFile(c.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("receivers.syslog.tls.clientCAFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("receivers.syslog.tls.clientCAFile: no PEM certificate in %s", c.ClientCAFile)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// hecRoutes returns receivers.hec.routes for the API, checked against the registry's tables
// and the source formats.
func (a *App) hecRoutes() ([]hec.Rule, error) {
	routes := a.cfg.Receivers.HEC.Routes
	if len(routes) == 0 {
		return nil, nil
	}
	n, err := normalize.NewNormalizer(a.reg)
	if err != nil {
		return nil, fmt.Errorf("receivers.hec.routes: %w", err)
	}
	var errs []error
	out := make([]hec.Rule, 0, len(routes))
	for i, r := range routes {
		switch {
		case r.Table != "":
			if t, ok := a.reg.Table(r.Table); !ok || t.Kind == schema.KindVigil {
				errs = append(errs, fmt.Errorf("receivers.hec.routes[%d]: unknown table %q", i, r.Table))
			}
		case r.Format != "syslog" && !normalize.IsWinFormat(r.Format):
			if _, ok := n.Format(r.Format); !ok {
				errs = append(errs, fmt.Errorf("receivers.hec.routes[%d]: unknown format %q (want syslog, %s)", i, r.Format,
					strings.Join(append(n.Formats(), normalize.WinFormats()...), ", ")))
			}
		}
		out = append(out, hec.Rule{Sourcetype: r.Sourcetype, Index: r.Index, Table: r.Table, Format: r.Format})
	}
	return out, errors.Join(errs...)
}

// syslogListeners returns receivers.syslog.listeners for the receiver.
func syslogListeners(ls []SyslogListenerConfig) []syslogrecv.Listener {
	out := make([]syslogrecv.Listener, len(ls))
	for i, l := range ls {
		out[i] = syslogrecv.Listener{Tenant: l.Tenant, UDP: l.UDP, TCP: l.TCP, TLS: l.TLS}
	}
	return out
}

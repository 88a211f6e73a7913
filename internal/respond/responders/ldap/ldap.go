package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/vigilsec/vigil/internal/respond"
)

// Responder carries out disableAccount, enableAccount and resetPassword in a directory.
// Execute is safe for concurrent use: each action opens its own connection.
type Responder struct {
	cfg Config
	tls *tls.Config
}

var _ respond.Responder = (*Responder)(nil)

// New returns a directory responder; cfg must validate and its CA file, if any, load.
func New(cfg Config) (*Responder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("ldap responder: %w", err)
	}
	cfg = cfg.WithDefaults()
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if u, err := url.Parse(cfg.URL); err == nil && tc.ServerName == "" {
		tc.ServerName = u.Hostname() // StartTLS does not take it from the address
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ldap responder: caFile: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ldap responder: caFile %s: no PEM certificate in it", cfg.CAFile)
		}
	}
	return &Responder{cfg: cfg, tls: tc}, nil
}

// Supports implements respond.Responder.
func (r *Responder) Supports(t respond.Type) bool {
	_, ok := flavors[r.cfg.Flavor][t]
	return ok
}

// Change is one attribute an action changed. Old and New are "" when the attribute was or
// is absent; password values are never given.
type Change struct {
	Attribute string `json:"attribute"`
	Old       string `json:"old"`
	New       string `json:"new"`
}

// Execute implements respond.Responder: it finds the account, changes it, and reports the
// DN and the changes. Network failures and a busy or unavailable server wrap
// respond.ErrTransient.
func (r *Responder) Execute(ctx context.Context, a respond.Action) (respond.Result, error) {
	op, ok := flavors[r.cfg.Flavor][a.Type]
	if !ok {
		return respond.Result{}, fmt.Errorf("ldap responder: %s is not a directory action", a.Type)
	}
	if a.Target.Account == "" {
		return respond.Result{}, errors.New("ldap responder: the action names no target.account")
	}
	conn, err := r.connect(ctx)
	if err != nil {
		return respond.Result{}, classify(ctx, err)
	}
	defer func() { _ = conn.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	e, err := r.find(conn, a.Target.Account)
	if err != nil {
		return respond.Result{}, classify(ctx, err)
	}
	out, err := op(opContext{conn: conn, cfg: r.cfg, entry: e})
	if err != nil {
		return respond.Result{}, classify(ctx, fmt.Errorf("%s: %w", e.DN, err))
	}
	return out.result(r.cfg.Flavor, e.DN), nil
}

// connect dials, upgrades to TLS when asked, and binds as the service account.
func (r *Responder) connect(ctx context.Context) (*goldap.Conn, error) {
	pw, err := r.cfg.password()
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: r.cfg.Timeout}
	if dl, ok := ctx.Deadline(); ok {
		d.Deadline = dl
	}
	conn, err := goldap.DialURL(r.cfg.URL, goldap.DialWithDialer(d), goldap.DialWithTLSConfig(r.tls))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", r.cfg.URL, err)
	}
	conn.SetTimeout(r.cfg.Timeout)
	if r.cfg.StartTLS {
		if err := conn.StartTLS(r.tls); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("starttls with %s: %w", r.cfg.URL, err)
		}
	}
	if err := conn.Bind(r.cfg.BindDN, pw); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("bind as %s: %w", r.cfg.BindDN, err)
	}
	return conn, nil
}

// attrs are the attributes read from an account: those the operations change.
var attrs = []string{"userAccountControl", "pwdLastSet", "pwdAccountLockedTime", "pwdReset"}

// find returns the one entry the filter finds for name under the base DN.
func (r *Responder) find(conn *goldap.Conn, name string) (*goldap.Entry, error) {
	filter := expand(r.cfg.Filter, parseAccount(name))
	req := goldap.NewSearchRequest(r.cfg.BaseDN, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases, 2,
		int(r.cfg.Timeout.Seconds()), false, filter, attrs, nil)
	res, err := conn.Search(req)
	if err != nil && !goldap.IsErrorWithCode(err, goldap.LDAPResultSizeLimitExceeded) {
		return nil, fmt.Errorf("search %s for %q: %w", r.cfg.BaseDN, filter, err)
	}
	switch {
	case res == nil || len(res.Entries) == 0:
		return nil, fmt.Errorf("account %q: not found under %s with %s", name, r.cfg.BaseDN, filter)
	case len(res.Entries) > 1:
		dns := make([]string, len(res.Entries))
		for i, e := range res.Entries {
			dns[i] = e.DN
		}
		return nil, fmt.Errorf("account %q: ambiguous, %s finds %s", name, filter, strings.Join(dns, " and "))
	}
	return res.Entries[0], nil
}

// transientCodes are the LDAP results worth a retry.
var transientCodes = []uint16{goldap.ErrorNetwork, goldap.LDAPResultBusy, goldap.LDAPResultUnavailable,
	goldap.LDAPResultServerDown, goldap.LDAPResultConnectError, goldap.LDAPResultTimeout,
	goldap.LDAPResultTimeLimitExceeded, goldap.LDAPResultAdminLimitExceeded}

// classify prefixes err and marks it transient when a retry may succeed.
func classify(ctx context.Context, err error) error {
	var ne net.Error
	if goldap.IsErrorAnyOf(err, transientCodes...) || errors.As(err, &ne) || ctx.Err() != nil {
		return fmt.Errorf("ldap responder: %w: %w", err, respond.ErrTransient)
	}
	return fmt.Errorf("ldap responder: %w", err)
}

package app

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// AuthConfig configures sign-in, sessions and lockout.
type AuthConfig struct {
	SessionTTL   time.Duration `yaml:"sessionTTL"`   // a session ends this long after sign-in
	SessionIdle  time.Duration `yaml:"sessionIdle"`  // ... or after this long unused
	FreeFailures int           `yaml:"freeFailures"` // failed sign-ins allowed before lockout
	LockoutBase  time.Duration `yaml:"lockoutBase"`  // first lockout; doubles with each further failure
	LockoutMax   time.Duration `yaml:"lockoutMax"`   // longest lockout
	SecureCookie bool          `yaml:"secureCookie"` // mark the session cookie Secure on plain HTTP (behind a TLS proxy)
	Argon2       Argon2Config  `yaml:"argon2"`
	OIDC         OIDCConfig    `yaml:"oidc"`
	Audit        AuditConfig   `yaml:"audit"`
}

// AuditConfig configures the audit log's retention and its copy in the
// VigilAudit table.
type AuditConfig struct {
	Retention     time.Duration `yaml:"retention"`     // how long records are kept; a tenant may set its own (PUT /api/v1/audit/retention)
	PruneInterval time.Duration `yaml:"pruneInterval"` // how often expired records are pruned
	TableQueue    int           `yaml:"tableQueue"`    // records queued for VigilAudit; past it they are read back from the state store
}

// OIDCConfig configures single sign-on with an OpenID Connect provider; it
// is on when issuer is set.
type OIDCConfig struct {
	Issuer        string   `yaml:"issuer"`
	ClientID      string   `yaml:"clientID"`
	ClientSecret  string   `yaml:"clientSecret"`
	RedirectURL   string   `yaml:"redirectURL"` // https://HOST/api/v1/auth/oidc/callback
	Scopes        []string `yaml:"scopes"`
	UsernameClaim string   `yaml:"usernameClaim"`
	GroupsClaim   string   `yaml:"groupsClaim"`
	// GroupRoles maps a group to the roles it grants, as ROLE@TENANT or
	// ROLE@TENANT/GROUP1,GROUP2 (restricted to those device groups of TENANT).
	// ROLE is a built-in or a custom role; custom roles are resolved at each
	// sign-in.
	GroupRoles map[string][]string `yaml:"groupRoles"`
}

// Grants returns the grants of each group. Built-in roles are known here;
// any other role name is taken for a custom role, looked up at sign-in.
func (o OIDCConfig) Grants() (map[string][]meta.Grant, error) {
	out := make(map[string][]meta.Grant, len(o.GroupRoles))
	for group, specs := range o.GroupRoles {
		for _, spec := range specs {
			g, err := auth.ParseGrant(spec)
			if err != nil {
				return nil, fmt.Errorf("auth.oidc.groupRoles.%s: %w", group, err)
			}
			out[group] = append(out[group], g)
		}
	}
	return out, nil
}

// Argon2Config is the cost of password hashing.
type Argon2Config struct {
	MemoryKiB uint32 `yaml:"memoryKiB"`
	Time      uint32 `yaml:"time"`
	Threads   uint8  `yaml:"threads"`
}

func defaultAuth() AuthConfig {
	return AuthConfig{
		SessionTTL: 12 * time.Hour, SessionIdle: time.Hour,
		FreeFailures: 5, LockoutBase: time.Second, LockoutMax: 15 * time.Minute,
		Argon2: Argon2Config{MemoryKiB: 19456, Time: 2, Threads: 1},
		OIDC: OIDCConfig{Scopes: []string{"openid", "profile", "email"}, UsernameClaim: "preferred_username",
			GroupsClaim: "groups", GroupRoles: map[string][]string{}},
		Audit: AuditConfig{Retention: 365 * 24 * time.Hour, PruneInterval: time.Hour, TableQueue: 10000},
	}
}

// Validate checks the auth section.
func (a AuthConfig) Validate() error {
	var errs []error
	if a.SessionTTL <= 0 || a.SessionIdle <= 0 || a.SessionIdle > a.SessionTTL {
		errs = append(errs, errors.New("auth: sessionTTL and sessionIdle must be positive, sessionIdle at most sessionTTL"))
	}
	if a.FreeFailures < 1 || a.LockoutBase <= 0 || a.LockoutMax < a.LockoutBase {
		errs = append(errs, errors.New("auth: freeFailures must be at least 1, lockoutBase positive, lockoutMax at least lockoutBase"))
	}
	if a.Argon2.MemoryKiB < 8*1024 || a.Argon2.Time < 1 || a.Argon2.Threads < 1 {
		errs = append(errs, errors.New("auth.argon2: memoryKiB at least 8192, time and threads at least 1"))
	}
	if r := a.Audit.Retention; r < auth.MinAuditRetention || r > auth.MaxAuditRetention || a.Audit.PruneInterval <= 0 || a.Audit.TableQueue < 1 {
		errs = append(errs, errors.New("auth.audit: retention from 24h to 100 years, pruneInterval positive, tableQueue at least 1"))
	}
	if o := a.OIDC; o.Issuer != "" {
		if o.ClientID == "" || o.RedirectURL == "" || !slices.Contains(o.Scopes, "openid") || o.UsernameClaim == "" || o.GroupsClaim == "" {
			errs = append(errs, errors.New("auth.oidc: with an issuer, clientID, redirectURL, usernameClaim, groupsClaim and the openid scope are required"))
		}
		if _, err := o.Grants(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TLSConfig serves HTTPS with a certificate and key from files, reloaded
// when they change (checked at most once per reloadInterval).
type TLSConfig struct {
	CertFile       string        `yaml:"certFile"`
	KeyFile        string        `yaml:"keyFile"`
	ReloadInterval time.Duration `yaml:"reloadInterval"`
}

// Validate checks the server.tls section.
func (t TLSConfig) Validate() error {
	if (t.CertFile == "") != (t.KeyFile == "") {
		return errors.New("server.tls: certFile and keyFile go together")
	}
	if t.ReloadInterval <= 0 {
		return errors.New("server.tls.reloadInterval: must be positive")
	}
	return nil
}

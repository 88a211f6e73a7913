package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// Options are the service's policies.
type Options struct {
	Hash        HashParams
	SessionTTL  time.Duration // a session ends this long after sign-in
	SessionIdle time.Duration // ... or after this long unused
	// FreeFailures failed sign-ins are allowed before the account (or the
	// source address) must wait LockoutBase, doubling with every further
	// failure up to LockoutMax.
	FreeFailures int
	LockoutBase  time.Duration
	LockoutMax   time.Duration
	Now          func() time.Time // nil: time.Now
	// OIDC, when set, enables single sign-on.
	OIDC *OIDCConfig
	// AuditRetention is how long audit records are kept by default; a
	// tenant may set its own (SetAuditRetention).
	AuditRetention time.Duration
	// AuditSink, when set, receives every audit record once it is stored
	// (the VigilAudit table).
	AuditSink AuditSink
}

// Service authenticates principals and manages users, roles, keys and the
// audit log. It is safe for concurrent use.
type Service struct {
	st    *meta.Store
	opts  Options
	addrs *addrThrottle
	log   *slog.Logger
	// dummyHash is checked against when a user does not exist, so that an
	// unknown name costs as much time as a wrong password.
	dummyHash string
	oidc      *OIDC // nil: no single sign-on
}

// Kinds of principals.
const (
	KindUser   = "user"
	KindAPIKey = "apiKey"
	KindAdmin  = "admin" // the admin key in DATA/admin.key
	KindSystem = "system"
)

// Identity is an authenticated principal and what it may do.
type Identity struct {
	ID            string
	Name          string
	Kind          string
	DefaultTenant string
	Access        Access
}

// New returns a service over the state store st.
func New(st *meta.Store, opts Options, log *slog.Logger) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AuditRetention <= 0 {
		opts.AuditRetention = 365 * 24 * time.Hour
	}
	dummy, err := HashPassword("vigil-dummy-password", opts.Hash)
	if err != nil {
		return nil, err
	}
	s := &Service{st: st, opts: opts, log: log, dummyHash: dummy,
		addrs: newAddrThrottle(opts.FreeFailures, opts.LockoutBase, opts.LockoutMax)}
	if opts.OIDC != nil {
		s.oidc = &OIDC{cfg: *opts.OIDC, svc: s}
	}
	return s, nil
}

// Login checks username and password from the source address and, when they
// match, starts a session and returns its token. Failures are audited and
// throttled per account and per address.
func (s *Service) Login(ctx context.Context, username, password, source string) (Identity, string, error) {
	now := s.opts.Now()
	if w := s.addrs.wait(source, now); w > 0 {
		s.auditSignin(ctx, username, "", source, "throttled", "source address throttled")
		return Identity{}, "", &ThrottledError{RetryAfter: w}
	}
	u, err := s.st.UserByName(ctx, username)
	if errors.Is(err, meta.ErrNotFound) {
		_, _ = CheckPassword(password, s.dummyHash)
		return Identity{}, "", s.loginFailed(ctx, meta.User{Username: username}, source, "unknown user")
	}
	if err != nil {
		return Identity{}, "", err
	}
	if now.Before(u.LockedUntil) {
		s.addrs.fail(source, now)
		s.auditSignin(ctx, u.Username, u.DefaultTenant, source, "throttled", "account locked")
		return Identity{}, "", &ThrottledError{RetryAfter: u.LockedUntil.Sub(now)}
	}
	ok := false
	if u.PasswordHash != "" {
		ok, _ = CheckPassword(password, u.PasswordHash)
	} else {
		_, _ = CheckPassword(password, s.dummyHash)
	}
	if !ok || u.Disabled {
		reason := "wrong password"
		if ok {
			reason = "account disabled"
		}
		return Identity{}, "", s.loginFailed(ctx, u, source, reason)
	}
	return s.startSession(ctx, u, source)
}

func (s *Service) loginFailed(ctx context.Context, u meta.User, source, reason string) error {
	now := s.opts.Now()
	s.addrs.fail(source, now)
	if u.ID != "" {
		_, err := s.st.RecordLoginFailure(ctx, u.ID, func(n int) time.Time {
			if d := backoff(n, s.opts.FreeFailures, s.opts.LockoutBase, s.opts.LockoutMax); d > 0 {
				return now.Add(d)
			}
			return time.Time{}
		})
		if err != nil {
			return err
		}
	}
	s.auditSignin(ctx, u.Username, u.DefaultTenant, source, "failure", reason)
	return ErrBadCredentials
}

func (s *Service) auditSignin(ctx context.Context, user, tenant, source, result, reason string) {
	ev := Event{Actor: user, ActorType: KindUser, Tenant: tenant, Action: "auth.signin", Target: user, Source: source, Result: result}
	if reason != "" {
		ev.Detail = map[string]any{"reason": reason}
	}
	if err := s.Audit(ctx, ev); err != nil {
		s.log.Error("audit sign-in", "err", err)
	}
}

func (s *Service) startSession(ctx context.Context, u meta.User, source string) (Identity, string, error) {
	token := NewSecret(SessionPrefix)
	_, err := s.st.CreateSession(ctx, meta.Session{TokenHash: HashSecret(token), UserID: u.ID, Source: source,
		ExpiresAt: s.opts.Now().Add(s.opts.SessionTTL)})
	if err != nil {
		return Identity{}, "", err
	}
	if err := s.st.RecordLoginSuccess(ctx, u.ID); err != nil {
		return Identity{}, "", err
	}
	s.addrs.succeed(source)
	s.auditSignin(ctx, u.Username, u.DefaultTenant, source, "success", "")
	id, err := s.userIdentity(ctx, u)
	return id, token, err
}

// Session returns the identity of the session whose token is token, ending
// it when it has expired or been idle too long.
func (s *Service) Session(ctx context.Context, token string) (Identity, error) {
	hash := HashSecret(token)
	sess, err := s.st.SessionByHash(ctx, hash)
	if errors.Is(err, meta.ErrNotFound) {
		return Identity{}, ErrBadCredentials
	}
	if err != nil {
		return Identity{}, err
	}
	now := s.opts.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) > s.opts.SessionIdle {
		_ = s.st.DeleteSession(ctx, hash)
		return Identity{}, ErrBadCredentials
	}
	u, err := s.st.User(ctx, sess.UserID)
	if err != nil || u.Disabled {
		return Identity{}, ErrBadCredentials
	}
	if now.Sub(sess.LastSeen) > time.Minute {
		if err := s.st.TouchSession(ctx, hash); err != nil {
			return Identity{}, err
		}
	}
	return s.userIdentity(ctx, u)
}

// Logout ends the session whose token is token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.st.DeleteSession(ctx, HashSecret(token))
}

// APIKey returns the identity of the API key key.
func (s *Service) APIKey(ctx context.Context, key string) (Identity, error) {
	k, err := s.st.APIKeyByHash(ctx, HashSecret(key))
	if errors.Is(err, meta.ErrNotFound) {
		return Identity{}, ErrBadCredentials
	}
	if err != nil {
		return Identity{}, err
	}
	now := s.opts.Now()
	if !k.RevokedAt.IsZero() || (!k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)) {
		return Identity{}, ErrBadCredentials
	}
	if now.Sub(k.LastUsedAt) > time.Minute {
		if err := s.st.TouchAPIKey(ctx, k.ID); err != nil {
			return Identity{}, err
		}
	}
	acc, err := s.access(ctx, k.ID)
	if err != nil {
		return Identity{}, err
	}
	return Identity{ID: k.ID, Name: "key:" + k.Name, Kind: KindAPIKey, DefaultTenant: k.DefaultTenant, Access: acc}, nil
}

func (s *Service) userIdentity(ctx context.Context, u meta.User) (Identity, error) {
	acc, err := s.access(ctx, u.ID)
	if err != nil {
		return Identity{}, err
	}
	return Identity{ID: u.ID, Name: u.Username, Kind: KindUser, DefaultTenant: u.DefaultTenant, Access: acc}, nil
}

// access resolves the grants of principal.
func (s *Service) access(ctx context.Context, principal string) (Access, error) {
	gs, err := s.st.Grants(ctx, principal)
	if err != nil {
		return Access{}, err
	}
	roles, err := s.roleMap(ctx)
	if err != nil {
		return Access{}, err
	}
	return NewAccess(gs, roles), nil
}

func (s *Service) roleMap(ctx context.Context) (map[string]Role, error) {
	rs, err := s.Roles(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]Role, len(rs))
	for _, r := range rs {
		m[r.ID] = r
	}
	return m, nil
}

// Roles returns the built-in roles, then the custom ones.
func (s *Service) Roles(ctx context.Context) ([]Role, error) {
	custom, err := s.st.Roles(ctx)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	out := BuiltinRoles()
	for _, r := range custom {
		perms := make([]Permission, len(r.Permissions))
		for i, p := range r.Permissions {
			perms[i] = Permission(p)
		}
		out = append(out, Role{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: perms})
	}
	return out, nil
}

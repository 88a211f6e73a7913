package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigilsec/vigil/internal/meta"
)

// OIDCConfig configures single sign-on with an OpenID Connect provider.
type OIDCConfig struct {
	Issuer        string
	ClientID      string
	ClientSecret  string
	RedirectURL   string // this server's callback: https://HOST/api/v1/auth/oidc/callback
	Scopes        []string
	UsernameClaim string // e.g. preferred_username or email
	GroupsClaim   string // e.g. groups
	// GroupRoles maps a group of the groups claim to the grants it gives.
	// Roles are resolved at each sign-in, so custom roles may be named: a
	// grant of a role that does not exist then is logged and skipped, and a
	// user whose groups map to nothing may not sign in.
	GroupRoles map[string][]meta.Grant
}

// OIDCFlow is what a sign-in keeps between the redirect to the provider and
// the callback (in a short-lived HttpOnly cookie).
type OIDCFlow struct {
	State    string
	Nonce    string
	Verifier string // PKCE
}

// OIDC signs users in through an OpenID Connect provider, discovered at
// the first sign-in (so that a provider briefly down does not stop the
// server).
type OIDC struct {
	cfg OIDCConfig
	svc *Service

	mu       sync.Mutex
	provider *oidc.Provider
}

// OIDC returns the single sign-on of the service, or nil when none is configured.
func (s *Service) OIDC() *OIDC { return s.oidc }

func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("oidc discovery: %w", err)
		}
		o.provider = p
	}
	return o.provider, nil
}

func (o *OIDC) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: o.cfg.Scopes}
}

// Start begins a sign-in: it returns the provider URL to redirect the
// browser to and the flow to keep until the callback.
func (o *OIDC) Start(ctx context.Context) (string, OIDCFlow, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", OIDCFlow{}, err
	}
	f := OIDCFlow{State: NewSecret(""), Nonce: NewSecret(""), Verifier: oauth2.GenerateVerifier()}
	u := o.oauth(p).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return u, f, nil
}

// Finish completes a sign-in from the provider's callback: it checks the
// state, exchanges the code (with the PKCE verifier), verifies the ID token
// and its nonce, maps the user's groups to grants and starts a session.
func (o *OIDC) Finish(ctx context.Context, f OIDCFlow, state, code, source string) (Identity, string, error) {
	if f.State == "" || state != f.State {
		return Identity{}, "", inputErrorf("sign-in: state does not match; start again")
	}
	p, err := o.discover(ctx)
	if err != nil {
		return Identity{}, "", err
	}
	tok, err := o.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, "", fmt.Errorf("oidc code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil || idt.Nonce != f.Nonce {
		return Identity{}, "", errors.Join(ErrBadCredentials, err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, "", fmt.Errorf("oidc claims: %w", err)
	}
	return o.signIn(ctx, idt.Subject, claims, source)
}

func (o *OIDC) signIn(ctx context.Context, subject string, claims map[string]any, source string) (Identity, string, error) {
	s := o.svc
	name, _ := claims[o.cfg.UsernameClaim].(string)
	if name == "" {
		name = subject
	}
	grants, err := o.grants(ctx, claims)
	if err != nil {
		return Identity{}, "", err
	}
	if len(grants) == 0 {
		s.auditSignin(ctx, name, "", source, "failure", "single sign-on: no group maps to a role")
		return Identity{}, "", ErrBadCredentials
	}
	sum := sha256.Sum256([]byte(o.cfg.Issuer + "\x00" + subject))
	u, err := s.st.User(ctx, "oidc_"+hex.EncodeToString(sum[:12]))
	if errors.Is(err, meta.ErrNotFound) {
		def := grants[0].Tenant
		if def == AllTenants {
			def = meta.DefaultTenantID
		}
		u, err = s.st.CreateUser(ctx, meta.User{ID: "oidc_" + hex.EncodeToString(sum[:12]), Username: name, DisplayName: name, DefaultTenant: def})
	}
	if err != nil {
		s.auditSignin(ctx, name, "", source, "failure", "single sign-on: "+err.Error())
		return Identity{}, "", ErrBadCredentials
	}
	if u.Disabled {
		s.auditSignin(ctx, name, u.DefaultTenant, source, "failure", "account disabled")
		return Identity{}, "", ErrBadCredentials
	}
	if err := s.st.SetGrants(ctx, u.ID, grants); err != nil {
		return Identity{}, "", err
	}
	return s.startSession(ctx, u, source)
}

// grants maps the groups claim through GroupRoles. Grants of roles that do
// not exist now, or of device groups their tenant lacks, are logged and
// skipped. Two groups granting one role in one tenant give it unrestricted
// if either does, else restricted to the groups of both.
func (o *OIDC) grants(ctx context.Context, claims map[string]any) ([]meta.Grant, error) {
	roles, err := o.svc.roleMap(ctx)
	if err != nil {
		return nil, err
	}
	var out []meta.Grant
	groups, _ := claims[o.cfg.GroupsClaim].([]any)
	for _, g := range groups {
		name, _ := g.(string)
		for _, gr := range o.cfg.GroupRoles[name] {
			if _, ok := roles[gr.Role]; !ok {
				o.svc.log.Warn("single sign-on: group maps to a role that does not exist; skipped", "group", name, "role", gr.Role, "tenant", gr.Tenant)
				continue
			}
			if err := o.svc.checkDeviceGroups(ctx, gr); err != nil {
				o.svc.log.Warn("single sign-on: group maps to a grant that cannot be given; skipped", "group", name, "err", err)
				continue
			}
			out = mergeGrant(out, gr)
		}
	}
	slices.SortFunc(out, func(a, b meta.Grant) int { return strings.Compare(a.Tenant+"\x00"+a.Role, b.Tenant+"\x00"+b.Role) })
	return out, nil
}

// mergeGrant adds g to gs, merging it with a grant of the same role and
// tenant: unrestricted wins, else the device groups are united.
func mergeGrant(gs []meta.Grant, g meta.Grant) []meta.Grant {
	i := slices.IndexFunc(gs, func(x meta.Grant) bool { return x.Role == g.Role && x.Tenant == g.Tenant })
	if i < 0 {
		return append(gs, meta.Grant{Role: g.Role, Tenant: g.Tenant, DeviceGroups: slices.Clone(g.DeviceGroups)})
	}
	if len(gs[i].DeviceGroups) == 0 || len(g.DeviceGroups) == 0 {
		gs[i].DeviceGroups = nil
		return gs
	}
	for _, dg := range g.DeviceGroups {
		if !slices.Contains(gs[i].DeviceGroups, dg) {
			gs[i].DeviceGroups = append(gs[i].DeviceGroups, dg)
		}
	}
	slices.Sort(gs[i].DeviceGroups)
	return gs
}

// ParseGrant parses a grant written ROLE@TENANT or ROLE@TENANT/GROUP1,GROUP2
// (restricted to those device groups of TENANT), as the OIDC group mapping
// and the CLI take it. The role is not resolved: custom roles are looked up
// when the grant is used.
func ParseGrant(spec string) (meta.Grant, error) {
	role, rest, ok := strings.Cut(spec, "@")
	tenant, groups, scoped := strings.Cut(rest, "/")
	if !ok || role == "" || len(role) > 64 || strings.ContainsAny(role, "@/, ") || (tenant != AllTenants && !TenantIDValid(tenant)) {
		return meta.Grant{}, inputErrorf("%q is not ROLE@TENANT or ROLE@TENANT/GROUP1,GROUP2", spec)
	}
	g := meta.Grant{Role: role, Tenant: tenant}
	if !scoped {
		return g, nil
	}
	if tenant == AllTenants {
		return meta.Grant{}, inputErrorf("%q: device groups belong to one tenant, not to every tenant (*)", spec)
	}
	for id := range strings.SplitSeq(groups, ",") {
		if !meta.DeviceGroupIDValid(id) {
			return meta.Grant{}, inputErrorf("%q: %q is not a device group id", spec, id)
		}
		g.DeviceGroups = append(g.DeviceGroups, id)
	}
	return g, nil
}

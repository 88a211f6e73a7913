package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// NewUser describes a user to create.
type NewUser struct {
	Username      string
	DisplayName   string
	Password      string // empty: a random one is generated and returned
	DefaultTenant string
	Grants        []meta.Grant
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$`)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 12

// CreateUser creates a user with its grants and returns it with its password
// (the generated one when u.Password is empty).
func (s *Service) CreateUser(ctx context.Context, u NewUser) (meta.User, string, error) {
	if !usernameRE.MatchString(u.Username) {
		return meta.User{}, "", inputErrorf("username %q: 1 to 128 letters, digits, '.', '_', '@' or '-'", u.Username)
	}
	if u.Password == "" {
		u.Password = NewSecret("")[:24]
	}
	if err := checkPassword(u.Password); err != nil {
		return meta.User{}, "", err
	}
	if u.DefaultTenant == "" || u.DefaultTenant == AllTenants {
		u.DefaultTenant = meta.DefaultTenantID
	}
	if !TenantIDValid(u.DefaultTenant) {
		return meta.User{}, "", inputErrorf("default tenant %q is not a tenant id", u.DefaultTenant)
	}
	if err := s.checkGrants(ctx, u.Grants); err != nil {
		return meta.User{}, "", err
	}
	hash, err := HashPassword(u.Password, s.opts.Hash)
	if err != nil {
		return meta.User{}, "", err
	}
	mu, err := s.st.CreateUser(ctx, meta.User{ID: newID("u_"), Username: u.Username, DisplayName: u.DisplayName,
		PasswordHash: hash, DefaultTenant: u.DefaultTenant})
	if err != nil {
		return meta.User{}, "", err
	}
	if err := s.st.SetGrants(ctx, mu.ID, u.Grants); err != nil {
		return meta.User{}, "", err
	}
	return mu, u.Password, nil
}

func checkPassword(p string) error {
	if len(p) < MinPasswordLen || len(p) > 1024 {
		return inputErrorf("password: %d to 1024 characters", MinPasswordLen)
	}
	return nil
}

// checkGrants refuses grants of unknown roles or malformed tenants.
func (s *Service) checkGrants(ctx context.Context, gs []meta.Grant) error {
	roles, err := s.roleMap(ctx)
	if err != nil {
		return err
	}
	for _, g := range gs {
		if _, ok := roles[g.Role]; !ok {
			return inputErrorf("grant: unknown role %q", g.Role)
		}
		if g.Tenant != AllTenants && !TenantIDValid(g.Tenant) {
			return inputErrorf("grant: %q is not a tenant id", g.Tenant)
		}
		if err := s.checkDeviceGroups(ctx, g); err != nil {
			return err
		}
	}
	return nil
}

// checkDeviceGroups refuses a grant restricted to device groups in every
// tenant or to groups its tenant does not have.
func (s *Service) checkDeviceGroups(ctx context.Context, g meta.Grant) error {
	if len(g.DeviceGroups) == 0 {
		return nil
	}
	if g.Tenant == AllTenants {
		return inputErrorf("grant %s: device groups belong to one tenant; a grant in every tenant cannot name them", g.Role)
	}
	for _, id := range g.DeviceGroups {
		if _, err := s.st.DeviceGroup(ctx, g.Tenant, id); err != nil {
			if errors.Is(err, meta.ErrNotFound) {
				return inputErrorf("grant %s in %s: tenant %s has no device group %q", g.Role, g.Tenant, g.Tenant, id)
			}
			return err
		}
	}
	return nil
}

var tenantIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// TenantIDValid reports whether id is a well-formed tenant id.
func TenantIDValid(id string) bool { return tenantIDRE.MatchString(id) }

// SetPassword sets the password of user id and ends its sessions.
func (s *Service) SetPassword(ctx context.Context, id, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.opts.Hash)
	if err != nil {
		return err
	}
	if _, err := s.st.UpdateUser(ctx, id, meta.UserUpdate{PasswordHash: &hash}); err != nil {
		return err
	}
	return s.st.DeleteUserSessions(ctx, id)
}

// SetDisabled disables or enables user id; disabling ends its sessions.
func (s *Service) SetDisabled(ctx context.Context, id string, disabled bool) (meta.User, error) {
	u, err := s.st.UpdateUser(ctx, id, meta.UserUpdate{Disabled: &disabled})
	if err != nil {
		return u, err
	}
	if disabled {
		err = s.st.DeleteUserSessions(ctx, id)
	}
	return u, err
}

// SetGrants replaces the grants of a user or key after checking them.
func (s *Service) SetGrants(ctx context.Context, principal string, gs []meta.Grant) error {
	if err := s.checkGrants(ctx, gs); err != nil {
		return err
	}
	return s.st.SetGrants(ctx, principal, gs)
}

// AddGrants adds grants to a user or key after checking them.
func (s *Service) AddGrants(ctx context.Context, principal string, gs []meta.Grant) error {
	if err := s.checkGrants(ctx, gs); err != nil {
		return err
	}
	return s.st.AddGrants(ctx, principal, gs)
}

// Store returns the state store, for listings the service does not wrap.
func (s *Service) Store() *meta.Store { return s.st }

// NewKey describes an API key to create.
type NewKey struct {
	Name          string
	DefaultTenant string
	Grants        []meta.Grant
	ExpiresAt     time.Time // zero: never
	CreatedBy     string
}

// CreateAPIKey creates a key and returns it with its secret, which is not
// kept and cannot be shown again.
func (s *Service) CreateAPIKey(ctx context.Context, k NewKey) (meta.APIKey, string, error) {
	if strings.TrimSpace(k.Name) == "" || len(k.Name) > 128 {
		return meta.APIKey{}, "", inputErrorf("key name: 1 to 128 characters")
	}
	if len(k.Grants) == 0 {
		return meta.APIKey{}, "", inputErrorf("key: at least one grant is required")
	}
	if err := s.checkGrants(ctx, k.Grants); err != nil {
		return meta.APIKey{}, "", err
	}
	if k.DefaultTenant == "" {
		k.DefaultTenant = k.Grants[0].Tenant
	}
	if k.DefaultTenant == AllTenants {
		k.DefaultTenant = meta.DefaultTenantID
	}
	if !TenantIDValid(k.DefaultTenant) {
		return meta.APIKey{}, "", inputErrorf("default tenant %q is not a tenant id", k.DefaultTenant)
	}
	if !k.ExpiresAt.IsZero() && !k.ExpiresAt.After(s.opts.Now()) {
		return meta.APIKey{}, "", inputErrorf("key: expiry is in the past")
	}
	secret := NewSecret(KeyPrefix)
	mk, err := s.st.CreateAPIKey(ctx, meta.APIKey{ID: newID("k_"), Name: k.Name, Prefix: secret[:len(KeyPrefix)+6],
		KeyHash: HashSecret(secret), DefaultTenant: k.DefaultTenant, CreatedBy: k.CreatedBy, ExpiresAt: k.ExpiresAt}, k.Grants)
	if err != nil {
		return meta.APIKey{}, "", err
	}
	return mk, secret, nil
}

// PutRole creates or replaces a custom role; built-in roles cannot change.
func (s *Service) PutRole(ctx context.Context, r Role) error {
	if _, ok := BuiltinRole(r.ID); ok {
		return inputErrorf("role %q is built in", r.ID)
	}
	if !tenantIDRE.MatchString(r.ID) || strings.TrimSpace(r.Name) == "" {
		return inputErrorf("role: id (1 to 64 letters, digits, '_' or '-') and name are required")
	}
	perms := make([]string, len(r.Permissions))
	for i, p := range r.Permissions {
		if !Known(p) {
			return inputErrorf("role: unknown permission %q", p)
		}
		perms[i] = string(p)
	}
	return s.st.PutRole(ctx, meta.Role{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: perms})
}

// DeleteRole deletes a custom role and its grants.
func (s *Service) DeleteRole(ctx context.Context, id string) error {
	if _, ok := BuiltinRole(id); ok {
		return inputErrorf("role %q is built in", id)
	}
	return s.st.DeleteRole(ctx, id)
}

// InitAdmin creates the first global administrator, named username, with a
// generated one-time password, unless a global administrator exists.
func (s *Service) InitAdmin(ctx context.Context, username string) (meta.User, string, error) {
	n, err := s.st.CountGrants(ctx, RoleGlobalAdmin)
	if err != nil {
		return meta.User{}, "", err
	}
	if n > 0 {
		return meta.User{}, "", fmt.Errorf("init admin: %w", ErrExists)
	}
	return s.CreateUser(ctx, NewUser{Username: username, DisplayName: "Global administrator",
		Grants: []meta.Grant{{Role: RoleGlobalAdmin, Tenant: AllTenants}}})
}

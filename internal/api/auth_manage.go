package api

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// userJSON is a user as the API returns it (never its password hash).
type userJSON struct {
	ID            string       `json:"id"`
	Username      string       `json:"username"`
	DisplayName   string       `json:"displayName"`
	DefaultTenant string       `json:"defaultTenant"`
	Disabled      bool         `json:"disabled"`
	Locked        bool         `json:"locked"`
	LastLogin     *time.Time   `json:"lastLogin,omitempty"`
	CreatedAt     time.Time    `json:"createdAt"`
	Roles         []meta.Grant `json:"roles"`
	Password      string       `json:"password,omitempty"` // only when generated at creation
}

func optTimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) userOut(r *http.Request, u meta.User) (userJSON, error) {
	gs, err := s.d.Auth.Store().Grants(r.Context(), u.ID)
	if gs == nil {
		gs = []meta.Grant{}
	}
	return userJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, DefaultTenant: u.DefaultTenant,
		Disabled: u.Disabled, Locked: time.Now().Before(u.LockedUntil), LastLogin: optTimePtr(u.LastLogin),
		CreatedAt: u.CreatedAt, Roles: gs}, err
}

// checkGrantable refuses grants the caller could not hold itself: every grant
// needs users:manage in its tenant ("*" needs it in every tenant) and may
// give only permissions the caller holds there, so no one escalates.
func (s *Server) checkGrantable(r *http.Request, p Principal, gs []meta.Grant) error {
	if p.Admin {
		return nil
	}
	roles, err := s.d.Auth.Roles(r.Context())
	if err != nil {
		return err
	}
	byID := map[string]auth.Role{}
	for _, ro := range roles {
		byID[ro.ID] = ro
	}
	for _, g := range gs {
		if !p.Can(auth.UsersManage, g.Tenant) {
			return &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "granting in tenant " + quote(g.Tenant) + " needs users:manage there"}
		}
		for _, perm := range byID[g.Role].Permissions {
			if !p.Can(perm, g.Tenant) {
				return &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "role " + quote(g.Role) + " gives " + string(perm) + ", which you do not hold in " + quote(g.Tenant)}
			}
			if !withinDeviceGroups(p, perm, g) {
				return &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "role " + quote(g.Role) + " gives " + string(perm) + " beyond your device groups in " + quote(g.Tenant)}
			}
		}
	}
	return nil
}

// withinDeviceGroups reports whether g gives perm only on devices p reaches
// with it: a principal scoped to device groups grants only within them.
func withinDeviceGroups(p Principal, perm auth.Permission, g meta.Grant) bool {
	mine, all := p.DeviceGroups(perm, g.Tenant)
	if all {
		return true
	}
	if len(g.DeviceGroups) == 0 {
		return false
	}
	for _, dg := range g.DeviceGroups {
		if !slices.Contains(mine, dg) {
			return false
		}
	}
	return true
}

// canManage reports whether p may see and change a user or key whose
// default tenant is tenant and whose grants are gs: p needs users:manage in
// each of those tenants ("*" grants need it in every tenant), so a tenant
// administrator cannot touch an account with power elsewhere.
func canManage(p Principal, tenant string, gs []meta.Grant) bool {
	if !p.Can(auth.UsersManage, tenant) {
		return false
	}
	for _, g := range gs {
		if !p.Can(auth.UsersManage, g.Tenant) {
			return false
		}
	}
	return true
}

var errNotManageable = &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "the account holds roles in tenants you do not manage"}

// listUsers is GET /api/v1/users: the users the caller may manage.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	us, err := s.d.Auth.Store().Users(r.Context())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := make([]userJSON, 0, len(us))
	for _, u := range us {
		uj, err := s.userOut(r, u)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		if canManage(p, uj.DefaultTenant, uj.Roles) {
			out = append(out, uj)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// getUser is GET /api/v1/users/{id}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	uj, err := s.manageableUser(r, r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, uj)
}

// manageableUser returns user id if the caller may manage it.
func (s *Server) manageableUser(r *http.Request, id string) (userJSON, error) {
	p, _ := PrincipalFrom(r.Context())
	u, err := s.d.Auth.Store().User(r.Context(), id)
	if err != nil {
		return userJSON{}, err
	}
	uj, err := s.userOut(r, u)
	if err != nil {
		return userJSON{}, err
	}
	if !canManage(p, uj.DefaultTenant, uj.Roles) {
		return userJSON{}, errNotManageable
	}
	return uj, nil
}

// createUser is POST /api/v1/users {username, displayName, password,
// defaultTenant, roles: [{role, tenant}]}; without a password one is
// generated and returned once.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var req struct {
		Username      string       `json:"username"`
		DisplayName   string       `json:"displayName"`
		Password      string       `json:"password"`
		DefaultTenant string       `json:"defaultTenant"`
		Roles         []meta.Grant `json:"roles"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if req.DefaultTenant == "" {
		req.DefaultTenant = p.Tenant
	}
	if err := s.checkGrantable(r, p, req.Roles); err != nil || !p.Can(auth.UsersManage, req.DefaultTenant) {
		writeError(w, s.d.Log, cmp.Or(err, error(errNotManageable)))
		return
	}
	u, pw, err := s.d.Auth.CreateUser(r.Context(), auth.NewUser{Username: req.Username, DisplayName: req.DisplayName,
		Password: req.Password, DefaultTenant: req.DefaultTenant, Grants: req.Roles})
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	uj, err := s.userOut(r, u)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if req.Password == "" {
		uj.Password = pw
	}
	writeJSON(w, http.StatusCreated, uj)
}

// patchUser is PATCH /api/v1/users/{id} {displayName, password, disabled,
// roles}: roles replaces every grant.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	id := r.PathValue("id")
	var req struct {
		DisplayName   *string       `json:"displayName"`
		DefaultTenant *string       `json:"defaultTenant"`
		Password      *string       `json:"password"`
		Disabled      *bool         `json:"disabled"`
		Roles         *[]meta.Grant `json:"roles"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if err := s.applyUserPatch(r, p, id, req.DisplayName, req.DefaultTenant, req.Password, req.Disabled, req.Roles); err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	s.getUser(w, r)
}

func (s *Server) applyUserPatch(r *http.Request, p Principal, id string, display, tenant, password *string, disabled *bool, roles *[]meta.Grant) error {
	ctx := r.Context()
	if _, err := s.manageableUser(r, id); err != nil {
		return err
	}
	if tenant != nil && !p.Can(auth.UsersManage, *tenant) {
		return errNotManageable
	}
	if roles != nil {
		if err := s.checkGrantable(r, p, *roles); err != nil {
			return err
		}
		if err := s.d.Auth.SetGrants(ctx, id, *roles); err != nil {
			return err
		}
	}
	if display != nil || tenant != nil {
		if _, err := s.d.Auth.Store().UpdateUser(ctx, id, meta.UserUpdate{DisplayName: display, DefaultTenant: tenant}); err != nil {
			return err
		}
	}
	if password != nil {
		if err := s.d.Auth.SetPassword(ctx, id, *password); err != nil {
			return err
		}
	}
	if disabled != nil {
		if _, err := s.d.Auth.SetDisabled(ctx, id, *disabled); err != nil {
			return err
		}
	}
	return nil
}

// apiKeyJSON is an API key as the API returns it; Key only at creation.
type apiKeyJSON struct {
	ID            string       `json:"id"`
	Name          string       `json:"name"`
	Prefix        string       `json:"prefix"`
	DefaultTenant string       `json:"defaultTenant"`
	CreatedBy     string       `json:"createdBy"`
	CreatedAt     time.Time    `json:"createdAt"`
	ExpiresAt     *time.Time   `json:"expiresAt,omitempty"`
	RevokedAt     *time.Time   `json:"revokedAt,omitempty"`
	LastUsedAt    *time.Time   `json:"lastUsedAt,omitempty"`
	Roles         []meta.Grant `json:"roles"`
	Key           string       `json:"key,omitempty"`
}

func (s *Server) keyOut(r *http.Request, k meta.APIKey) (apiKeyJSON, error) {
	gs, err := s.d.Auth.Store().Grants(r.Context(), k.ID)
	if gs == nil {
		gs = []meta.Grant{}
	}
	return apiKeyJSON{ID: k.ID, Name: k.Name, Prefix: k.Prefix, DefaultTenant: k.DefaultTenant, CreatedBy: k.CreatedBy,
		CreatedAt: k.CreatedAt, ExpiresAt: optTimePtr(k.ExpiresAt), RevokedAt: optTimePtr(k.RevokedAt),
		LastUsedAt: optTimePtr(k.LastUsedAt), Roles: gs}, err
}

// listAPIKeys is GET /api/v1/apiKeys: the keys the caller may manage.
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	ks, err := s.d.Auth.Store().APIKeys(r.Context())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := make([]apiKeyJSON, 0, len(ks))
	for _, k := range ks {
		kj, err := s.keyOut(r, k)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		if canManage(p, kj.DefaultTenant, kj.Roles) {
			out = append(out, kj)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// createAPIKey is POST /api/v1/apiKeys {name, defaultTenant, roles,
// expiresAt}; the answer holds the key, shown this once. An ingest token is a
// key whose only role is "ingest".
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var req struct {
		Name          string       `json:"name"`
		DefaultTenant string       `json:"defaultTenant"`
		Roles         []meta.Grant `json:"roles"`
		ExpiresAt     time.Time    `json:"expiresAt"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if err := s.checkGrantable(r, p, req.Roles); err != nil || (req.DefaultTenant != "" && !p.Can(auth.UsersManage, req.DefaultTenant)) {
		writeError(w, s.d.Log, cmp.Or(err, error(errNotManageable)))
		return
	}
	k, secret, err := s.d.Auth.CreateAPIKey(r.Context(), auth.NewKey{Name: req.Name, DefaultTenant: req.DefaultTenant,
		Grants: req.Roles, ExpiresAt: req.ExpiresAt, CreatedBy: p.Name})
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	kj, err := s.keyOut(r, k)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	kj.Key = secret
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, kj)
}

// revokeAPIKey is DELETE /api/v1/apiKeys/{id}.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	id := r.PathValue("id")
	gs, err := s.d.Auth.Store().Grants(r.Context(), id)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if !canManage(p, p.Tenant, gs) {
		writeError(w, s.d.Log, errNotManageable)
		return
	}
	if err := s.d.Auth.Store().RevokeAPIKey(r.Context(), id); err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listRoles is GET /api/v1/roles: built-in and custom roles with their
// permissions, and every permission there is.
func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) {
	rs, err := s.d.Auth.Roles(r.Context())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": rs, "permissions": auth.Permissions()})
}

// putRole is PUT /api/v1/roles/{id} {name, description, permissions}.
func (s *Server) putRole(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var req struct {
		Name        string            `json:"name"`
		Description string            `json:"description"`
		Permissions []auth.Permission `json:"permissions"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	for _, perm := range req.Permissions {
		if !p.Can(perm, auth.AllTenants) {
			writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "a role may only hold permissions you hold in every tenant"})
			return
		}
	}
	role := auth.Role{ID: r.PathValue("id"), Name: req.Name, Description: req.Description, Permissions: req.Permissions}
	if err := s.d.Auth.PutRole(r.Context(), role); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, role)
}

// deleteRole is DELETE /api/v1/roles/{id}.
func (s *Server) deleteRole(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Auth.DeleteRole(r.Context(), r.PathValue("id")); err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listTenants is GET /api/v1/tenants: the tenants the caller is granted.
func (s *Server) listTenants(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	ts, err := s.d.Auth.Store().Tenants(r.Context())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	type tenantJSON struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		CreatedAt time.Time `json:"createdAt"`
	}
	out := []tenantJSON{}
	for _, t := range ts {
		if p.Admin || len(p.access.In(t.ID)) > 0 {
			out = append(out, tenantJSON{t.ID, t.Name, t.CreatedAt})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// createTenant is POST /api/v1/tenants {id, name}; creating one that exists
// is a no-op. Only principals with users:manage in every tenant may.
func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var req struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if !p.Can(auth.UsersManage, auth.AllTenants) {
		writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "creating tenants needs users:manage in every tenant"})
		return
	}
	if !auth.TenantIDValid(req.ID) {
		writeError(w, s.d.Log, badRequest("id: 1 to 64 letters, digits, '_' or '-'"))
		return
	}
	if req.Name == "" {
		req.Name = req.ID
	}
	if err := s.d.Auth.Store().EnsureTenant(r.Context(), req.ID, req.Name); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": req.ID, "name": req.Name})
}

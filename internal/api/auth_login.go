package api

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// maxAuthBody caps the bodies of the sign-in and management endpoints.
const maxAuthBody = 64 << 10

// AuthOptions are the session cookie's settings.
type AuthOptions struct {
	SessionTTL time.Duration // the cookie's Max-Age
	// SecureCookie marks the cookie Secure even on plain HTTP (behind a
	// TLS-terminating proxy); it is always Secure on TLS connections.
	SecureCookie bool
}

// meJSON is the answer of login and me: who is signed in, their grants and
// tenants, and the token to send in X-CSRF-Token with unsafe requests.
type meJSON struct {
	User struct {
		ID            string `json:"id"`
		Username      string `json:"username"`
		DisplayName   string `json:"displayName,omitempty"`
		Kind          string `json:"kind"`
		DefaultTenant string `json:"defaultTenant"`
	} `json:"user"`
	Roles       []meta.Grant      `json:"roles"`
	Tenants     []string          `json:"tenants"`
	Permissions []auth.Permission `json:"permissions"`
	CSRFToken   string            `json:"csrfToken,omitempty"`
}

func (s *Server) authRoutes(mux *http.ServeMux) {
	if s.d.Auth == nil {
		return
	}
	a := s.authenticate
	mux.HandleFunc("POST /api/v1/auth/login", s.login)
	s.oidcRoutes(mux)
	mux.Handle("POST /api/v1/auth/logout", a(http.HandlerFunc(s.logout)))
	mux.Handle("GET /api/v1/auth/me", a(http.HandlerFunc(s.me)))
	mux.Handle("GET /api/v1/users", a(http.HandlerFunc(s.listUsers)))
	mux.Handle("POST /api/v1/users", a(http.HandlerFunc(s.createUser)))
	mux.Handle("GET /api/v1/users/{id}", a(http.HandlerFunc(s.getUser)))
	mux.Handle("PATCH /api/v1/users/{id}", a(http.HandlerFunc(s.patchUser)))
	mux.Handle("GET /api/v1/apiKeys", a(http.HandlerFunc(s.listAPIKeys)))
	mux.Handle("POST /api/v1/apiKeys", a(http.HandlerFunc(s.createAPIKey)))
	mux.Handle("DELETE /api/v1/apiKeys/{id}", a(http.HandlerFunc(s.revokeAPIKey)))
	mux.Handle("GET /api/v1/roles", a(http.HandlerFunc(s.listRoles)))
	mux.Handle("PUT /api/v1/roles/{id}", a(http.HandlerFunc(s.putRole)))
	mux.Handle("DELETE /api/v1/roles/{id}", a(http.HandlerFunc(s.deleteRole)))
	mux.Handle("GET /api/v1/tenants", a(http.HandlerFunc(s.listTenants)))
	mux.Handle("POST /api/v1/tenants", a(http.HandlerFunc(s.createTenant)))
	mux.Handle("GET /api/v1/audit", a(http.HandlerFunc(s.listAudit)))
	mux.Handle("GET /api/v1/audit/verify", a(http.HandlerFunc(s.verifyAudit)))
}

// decodeJSON reads a JSON body of at most maxAuthBody bytes into v, refusing
// unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAuthBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, ok := err.(*http.MaxBytesError); ok { //nolint:errorlint // returned unwrapped by the decoder
			return err
		}
		return badRequest("invalid JSON body: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF { //nolint:errorlint // io.EOF is returned unwrapped
		return badRequest("invalid JSON body: data after the object")
	}
	return nil
}

// login is POST /api/v1/auth/login {"username", "password"}: it sets the
// session cookie and answers like me, with the CSRF token.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if req.Username == "" || req.Password == "" {
		writeError(w, s.d.Log, badRequest("username and password are required"))
		return
	}
	id, token, err := s.d.Auth.Login(r.Context(), req.Username, req.Password, sourceOf(r))
	if err != nil {
		writeError(w, s.d.Log, authError(err))
		return
	}
	http.SetCookie(w, s.sessionCookie(r, token, int(s.opts.Auth.SessionTTL.Seconds())))
	p := principalOf(id)
	p.session = token
	p, _ = actIn(p, r)
	s.writeMe(w, r, p)
}

// sessionCookie is the session cookie: HttpOnly, SameSite=Strict, and Secure
// on TLS connections or when configured (behind a TLS-terminating proxy).
func (s *Server) sessionCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true, //nolint:gosec // Secure follows the connection, see above
		Secure: r.TLS != nil || s.opts.Auth.SecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: maxAge}
}

// logout is POST /api/v1/auth/logout: it ends the session and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	if p.session != "" {
		if err := s.d.Auth.Logout(r.Context(), p.session); err != nil {
			writeError(w, s.d.Log, err)
			return
		}
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// me is GET /api/v1/auth/me.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	s.writeMe(w, r, p)
}

func (s *Server) writeMe(w http.ResponseWriter, r *http.Request, p Principal) {
	var out meJSON
	out.User.ID, out.User.Username, out.User.Kind, out.User.DefaultTenant = p.ID, p.Name, p.Kind, p.Tenant
	out.Tenants, out.Permissions, out.Roles = p.Tenants, p.Permissions.List(), []meta.Grant{}
	if p.Kind == auth.KindUser || p.Kind == auth.KindAPIKey {
		if p.Kind == auth.KindUser {
			if u, err := s.d.Auth.Store().User(r.Context(), p.ID); err == nil {
				out.User.DisplayName, out.User.DefaultTenant = u.DisplayName, u.DefaultTenant
			}
		}
		gs, err := s.d.Auth.Store().Grants(r.Context(), p.ID)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		out.Roles = append(out.Roles, gs...)
	} else if p.Admin {
		out.Roles = append(out.Roles, meta.Grant{Role: auth.RoleGlobalAdmin, Tenant: auth.AllTenants})
	}
	if out.Tenants == nil {
		out.Tenants = []string{}
	}
	if p.session != "" {
		out.CSRFToken = auth.CSRFToken(p.session)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

package api

import (
	"net/http"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
)

// oidcCookie holds a single sign-on flow (state, nonce, PKCE verifier)
// between the redirect to the provider and its callback.
const oidcCookie = "vigil_oidc"

func (s *Server) oidcRoutes(mux *http.ServeMux) {
	if s.d.Auth == nil || s.d.Auth.OIDC() == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/auth/oidc/login", s.oidcLogin)
	mux.HandleFunc("GET /api/v1/auth/oidc/callback", s.oidcCallback)
}

// oidcLogin is GET /api/v1/auth/oidc/login: it redirects to the provider.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) {
	u, f, err := s.d.Auth.OIDC().Start(r.Context())
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	// SameSite=Lax: the callback is a top-level navigation from the provider's site.
	flow := &http.Cookie{Name: oidcCookie, Value: f.State + "." + f.Nonce + "." + f.Verifier, Path: "/api/v1/auth/oidc/", //nolint:gosec // Secure follows the connection
		HttpOnly: true, Secure: r.TLS != nil || s.opts.Auth.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: 600}
	http.SetCookie(w, flow)
	http.Redirect(w, r, u, http.StatusFound)
}

// oidcCallback is GET /api/v1/auth/oidc/callback?code=&state=: it finishes
// the sign-in, sets the session cookie and redirects to the portal.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	var f auth.OIDCFlow
	if c, err := r.Cookie(oidcCookie); err == nil {
		parts := strings.Split(c.Value, ".")
		if len(parts) == 3 {
			f = auth.OIDCFlow{State: parts[0], Nonce: parts[1], Verifier: parts[2]}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/api/v1/auth/oidc/", HttpOnly: true, MaxAge: -1, //nolint:gosec // a deletion
		Secure: r.TLS != nil || s.opts.Auth.SecureCookie, SameSite: http.SameSiteLaxMode})
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		writeError(w, s.d.Log, &Error{Status: http.StatusUnauthorized, Code: "ssoFailed", Msg: "the identity provider refused the sign-in: " + quote(e)})
		return
	}
	_, token, err := s.d.Auth.OIDC().Finish(r.Context(), f, q.Get("state"), q.Get("code"), sourceOf(r))
	if err != nil {
		writeError(w, s.d.Log, authError(err))
		return
	}
	http.SetCookie(w, s.sessionCookie(r, token, int(s.opts.Auth.SessionTTL.Seconds())))
	http.Redirect(w, r, "/", http.StatusFound)
}

package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
)

// SessionCookie is the name of the portal's session cookie.
const SessionCookie = "vigil_session"

// Headers of the API's trust model.
const (
	headerTenant = "X-Vigil-Tenant"
	headerCSRF   = "X-CSRF-Token"
)

var (
	errUnauthenticated = &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Msg: "missing or unknown API key (send Authorization: Bearer KEY) or session (sign in)"}
	errCSRF            = &Error{Status: http.StatusForbidden, Code: "csrfFailed", Msg: "missing or wrong " + headerCSRF + " header for a signed-in request"}
)

// identify returns the principal of r's credentials: a bearer key from the
// key ring or the state store, or else the session cookie. ok is false when
// r carries no credentials at all.
func (s *Server) identify(r *http.Request, key string) (p Principal, present bool, err error) {
	if key != "" {
		if p, ok := s.d.Keys.Lookup(key); ok {
			return p, true, nil
		}
		if s.d.Auth == nil {
			return Principal{}, true, errUnauthenticated
		}
		id, err := s.d.Auth.APIKey(r.Context(), key)
		if err != nil {
			return Principal{}, true, authError(err)
		}
		return principalOf(id), true, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || s.d.Auth == nil {
		return Principal{}, false, errUnauthenticated
	}
	id, err := s.d.Auth.Session(r.Context(), c.Value)
	if err != nil {
		return Principal{}, true, authError(err)
	}
	p = principalOf(id)
	p.session = c.Value
	if !safeMethod(r.Method) && subtle.ConstantTimeCompare([]byte(r.Header.Get(headerCSRF)), []byte(auth.CSRFToken(c.Value))) != 1 {
		return Principal{}, true, errCSRF
	}
	return p, true, nil
}

// authError keeps the service's reasons out of answers: a bad key or session
// is one error whatever the cause.
func authError(err error) error {
	if errors.Is(err, auth.ErrBadCredentials) {
		return errUnauthenticated
	}
	return err
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// principalOf turns an authenticated identity into a principal acting in its
// default tenant.
func principalOf(id auth.Identity) Principal {
	return Principal{Name: id.Name, ID: id.ID, Kind: id.Kind, Tenant: id.DefaultTenant, Tenants: id.Access.Tenants(),
		Admin: id.Access.GlobalAdmin(), access: id.Access}
}

// actIn sets the tenant r acts in: the X-Vigil-Tenant header or the tenant
// parameter when given (it must be granted), else the default tenant, else
// the principal's only granted tenant.
func actIn(p Principal, r *http.Request) (Principal, error) {
	want := r.Header.Get(headerTenant)
	if want == "" {
		want = r.URL.Query().Get("tenant")
	}
	if first, _, several := strings.Cut(want, ","); several {
		want = strings.TrimSpace(first) // several tenants: a query across them (queryTenants)
	} else if want == auth.AllTenants {
		want = ""
	}
	granted := func(t string) bool { return p.Admin || len(p.access.In(t)) > 0 }
	switch {
	case want != "":
		if !auth.TenantIDValid(want) || !granted(want) {
			return p, &Error{Status: http.StatusForbidden, Code: "tenantForbidden", Msg: "tenant " + quote(want) + " is not granted to " + p.Name}
		}
		p.Tenant = want
	case !granted(p.Tenant):
		if len(p.Tenants) == 1 && p.Tenants[0] != auth.AllTenants {
			p.Tenant = p.Tenants[0]
		}
	}
	p.Permissions = p.access.In(p.Tenant)
	if p.Admin {
		p.Permissions = auth.NewPermSet(auth.Permissions()...)
	}
	return p, nil
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return "'" + s + "'"
}

// sourceOf returns the client's address (the TCP peer: forwarded headers are
// not trusted).
func sourceOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate admits requests with a valid bearer key or session (with the
// CSRF header for unsafe methods), resolves the tenant they act in, checks
// the route's permission, and audits unsafe requests.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _, err := s.identify(r, bearer(r))
		if err == nil {
			p, err = actIn(p, r)
		}
		if err == nil {
			err = s.authorize(p, r)
		}
		if err != nil {
			if errors.Is(err, errUnauthenticated) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
			}
			s.auditDenied(r, p, err)
			writeError(w, s.d.Log, err)
			return
		}
		s.serveAudited(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), p, next)
	})
}

// keyAuth admits requests carrying a known key in any form credential accepts
// and holding the route's permission; fail answers the others in the
// protocol's own shape (missing says whether there was no key at all).
func (s *Server) keyAuth(fail func(w http.ResponseWriter, missing bool), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := credential(r)
		if key == "" {
			fail(w, true)
			return
		}
		p, _, err := s.identify(r, key)
		if err == nil {
			p, err = actIn(p, r)
		}
		if err == nil {
			err = s.authorize(p, r)
		}
		if err != nil {
			s.auditDenied(r, p, err)
			fail(w, false)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// queryTenants returns the tenants a hunting query of p reads: the request
// tenant, or, when X-Vigil-Tenant lists several (comma-separated) or is "*",
// each of them that p may hunt in.
func (s *Server) queryTenants(ctx context.Context, p Principal, r *http.Request) ([]string, error) {
	h := r.Header.Get(headerTenant)
	if !strings.Contains(h, ",") && h != auth.AllTenants {
		return []string{p.Tenant}, nil
	}
	var names []string
	if h == auth.AllTenants {
		if s.d.Auth == nil {
			return []string{p.Tenant}, nil
		}
		ts, err := s.d.Auth.Store().Tenants(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if p.Can(auth.HuntingRun, t.ID) {
				names = append(names, t.ID)
			}
		}
		return names, nil
	}
	for t := range strings.SplitSeq(h, ",") {
		t = strings.TrimSpace(t)
		if !auth.TenantIDValid(t) || !p.Can(auth.HuntingRun, t) {
			return nil, &Error{Status: http.StatusForbidden, Code: "tenantForbidden", Msg: "tenant " + quote(t) + " is not granted to " + p.Name}
		}
		names = append(names, t)
	}
	return names, nil
}

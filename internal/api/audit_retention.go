package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
)

func (s *Server) auditRoutes(mux *http.ServeMux) {
	if s.d.Auth == nil {
		return
	}
	mux.Handle("GET /api/v1/audit/retention", s.authenticate(http.HandlerFunc(s.getAuditRetention)))
	mux.Handle("PUT /api/v1/audit/retention", s.authenticate(http.HandlerFunc(s.putAuditRetention)))
}

// auditRetentionJSON is a tenant's audit retention as the API shows it.
type auditRetentionJSON struct {
	Tenant    string `json:"tenant"`
	Retention string `json:"retention"` // a Go duration, e.g. 8760h0m0s
	Days      int64  `json:"days"`
	Default   string `json:"default"`   // the server's default (auth.audit.retention)
	Inherited bool   `json:"inherited"` // the tenant has no retention of its own
}

// getAuditRetention is GET /api/v1/audit/retention: how long the request
// tenant's audit records are kept.
func (s *Server) getAuditRetention(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	d, own, err := s.d.Auth.AuditRetention(r.Context(), p.Tenant)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, auditRetentionJSON{Tenant: p.Tenant, Retention: d.String(), Days: int64(d / (24 * time.Hour)),
		Default: s.d.Auth.DefaultAuditRetention().String(), Inherited: !own})
}

// putAuditRetention is PUT /api/v1/audit/retention {"retention": "90d"}:
// the request tenant's own retention (a Go duration or a number of days; ""
// returns to the default), from 24h to 100 years. Records older than it are
// pruned at the next prune.
func (s *Server) putAuditRetention(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var req struct {
		Retention string `json:"retention"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	d, err := parseRetention(req.Retention)
	if err == nil {
		err = s.d.Auth.SetAuditRetention(r.Context(), p.Tenant, d)
	}
	if errors.Is(err, auth.ErrRetention) || errors.Is(err, errRetentionSyntax) {
		err = badRequest("retention: %v", err)
	}
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	s.getAuditRetention(w, r)
}

var errRetentionSyntax = errors.New(`want a duration such as "2160h" or a number of days such as "90d"`)

// parseRetention reads "90d" or a Go duration; "" is 0 (the default).
func parseRetention(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n <= 0 || n > 100*366 {
			return 0, errRetentionSyntax
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errRetentionSyntax
	}
	return d, nil
}

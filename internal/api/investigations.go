package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/respond/investigate"
)

// Investigations serves automated investigations (investigate.Reader).
type Investigations interface {
	List(ctx context.Context, tenant string, f investigate.Filter) ([]investigate.View, error)
	Get(ctx context.Context, tenant, id string) (investigate.View, error)
}

const investigationsPath = "/api/v1/security/investigations"

func (s *Server) investigationRoutes(mux *http.ServeMux) {
	mux.Handle("GET "+investigationsPath, s.authenticate(http.HandlerFunc(s.listInvestigations)))
	mux.Handle("GET "+investigationsPath+"/{id}", s.authenticate(http.HandlerFunc(s.getInvestigation)))
}

// listInvestigations is GET .../investigations?incidentId=&alertId=a,b&$top=, newest first.
func (s *Server) listInvestigations(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	top, _, err := pageParams(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	q := r.URL.Query()
	f := investigate.Filter{Top: top}
	if v := q.Get("incidentId"); v != "" {
		if f.IncidentID, err = strconv.ParseInt(v, 10, 64); err != nil || f.IncidentID <= 0 {
			writeError(w, s.d.Log, badRequest("incidentId must be a positive integer, not %q", v))
			return
		}
	}
	if v := q.Get("alertId"); v != "" {
		f.AlertIDs = strings.Split(v, ",")
	}
	views, err := s.d.Investigations.List(r.Context(), tenant, f)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": views})
}

func (s *Server) getInvestigation(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	v, err := s.d.Investigations.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

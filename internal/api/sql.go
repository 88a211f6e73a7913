package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// sql is POST /api/v1/admin/sql {"query": "SELECT ..."}: one read-only statement in the event
// store's own dialect, for administrators, until KQL hunting lands.
func (s *Server) sql(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var req struct {
		Query   string `json:"query"`
		MaxRows int    `json:"maxRows"`
	}
	if err := json.Unmarshal(body, &req); err != nil || strings.TrimSpace(req.Query) == "" {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "badRequest", Msg: `want {"query": "SELECT ..."}`})
		return
	}
	limit := s.opts.MaxQueryRows
	if req.MaxRows > 0 && req.MaxRows < limit {
		limit = req.MaxRows
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := s.d.Store.Query(ctx, req.Query, limit)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

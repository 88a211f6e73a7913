package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// Decoys is the state the deception decoy API serves from (*meta.Store).
type Decoys interface {
	Decoys(ctx context.Context, tenant string) ([]meta.Decoy, error)
	Decoy(ctx context.Context, tenant string, id int64) (meta.Decoy, error)
	CreateDecoy(ctx context.Context, d meta.Decoy) (meta.Decoy, error)
	DeleteDecoy(ctx context.Context, tenant string, id int64) error
}

func (s *Server) decoyRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET /api/v1/deception/decoys", auth(http.HandlerFunc(s.listDecoys)))
	mux.Handle("POST /api/v1/deception/decoys", auth(http.HandlerFunc(s.createDecoy)))
	mux.Handle("GET /api/v1/deception/decoys/{id}", auth(http.HandlerFunc(s.getDecoy)))
	mux.Handle("DELETE /api/v1/deception/decoys/{id}", auth(http.HandlerFunc(s.deleteDecoy)))
}

// decoyJSON is a decoy as the API shows it.
type decoyJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Value       string    `json:"value"`
	Description string    `json:"description"`
	Enabled     bool      `json:"enabled"`
	CreatedBy   string    `json:"createdBy"`
	CreatedAt   time.Time `json:"createdDateTime"`
}

func toDecoyJSON(d meta.Decoy) decoyJSON {
	return decoyJSON{ID: strconv.FormatInt(d.ID, 10), Kind: d.Kind, Value: d.Value, Description: d.Description,
		Enabled: d.Enabled, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt}
}

// listDecoys is GET /api/v1/deception/decoys: the tenant's decoys, oldest first.
func (s *Server) listDecoys(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	ds, err := s.d.Decoys.Decoys(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := make([]decoyJSON, 0, len(ds))
	for _, d := range ds {
		out = append(out, toDecoyJSON(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// decoyBody is the POST body; unknown fields are errors and enabled defaults to true.
type decoyBody struct {
	Kind        string `json:"kind"`
	Value       string `json:"value"`
	Description string `json:"description"`
	Enabled     *bool  `json:"enabled"`
}

// createDecoy is POST /api/v1/deception/decoys {"kind", "value", "description", "enabled"}.
func (s *Server) createDecoy(w http.ResponseWriter, r *http.Request) {
	b, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var body decoyBody
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		writeError(w, s.d.Log, badRequest("invalid decoy: %v", err))
		return
	}
	tenant, name := tenantOf(r)
	d := meta.Decoy{Tenant: tenant, Kind: body.Kind, Value: body.Value, Description: body.Description, CreatedBy: name, Enabled: true}
	if body.Enabled != nil {
		d.Enabled = *body.Enabled
	}
	d, err = s.d.Decoys.CreateDecoy(r.Context(), d)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	w.Header().Set("Location", "/api/v1/deception/decoys/"+strconv.FormatInt(d.ID, 10))
	writeJSON(w, http.StatusCreated, toDecoyJSON(d))
}

func decoyID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Error{Status: http.StatusNotFound, Code: "notFound", Msg: fmt.Sprintf("decoy %q: not found", r.PathValue("id"))}
	}
	return id, nil
}

// getDecoy is GET /api/v1/deception/decoys/{id}.
func (s *Server) getDecoy(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	id, err := decoyID(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	d, err := s.d.Decoys.Decoy(r.Context(), tenant, id)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, toDecoyJSON(d))
}

// deleteDecoy is DELETE /api/v1/deception/decoys/{id}; it answers 204.
func (s *Server) deleteDecoy(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	id, err := decoyID(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if err := s.d.Decoys.DeleteDecoy(r.Context(), tenant, id); err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

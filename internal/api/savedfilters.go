package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// SavedFilters is the state the saved incident queue filters API serves from (*meta.Store).
type SavedFilters interface {
	SavedFilters(ctx context.Context, tenant, owner string) ([]meta.SavedFilter, error)
	SavedFilter(ctx context.Context, tenant, id string) (meta.SavedFilter, error)
	CreateSavedFilter(ctx context.Context, f meta.SavedFilter) (meta.SavedFilter, error)
	UpdateSavedFilter(ctx context.Context, f meta.SavedFilter) (meta.SavedFilter, error)
	DeleteSavedFilter(ctx context.Context, tenant, id string) error
}

const savedFiltersPath = "/api/v1/security/savedFilters"

func (s *Server) savedFilterRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+savedFiltersPath, auth(http.HandlerFunc(s.listSavedFilters)))
	mux.Handle("POST "+savedFiltersPath, auth(http.HandlerFunc(s.createSavedFilter)))
	mux.Handle("GET "+savedFiltersPath+"/{id}", auth(http.HandlerFunc(s.getSavedFilter)))
	mux.Handle("PUT "+savedFiltersPath+"/{id}", auth(http.HandlerFunc(s.putSavedFilter)))
	mux.Handle("DELETE "+savedFiltersPath+"/{id}", auth(http.HandlerFunc(s.deleteSavedFilter)))
}

// savedFilterJSON is a saved incident queue filter as the API shows and takes it.
type savedFilterJSON struct {
	ID        string    `json:"id,omitempty"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	Shared    bool      `json:"shared"`
	Owner     string    `json:"owner,omitempty"`
	CreatedAt time.Time `json:"createdDateTime,omitzero"`
	UpdatedAt time.Time `json:"lastModifiedDateTime,omitzero"`
	// Mine and CanEdit tell the caller whether it owns the filter and whether it may change
	// or delete it.
	Mine    bool `json:"mine"`
	CanEdit bool `json:"canEdit"`
}

func toSavedFilterJSON(p Principal, f meta.SavedFilter) savedFilterJSON {
	return savedFilterJSON{ID: f.ID, Name: f.Name, Query: f.Query, Shared: f.Shared, Owner: f.Owner,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, Mine: f.Owner == p.Name, CanEdit: mayEditFilter(p, f)}
}

// mayEditFilter: the owner changes its filters; a shared one also whoever may change the
// tenant's settings. Triage rights (incidents:write) are not enough: every analyst has them,
// and a team's shared views should not be renamed or deleted by any one of them.
func mayEditFilter(p Principal, f meta.SavedFilter) bool {
	return f.Owner == p.Name || f.Shared && p.Can(auth.SettingsWrite, f.Tenant)
}

// visibleFilter returns the caller's tenant's filter id when the caller may see it (its own
// or shared); a private filter of someone else is not found.
func (s *Server) visibleFilter(r *http.Request) (Principal, meta.SavedFilter, error) {
	p, _ := PrincipalFrom(r.Context())
	f, err := s.d.SavedFilters.SavedFilter(r.Context(), p.Tenant, r.PathValue("id"))
	if err != nil {
		return p, f, stateError(err)
	}
	if !f.Shared && f.Owner != p.Name {
		return p, f, &Error{Status: http.StatusNotFound, Code: "notFound", Msg: "saved filter " + r.PathValue("id") + ": not found"}
	}
	return p, f, nil
}

// listSavedFilters is GET .../savedFilters: the caller's own and the tenant's shared filters,
// by name.
func (s *Server) listSavedFilters(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	fs, err := s.d.SavedFilters.SavedFilters(r.Context(), p.Tenant, p.Name)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	out := make([]savedFilterJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, toSavedFilterJSON(p, f))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) getSavedFilter(w http.ResponseWriter, r *http.Request) {
	p, f, err := s.visibleFilter(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, toSavedFilterJSON(p, f))
}

// createSavedFilter is POST .../savedFilters {"name", "query", "shared"}: the caller owns the
// new filter.
func (s *Server) createSavedFilter(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	var in savedFilterJSON
	if err := decodeJSON(w, r, &in); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	f := meta.SavedFilter{Tenant: p.Tenant, Name: strings.TrimSpace(in.Name), Query: strings.TrimPrefix(strings.TrimSpace(in.Query), "?"),
		Shared: in.Shared, Owner: p.Name}
	if err := f.Validate(); err != nil {
		writeError(w, s.d.Log, badRequest("saved filter: %v", err))
		return
	}
	f, err := s.d.SavedFilters.CreateSavedFilter(r.Context(), f)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusCreated, toSavedFilterJSON(p, f))
}

// putSavedFilter is PUT .../savedFilters/{id}: the owner, or for a shared filter whoever may
// change settings, replaces its name, query and sharing. Only the owner makes a filter
// private again.
func (s *Server) putSavedFilter(w http.ResponseWriter, r *http.Request) {
	p, f, err := s.visibleFilter(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var in savedFilterJSON
	if err := decodeJSON(w, r, &in); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if !mayEditFilter(p, f) || !in.Shared && f.Shared && f.Owner != p.Name {
		writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "saved filter " + f.ID + " belongs to " + f.Owner + "; only its owner or someone with settings:write changes it"})
		return
	}
	f.Name, f.Query, f.Shared = strings.TrimSpace(in.Name), strings.TrimPrefix(strings.TrimSpace(in.Query), "?"), in.Shared
	if err := f.Validate(); err != nil {
		writeError(w, s.d.Log, badRequest("saved filter: %v", err))
		return
	}
	f, err = s.d.SavedFilters.UpdateSavedFilter(r.Context(), f)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, toSavedFilterJSON(p, f))
}

func (s *Server) deleteSavedFilter(w http.ResponseWriter, r *http.Request) {
	p, f, err := s.visibleFilter(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if !mayEditFilter(p, f) {
		writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "saved filter " + f.ID + " belongs to " + f.Owner + "; only its owner or someone with settings:write deletes it"})
		return
	}
	if err := s.d.SavedFilters.DeleteSavedFilter(r.Context(), p.Tenant, f.ID); err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

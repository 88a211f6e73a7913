package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/vigilsec/vigil/internal/detect/tuning"
)

// Tuning is the alert tuning service the tuning API serves (*tuning.Service).
type Tuning interface {
	List(ctx context.Context, tenant string) ([]tuning.Entry, error)
	Get(ctx context.Context, tenant, id string) (tuning.Entry, error)
	Put(ctx context.Context, tenant, actor string, r tuning.Rule) (tuning.Entry, error)
	Delete(ctx context.Context, tenant, id string) error
	Preview(ctx context.Context, tenant string, r tuning.Rule) (tuning.Preview, error)
}

const tuningPath = "/api/v1/security/alertTuningRules"

func (s *Server) tuningRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+tuningPath, auth(http.HandlerFunc(s.listTuning)))
	mux.Handle("POST "+tuningPath, auth(http.HandlerFunc(s.createTuning)))
	mux.Handle("POST "+tuningPath+"/preview", auth(http.HandlerFunc(s.previewTuning)))
	mux.Handle("GET "+tuningPath+"/{id}", auth(http.HandlerFunc(s.getTuning)))
	mux.Handle("PUT "+tuningPath+"/{id}", auth(http.HandlerFunc(s.replaceTuning)))
	mux.Handle("DELETE "+tuningPath+"/{id}", auth(http.HandlerFunc(s.deleteTuning)))
}

func tuningError(err error) error {
	var inv *tuning.InvalidError
	if errors.As(err, &inv) {
		return &Error{Status: http.StatusBadRequest, Code: "invalidTuningRule", Msg: inv.Error()}
	}
	return stateError(err)
}

// tuningBody decodes a tuning rule strictly: an unknown field is an error.
func (s *Server) tuningBody(w http.ResponseWriter, r *http.Request) (tuning.Rule, error) {
	var rule tuning.Rule
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rule); err != nil {
		return rule, badRequest("tuning rule: %v", err)
	}
	return rule, nil
}

func (s *Server) listTuning(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	rules, err := s.d.Tuning.List(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, tuningError(err))
		return
	}
	if rules == nil {
		rules = []tuning.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": rules})
}

func (s *Server) getTuning(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	e, err := s.d.Tuning.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, tuningError(err))
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) createTuning(w http.ResponseWriter, r *http.Request) {
	s.putTuning(w, r, "", http.StatusCreated)
}

func (s *Server) replaceTuning(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	if _, err := s.d.Tuning.Get(r.Context(), tenant, r.PathValue("id")); err != nil {
		writeError(w, s.d.Log, tuningError(err))
		return
	}
	s.putTuning(w, r, r.PathValue("id"), http.StatusOK)
}

func (s *Server) putTuning(w http.ResponseWriter, r *http.Request, id string, status int) {
	tenant, actor := tenantOf(r)
	rule, err := s.tuningBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if id != "" {
		if rule.ID != "" && rule.ID != id {
			writeError(w, s.d.Log, badRequest("the body's id %q differs from the URL's %q", rule.ID, id))
			return
		}
		rule.ID = id
	} else if rule.ID != "" {
		if _, err := s.d.Tuning.Get(r.Context(), tenant, rule.ID); err == nil {
			writeError(w, s.d.Log, &Error{Status: http.StatusConflict, Code: "conflict", Msg: "tuning rule " + rule.ID + " exists; PUT it to change it"})
			return
		}
	}
	e, err := s.d.Tuning.Put(r.Context(), tenant, actor, rule)
	if err != nil {
		writeError(w, s.d.Log, tuningError(err))
		return
	}
	writeJSON(w, status, e)
}

func (s *Server) deleteTuning(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	if err := s.d.Tuning.Delete(r.Context(), tenant, r.PathValue("id")); err != nil {
		writeError(w, s.d.Log, tuningError(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// previewTuning is POST .../preview with a tuning rule: the alerts of the past 30 days it
// would have matched, storing nothing.
func (s *Server) previewTuning(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	rule, err := s.tuningBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	p, err := s.d.Tuning.Preview(r.Context(), tenant, rule)
	if err != nil {
		writeError(w, s.d.Log, tuningError(err))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/automation"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// Automation keeps the automation rules the API serves (*automation.Service).
type Automation interface {
	List(ctx context.Context, tenant string) ([]*automation.Rule, error)
	Get(ctx context.Context, tenant, id string) (*automation.Rule, error)
	Create(ctx context.Context, tenant, file string, src []byte, actor respond.Actor) (*automation.Rule, error)
	Update(ctx context.Context, tenant, id string, patch []byte, actor respond.Actor) (*automation.Rule, error)
	Delete(ctx context.Context, tenant, id string, actor respond.Actor) error
}

const automationRulesPath = "/api/v1/security/automationRules"

func (s *Server) automationRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+automationRulesPath, auth(http.HandlerFunc(s.listAutomationRules)))
	mux.Handle("POST "+automationRulesPath, auth(http.HandlerFunc(s.createAutomationRule)))
	mux.Handle("GET "+automationRulesPath+"/{id}", auth(http.HandlerFunc(s.getAutomationRule)))
	mux.Handle("PATCH "+automationRulesPath+"/{id}", auth(http.HandlerFunc(s.patchAutomationRule)))
	mux.Handle("DELETE "+automationRulesPath+"/{id}", auth(http.HandlerFunc(s.deleteAutomationRule)))
}

// automationError maps the errors of automation rules and playbooks to API errors: a
// definition that does not validate is 400 with every diagnostic (line:col: reason).
func automationError(err error) error {
	var ds playbook.Diagnostics
	var in *playbook.InputError
	switch {
	case errors.As(err, &ds):
		return &Error{Status: http.StatusBadRequest, Code: "invalidDefinition", Msg: ds.Error()}
	case errors.As(err, &in):
		return &Error{Status: http.StatusBadRequest, Code: "invalidInputs", Msg: in.Error()}
	case errors.Is(err, playbook.ErrNotAllowed):
		return &Error{Status: http.StatusBadRequest, Code: "triggerNotAllowed", Msg: err.Error()}
	case errors.Is(err, playbook.ErrNotWaiting):
		return &Error{Status: http.StatusConflict, Code: "notWaiting", Msg: err.Error()}
	}
	return actionError(err)
}

func (s *Server) listAutomationRules(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	rules, err := s.d.Automation.List(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, automationError(err))
		return
	}
	if rules == nil {
		rules = []*automation.Rule{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": rules})
}

// createAutomationRule is POST .../automationRules with a rule in YAML or JSON.
func (s *Server) createAutomationRule(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	rule, err := s.d.Automation.Create(r.Context(), tenant, "rule", body, actorOf(r))
	s.reply(w, http.StatusCreated, rule, err, automationError)
}

func (s *Server) getAutomationRule(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	rule, err := s.d.Automation.Get(r.Context(), tenant, r.PathValue("id"))
	s.reply(w, http.StatusOK, rule, err, automationError)
}

// patchAutomationRule is PATCH .../automationRules/{id} with the fields to replace.
func (s *Server) patchAutomationRule(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	rule, err := s.d.Automation.Update(r.Context(), tenant, r.PathValue("id"), body, actorOf(r))
	s.reply(w, http.StatusOK, rule, err, automationError)
}

func (s *Server) deleteAutomationRule(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	s.replyNoContent(w, s.d.Automation.Delete(r.Context(), tenant, r.PathValue("id"), actorOf(r)), automationError)
}

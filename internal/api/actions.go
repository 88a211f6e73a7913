package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// Actions is the Action Center the response actions API serves (*respond.Service).
type Actions interface {
	List(ctx context.Context, tenant string, f meta.ActionFilter) ([]respond.Action, error)
	Get(ctx context.Context, tenant, id string) (respond.Action, error)
	Request(ctx context.Context, tenant string, actor respond.Actor, r respond.Request) (respond.Action, error)
	Approve(ctx context.Context, tenant, id string, actor respond.Actor, comment string) (respond.Action, error)
	Reject(ctx context.Context, tenant, id string, actor respond.Actor, comment string) (respond.Action, error)
	Cancel(ctx context.Context, tenant, id string, actor respond.Actor, comment string) (respond.Action, error)
	Undo(ctx context.Context, tenant, id string, actor respond.Actor, reason string) (respond.Action, error)
	Policy(ctx context.Context, tenant string) (respond.Policy, error)
	SetPolicy(ctx context.Context, tenant string, actor respond.Actor, p respond.Policy) (respond.Policy, error)
	SimulatedState(ctx context.Context, tenant string) ([]meta.SimulatedState, error)
}

const (
	actionsPath         = "/api/v1/security/actions"
	automationLevelPath = "/api/v1/security/automationLevel"
)

func (s *Server) actionRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+actionsPath, auth(http.HandlerFunc(s.listActions)))
	mux.Handle("POST "+actionsPath, auth(http.HandlerFunc(s.requestAction)))
	mux.Handle("GET "+actionsPath+"/{id}", auth(http.HandlerFunc(s.getAction)))
	mux.Handle("POST "+actionsPath+"/{id}/approve", auth(s.actionVerb(Actions.Approve)))
	mux.Handle("POST "+actionsPath+"/{id}/reject", auth(s.actionVerb(Actions.Reject)))
	mux.Handle("POST "+actionsPath+"/{id}/cancel", auth(s.actionVerb(Actions.Cancel)))
	mux.Handle("POST "+actionsPath+"/{id}/undo", auth(s.actionVerb(Actions.Undo)))
	mux.Handle("GET "+actionsPath+"/simulatedState", auth(http.HandlerFunc(s.getSimulatedState)))
	mux.Handle("GET "+automationLevelPath, auth(http.HandlerFunc(s.getAutomationLevel)))
	mux.Handle("PUT "+automationLevelPath, auth(http.HandlerFunc(s.putAutomationLevel)))
}

// actionError maps the Action Center's errors to API errors.
func actionError(err error) error {
	var inv *respond.InvalidError
	switch {
	case errors.As(err, &inv):
		return &Error{Status: http.StatusBadRequest, Code: "invalidAction", Msg: inv.Error()}
	case errors.Is(err, respond.ErrFourEyes):
		return &Error{Status: http.StatusForbidden, Code: "fourEyes", Msg: err.Error()}
	case errors.Is(err, respond.ErrAutomationOff):
		return &Error{Status: http.StatusForbidden, Code: "automationOff", Msg: err.Error()}
	case errors.As(err, new(*respond.ScopeError)):
		return &Error{Status: http.StatusForbidden, Code: "deviceOutOfScope", Msg: err.Error()}
	}
	return stateError(err)
}

// actorOf is the request's principal as the Action Center's actor.
func actorOf(r *http.Request) respond.Actor {
	p, _ := PrincipalFrom(r.Context())
	a := respond.Actor{Name: p.Name, Kind: p.Kind}
	if groups, all := p.DeviceGroups(routePermissions()[r.Pattern], p.Tenant); !all {
		a.DeviceGroups = groups // the groups the route's permission reaches
	}
	return a
}

// listActions is GET .../actions?status=&type=&target=&incidentId=&requestorType=&$top=&$skip=,
// newest first. requestorType (user, rule, playbook, investigation, disruption) selects who
// asked: the portal's home page lists what attack disruption contained with it.
func (s *Server) listActions(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	top, skip, err := pageParams(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	q := r.URL.Query()
	f := meta.ActionFilter{Status: q.Get("status"), Type: q.Get("type"), TargetKey: q.Get("target"), RequesterType: q.Get("requestorType"), Top: top, Skip: skip}
	if v := q.Get("incidentId"); v != "" {
		if f.IncidentID, err = strconv.ParseInt(v, 10, 64); err != nil || f.IncidentID <= 0 {
			writeError(w, s.d.Log, badRequest("incidentId must be a positive integer, not %q", v))
			return
		}
	}
	if f.Status != "" && !respond.Status(f.Status).Valid() {
		writeError(w, s.d.Log, badRequest("unknown status %q", f.Status))
		return
	}
	if f.RequesterType != "" && !respond.RequesterType(f.RequesterType).Valid() {
		writeError(w, s.d.Log, badRequest("unknown requestorType %q (want user, rule, playbook, investigation or disruption)", f.RequesterType))
		return
	}
	list, err := s.d.Actions.List(r.Context(), tenant, f)
	var visible func(respond.Action) bool
	if err == nil {
		visible, err = s.actionScope(r.Context(), r)
	}
	if visible != nil { // a page may then hold fewer than $top actions
		list = slices.DeleteFunc(list, func(a respond.Action) bool { return !visible(a) })
	}
	s.reply(w, http.StatusOK, map[string]any{"value": list}, err, actionError)
}

func (s *Server) getAction(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	a, err := s.d.Actions.Get(r.Context(), tenant, r.PathValue("id"))
	var visible func(respond.Action) bool
	if err == nil {
		visible, err = s.actionScope(r.Context(), r)
	}
	if visible != nil && !visible(a) {
		err = fmt.Errorf("action %s: %w", a.ID, meta.ErrNotFound)
	}
	s.reply(w, http.StatusOK, a, err, actionError)
}

// requestAction is POST .../actions {"type", "target", "parameters", "comment", "incidentId"}.
func (s *Server) requestAction(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	var req respond.Request
	if !s.decode(w, r, &req, false) {
		return
	}
	a, err := s.d.Actions.Request(r.Context(), tenant, actorOf(r), req)
	s.reply(w, http.StatusCreated, a, err, actionError)
}

// actionVerbFunc is an Actions method acting on one action with a comment.
type actionVerbFunc func(Actions, context.Context, string, string, respond.Actor, string) (respond.Action, error)

// actionVerb serves POST .../actions/{id}/VERB (approve, reject, cancel, undo) with an
// optional {"comment": "..."} body.
func (s *Server) actionVerb(fn actionVerbFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := tenantOf(r)
		var body struct {
			Comment string `json:"comment"`
		}
		if !s.decode(w, r, &body, true) {
			return
		}
		a, err := fn(s.d.Actions, r.Context(), tenant, r.PathValue("id"), actorOf(r), body.Comment)
		if err != nil {
			writeError(w, s.d.Log, actionError(err))
			return
		}
		status := http.StatusOK
		if a.ID != r.PathValue("id") {
			status = http.StatusCreated // undo made a new action
		}
		writeJSON(w, status, a)
	})
}

// getAutomationLevel is GET .../automationLevel: the response policy {"level", "fourEyes",
// "attackDisruption", "disruptionDryRun", "disruptionExclusions": {"devices", "accounts"}}.
func (s *Server) getAutomationLevel(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	p, err := s.d.Actions.Policy(r.Context(), tenant)
	s.reply(w, http.StatusOK, p, err, actionError)
}

// putAutomationLevel is PUT .../automationLevel {"level": "full|semi|none", "fourEyes": bool,
// "attackDisruption": bool, "disruptionDryRun": bool, "disruptionExclusions": {"devices": [...],
// "accounts": [...]}}; a field left out keeps its value (null exclusions clear them).
// Malformed exclusions are a 400 naming the entry (disruptionExclusions.devices[1]: empty name).
func (s *Server) putAutomationLevel(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	p, err := s.d.Actions.Policy(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, actionError(err))
		return
	}
	if !s.decode(w, r, &p, false) {
		return
	}
	if p, err = s.d.Actions.SetPolicy(r.Context(), tenant, actorOf(r), p); err != nil {
		writeError(w, s.d.Log, actionError(err))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// simulatedStateJSON is one effect of the simulated responder as the API returns it.
type simulatedStateJSON struct {
	Kind      string    `json:"kind"`
	Target    string    `json:"target"`
	ActionID  string    `json:"actionId"`
	UpdatedAt time.Time `json:"lastUpdateDateTimeUtc"`
	Detail    rawJSON   `json:"detail"`
}

// getSimulatedState is GET .../actions/simulatedState: what the simulated responder holds
// as done (isolated devices, disabled accounts, quarantined files, blocked indicators, ...);
// empty when real responders carry actions out.
func (s *Server) getSimulatedState(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	states, err := s.d.Actions.SimulatedState(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, actionError(err))
		return
	}
	out := make([]simulatedStateJSON, len(states))
	for i, st := range states {
		out[i] = simulatedStateJSON{st.Kind, st.TargetKey, st.ActionID, st.UpdatedAt, rawJSON(st.Detail)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/playbook"
)

// Playbooks saves and runs playbooks (*playbook.Runner).
type Playbooks interface {
	List(ctx context.Context, tenant string) ([]*playbook.Playbook, error)
	Get(ctx context.Context, tenant, name string) (*playbook.Playbook, error)
	Save(ctx context.Context, tenant, file string, src []byte, actor respond.Actor) (*playbook.Playbook, error)
	Start(ctx context.Context, tenant string, req playbook.StartRequest) (playbook.Run, error)
	GetRun(ctx context.Context, tenant, id string) (playbook.Run, error)
	Runs(ctx context.Context, tenant, playbook string, top int) ([]playbook.Run, error)
	Approve(ctx context.Context, tenant, runID, stepID string, actor respond.Actor, comment string) (playbook.Run, error)
	Reject(ctx context.Context, tenant, runID, stepID string, actor respond.Actor, comment string) (playbook.Run, error)
}

const (
	playbooksPath    = "/api/v1/security/playbooks"
	playbookRunsPath = "/api/v1/security/playbookRuns"
)

func (s *Server) playbookRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+playbooksPath, auth(http.HandlerFunc(s.listPlaybooks)))
	mux.Handle("POST "+playbooksPath, auth(http.HandlerFunc(s.savePlaybook)))
	mux.Handle("GET "+playbooksPath+"/{id}", auth(http.HandlerFunc(s.getPlaybook)))
	mux.Handle("POST "+playbooksPath+"/{id}/run", auth(http.HandlerFunc(s.runPlaybook)))
	mux.Handle("GET "+playbooksPath+"/{id}/runs", auth(http.HandlerFunc(s.listPlaybookRuns)))
	mux.Handle("GET "+playbookRunsPath, auth(http.HandlerFunc(s.listPlaybookRuns)))
	mux.Handle("GET "+playbookRunsPath+"/{runId}", auth(http.HandlerFunc(s.getPlaybookRun)))
	mux.Handle("POST "+playbookRunsPath+"/{runId}/steps/{stepId}/approve", auth(s.decideStep(Playbooks.Approve)))
	mux.Handle("POST "+playbookRunsPath+"/{runId}/steps/{stepId}/reject", auth(s.decideStep(Playbooks.Reject)))
}

// playbookJSON is a playbook as the API shows it.
type playbookJSON struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Version     int               `json:"version"`
	Builtin     bool              `json:"builtin"`
	Trigger     []string          `json:"trigger"`
	Inputs      []playbookInput   `json:"inputs"`
	Steps       []playbookStepRef `json:"steps"`
	Source      string            `json:"source,omitempty"`
}

type playbookInput struct {
	Name     string `json:"name"`
	Default  any    `json:"default,omitempty"`
	Required bool   `json:"required,omitempty"`
}

type playbookStepRef struct {
	ID     string `json:"id"`
	Action string `json:"action"`
}

// toPlaybookJSON shows p (with its source when source is set); a nil p, which an error comes
// with, is the zero playbookJSON.
func toPlaybookJSON(p *playbook.Playbook, source bool) playbookJSON {
	if p == nil {
		return playbookJSON{}
	}
	out := playbookJSON{Name: p.Name, Description: p.Description, Version: p.Version, Builtin: p.Version == 0,
		Trigger: p.Trigger, Inputs: []playbookInput{}, Steps: []playbookStepRef{}}
	for _, in := range p.Inputs {
		out.Inputs = append(out.Inputs, playbookInput{Name: in.Name, Default: in.Default, Required: in.Required})
	}
	for _, st := range p.Steps {
		out.Steps = append(out.Steps, playbookStepRef{ID: st.ID, Action: st.Action})
	}
	if source {
		out.Source = string(p.Source)
	}
	return out
}

func (s *Server) listPlaybooks(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	ps, err := s.d.Playbooks.List(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, automationError(err))
		return
	}
	out := make([]playbookJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, toPlaybookJSON(p, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// savePlaybook is POST .../playbooks with a playbook in YAML: a new playbook, or a new
// version of the one of that name.
func (s *Server) savePlaybook(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	body, ok := s.body(w, r)
	if !ok {
		return
	}
	p, err := s.d.Playbooks.Save(r.Context(), tenant, "playbook", body, actorOf(r))
	s.reply(w, http.StatusCreated, toPlaybookJSON(p, false), err, automationError)
}

func (s *Server) getPlaybook(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	p, err := s.d.Playbooks.Get(r.Context(), tenant, r.PathValue("id"))
	s.reply(w, http.StatusOK, toPlaybookJSON(p, true), err, automationError)
}

// runPlaybook is POST .../playbooks/{id}/run {"incidentId", "alertId", "inputs"}: a manual
// run, answered 202 with the run as queued.
func (s *Server) runPlaybook(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	var body struct {
		IncidentID int64          `json:"incidentId"`
		AlertID    string         `json:"alertId"`
		Inputs     map[string]any `json:"inputs"`
	}
	if !s.decode(w, r, &body, true) {
		return
	}
	run, err := s.d.Playbooks.Start(r.Context(), tenant, playbook.StartRequest{Playbook: r.PathValue("id"),
		Trigger: playbook.TriggerManual, IncidentID: body.IncidentID, AlertID: body.AlertID, Inputs: body.Inputs, By: actorOf(r)})
	s.reply(w, http.StatusAccepted, run, err, automationError)
}

// listPlaybookRuns is GET .../playbooks/{id}/runs or .../playbookRuns, newest first ($top).
func (s *Server) listPlaybookRuns(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	top := 100
	if v := r.URL.Query().Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1000 {
			writeError(w, s.d.Log, badRequest("$top must be 1 to 1000, not %q", v))
			return
		}
		top = n
	}
	runs, err := s.d.Playbooks.Runs(r.Context(), tenant, r.PathValue("id"), top)
	s.reply(w, http.StatusOK, map[string]any{"value": runs}, err, automationError)
}

func (s *Server) getPlaybookRun(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	run, err := s.d.Playbooks.GetRun(r.Context(), tenant, r.PathValue("runId"))
	s.reply(w, http.StatusOK, run, err, automationError)
}

// decideFunc is Playbooks.Approve or Playbooks.Reject.
type decideFunc func(Playbooks, context.Context, string, string, string, respond.Actor, string) (playbook.Run, error)

// decideStep serves POST .../playbookRuns/{runId}/steps/{stepId}/approve|reject with an
// optional {"comment": "..."}.
func (s *Server) decideStep(fn decideFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := tenantOf(r)
		var body struct {
			Comment string `json:"comment"`
		}
		if !s.decode(w, r, &body, true) {
			return
		}
		run, err := fn(s.d.Playbooks, r.Context(), tenant, r.PathValue("runId"), r.PathValue("stepId"), actorOf(r), body.Comment)
		s.reply(w, http.StatusOK, run, err, automationError)
	})
}

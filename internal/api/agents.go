package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// Agents serves endpoint agent enrollment and management (internal/app wires the state
// store and the bus's agent users behind it).
type Agents interface {
	CreateEnrollmentToken(ctx context.Context, tenant, group, by string, ttl time.Duration) (meta.EnrollmentToken, error)
	// Enroll uses a one-time token and lets the agent's key onto the bus.
	Enroll(ctx context.Context, token string, a meta.Agent) (meta.Agent, error)
	Agents(ctx context.Context, tenant string) ([]meta.Agent, error)
	// RemoveAgent deletes an agent and takes its key off the bus.
	RemoveAgent(ctx context.Context, tenant, deviceID string) error
	// Package returns the investigation package an action collected.
	Package(ctx context.Context, tenant, actionID string) (io.ReadCloser, error)
}

// ErrNoPackage is returned by Agents.Package when an action has no package.
var ErrNoPackage = errors.New("no investigation package for this action")

// maxEnrollmentTTL bounds an enrollment token's lifetime.
const maxEnrollmentTTL = 30 * 24 * time.Hour

func (s *Server) agentRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("POST /api/v1/agents/enrollmentTokens", auth(http.HandlerFunc(s.createEnrollmentToken)))
	mux.HandleFunc("POST /api/v1/agents/enroll", s.enrollAgent) // the one-time token is the credential
	mux.Handle("GET /api/v1/agents", auth(http.HandlerFunc(s.listAgents)))
	mux.Handle("DELETE /api/v1/agents/{id}", auth(http.HandlerFunc(s.removeAgent)))
	mux.Handle("GET /api/v1/agents/packages/{actionId}", auth(http.HandlerFunc(s.getPackage)))
}

// createEnrollmentToken is POST /api/v1/agents/enrollmentTokens {"deviceGroup",
// "expiresInHours"} (default 24): a one-time token for the caller's tenant, shown once.
func (s *Server) createEnrollmentToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DeviceGroup    string  `json:"deviceGroup"`
		ExpiresInHours float64 `json:"expiresInHours"`
	}
	if !s.decode(w, r, &body, false) {
		return
	}
	ttl := 24 * time.Hour
	if body.ExpiresInHours != 0 {
		ttl = time.Duration(body.ExpiresInHours * float64(time.Hour))
	}
	if ttl <= 0 || ttl > maxEnrollmentTTL {
		writeError(w, s.d.Log, badRequest("expiresInHours must be above 0 and at most %d", int(maxEnrollmentTTL.Hours())))
		return
	}
	tenant, name := tenantOf(r)
	t, err := s.d.Agents.CreateEnrollmentToken(r.Context(), tenant, body.DeviceGroup, name, ttl)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": t.Token, "tenantId": t.Tenant, "deviceGroup": t.DeviceGroup,
		"expirationDateTime": t.ExpiresAt})
}

// enrollAgent is POST /api/v1/agents/enroll {"token", "nkey", "hostname", "osPlatform"},
// called by `vigil agent run` with no other credential.
func (s *Server) enrollAgent(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Token    string `json:"token"`
		NKey     string `json:"nkey"`
		Hostname string `json:"hostname"`
		OS       string `json:"osPlatform"`
	}
	if !s.decode(w, r, &body, false) {
		return
	}
	if body.Token == "" || body.NKey == "" || body.Hostname == "" {
		writeError(w, s.d.Log, badRequest("token, nkey and hostname are required"))
		return
	}
	a, err := s.d.Agents.Enroll(r.Context(), body.Token, meta.Agent{DeviceName: body.Hostname, OS: body.OS, NKey: body.NKey})
	if errors.Is(err, meta.ErrEnrollmentToken) {
		err = &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Msg: meta.ErrEnrollmentToken.Error()}
	}
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"tenantId": a.Tenant, "deviceId": a.DeviceID})
}

// listAgents is GET /api/v1/agents: the tenant's enrolled agents.
func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	as, err := s.d.Agents.Agents(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if as == nil {
		as = []meta.Agent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": as})
}

// removeAgent is DELETE /api/v1/agents/{id}: the agent's key is refused from then on.
func (s *Server) removeAgent(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	s.replyNoContent(w, s.d.Agents.RemoveAgent(r.Context(), tenant, r.PathValue("id")), stateError)
}

// getPackage is GET /api/v1/agents/packages/{actionId}: the investigation package (tar.gz)
// a collectInvestigationPackage action collected.
func (s *Server) getPackage(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	id := r.PathValue("actionId")
	rc, err := s.d.Agents.Package(r.Context(), tenant, id)
	if errors.Is(err, ErrNoPackage) {
		err = &Error{Status: http.StatusNotFound, Code: "notFound", Msg: "action " + id + ": " + err.Error()}
	}
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.tar.gz"`)
	_, _ = io.Copy(w, rc)
}

package api

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

const deviceGroupsPath = "/api/v1/security/deviceGroups"

func (s *Server) deviceGroupRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET "+deviceGroupsPath, auth(http.HandlerFunc(s.listDeviceGroups)))
	mux.Handle("POST "+deviceGroupsPath, auth(http.HandlerFunc(s.createDeviceGroup)))
	mux.Handle("GET "+deviceGroupsPath+"/{id}", auth(http.HandlerFunc(s.getDeviceGroup)))
	mux.Handle("PATCH "+deviceGroupsPath+"/{id}", auth(http.HandlerFunc(s.patchDeviceGroup)))
	mux.Handle("DELETE "+deviceGroupsPath+"/{id}", auth(http.HandlerFunc(s.deleteDeviceGroup)))
	mux.Handle("GET "+deviceGroupsPath+"/{id}/devices", auth(http.HandlerFunc(s.deviceGroupDevices)))
}

// deviceGroupJSON is a device group as the API shows it.
type deviceGroupJSON struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Description     string            `json:"description"`
	Rank            int               `json:"rank"`
	AutomationLevel string            `json:"automationLevel,omitempty"`
	Rules           []meta.DeviceRule `json:"rules"`
	CreatedAt       *time.Time        `json:"createdDateTime,omitempty"`
	UpdatedAt       *time.Time        `json:"lastUpdateDateTime,omitempty"`
}

func toDeviceGroupJSON(g meta.DeviceGroup) deviceGroupJSON {
	out := deviceGroupJSON{ID: g.ID, Name: g.Name, Description: g.Description, Rank: g.Rank, AutomationLevel: g.AutomationLevel,
		Rules: g.Rules, CreatedAt: optTimePtr(g.CreatedAt), UpdatedAt: optTimePtr(g.UpdatedAt)}
	if out.Rules == nil {
		out.Rules = []meta.DeviceRule{}
	}
	return out
}

// deviceGroupError maps the state store's device group errors.
func deviceGroupError(err error) error {
	if errors.Is(err, meta.ErrInvalidDeviceGroup) {
		return &Error{Status: http.StatusBadRequest, Code: "invalidDeviceGroup", Msg: err.Error()}
	}
	return stateError(err)
}

// listDeviceGroups is GET .../deviceGroups: the tenant's groups in membership
// order, the ungrouped devices last.
func (s *Server) listDeviceGroups(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	gs, err := s.d.Auth.Store().DeviceGroups(r.Context(), tenant)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := make([]deviceGroupJSON, len(gs))
	for i, g := range gs {
		out[i] = toDeviceGroupJSON(g)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// createDeviceGroup is POST .../deviceGroups {id, name, description, rank, automationLevel, rules}.
func (s *Server) createDeviceGroup(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	var req deviceGroupJSON
	if !s.decode(w, r, &req, false) {
		return
	}
	g, err := s.d.Auth.Store().CreateDeviceGroup(r.Context(), meta.DeviceGroup{Tenant: tenant, ID: req.ID, Name: req.Name,
		Description: req.Description, Rank: req.Rank, AutomationLevel: req.AutomationLevel, Rules: req.Rules})
	s.reply(w, http.StatusCreated, toDeviceGroupJSON(g), err, deviceGroupError)
}

func (s *Server) getDeviceGroup(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	g, err := s.d.Auth.Store().DeviceGroup(r.Context(), tenant, r.PathValue("id"))
	s.reply(w, http.StatusOK, toDeviceGroupJSON(g), err, deviceGroupError)
}

// patchDeviceGroup is PATCH .../deviceGroups/{id} with any of name,
// description, rank, automationLevel, rules.
func (s *Server) patchDeviceGroup(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	id := r.PathValue("id")
	var req struct {
		Name            *string            `json:"name"`
		Description     *string            `json:"description"`
		Rank            *int               `json:"rank"`
		AutomationLevel *string            `json:"automationLevel"`
		Rules           *[]meta.DeviceRule `json:"rules"`
	}
	if !s.decode(w, r, &req, false) {
		return
	}
	if id == meta.UngroupedID {
		writeError(w, s.d.Log, &Error{Status: http.StatusBadRequest, Code: "invalidDeviceGroup",
			Msg: "the ungrouped devices cannot be changed: they take the tenant's automation level (PUT /api/v1/security/automationLevel)"})
		return
	}
	st := s.d.Auth.Store()
	g, err := st.DeviceGroup(r.Context(), tenant, id)
	if err != nil {
		writeError(w, s.d.Log, deviceGroupError(err))
		return
	}
	set(&g.Name, req.Name)
	set(&g.Description, req.Description)
	set(&g.Rank, req.Rank)
	set(&g.AutomationLevel, req.AutomationLevel)
	set(&g.Rules, req.Rules)
	g, err = st.UpdateDeviceGroup(r.Context(), g)
	s.reply(w, http.StatusOK, toDeviceGroupJSON(g), err, deviceGroupError)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (s *Server) deleteDeviceGroup(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	s.replyNoContent(w, s.d.Auth.Store().DeleteDeviceGroup(r.Context(), tenant, r.PathValue("id")), deviceGroupError)
}

// deviceGroupDevices is GET .../deviceGroups/{id}/devices: the group's
// devices, each from its latest DeviceInfo row. A principal scoped to device
// groups sees only the members of its groups.
func (s *Server) deviceGroupDevices(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	id := r.PathValue("id")
	if groups, all := p.DeviceGroups(auth.DataRead, p.Tenant); !all && !slices.Contains(groups, id) {
		writeError(w, s.d.Log, &Error{Status: http.StatusForbidden, Code: "deviceGroupForbidden", Msg: "device group " + quote(id) + " is outside your device groups"})
		return
	}
	devs, err := s.d.Devices.Members(r.Context(), p.Tenant, id)
	s.reply(w, http.StatusOK, map[string]any{"value": devs}, err, deviceGroupError)
}

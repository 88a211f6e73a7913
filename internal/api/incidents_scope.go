package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// alertVisible reports whether an alert may be shown to the request's
// principal; nil when every alert may (no device-group restriction).
type alertVisible func(a meta.IncidentAlert) bool

// alertScope returns the visibility of alerts for a principal whose
// incidents:read is restricted to device groups, as Defender shows them: an
// alert naming no device, or naming at least one device of those groups.
func (s *Server) alertScope(ctx context.Context, r *http.Request) (alertVisible, error) {
	p, _ := PrincipalFrom(r.Context())
	groups, all := p.DeviceGroups(auth.IncidentsRead, p.Tenant)
	if all {
		return nil, nil
	}
	locate := func(string) string { return "" } // no directory: no device is in scope
	if s.d.Devices != nil {
		var err error
		if locate, err = s.d.Devices.Locator(ctx, p.Tenant); err != nil {
			return nil, err
		}
	}
	return func(a meta.IncidentAlert) bool {
		hosts := alertHosts(a)
		if len(hosts) == 0 {
			return true
		}
		return slices.ContainsFunc(hosts, func(h string) bool { return slices.Contains(groups, locate(h)) })
	}, nil
}

// alertHosts returns the device names of an alert's host entities.
func alertHosts(a meta.IncidentAlert) []string {
	var d alertData
	_ = json.Unmarshal(a.Data, &d)
	var out []string
	for _, e := range d.Entities {
		if !strings.EqualFold(e.Type, "host") {
			continue
		}
		name := firstOf(e.Identifiers, "FullName", "HostName", "MdatpDeviceId")
		if name == "" {
			continue
		}
		if dom := e.Identifiers["DnsDomain"]; dom != "" && e.Identifiers["FullName"] == "" && !strings.Contains(name, ".") {
			name += "." + dom
		}
		out = append(out, name)
	}
	return out
}

// visibleIncidents keeps the incidents with at least one visible alert (or
// none at all).
func (s *Server) visibleIncidents(ctx context.Context, tenant string, visible alertVisible, ins []meta.Incident) ([]meta.Incident, error) {
	out := ins[:0:0]
	for _, in := range ins {
		ok, err := s.incidentVisible(ctx, tenant, visible, in.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, in)
		}
	}
	return out, nil
}

func (s *Server) incidentVisible(ctx context.Context, tenant string, visible alertVisible, id int64) (bool, error) {
	if visible == nil {
		return true, nil
	}
	as, err := s.d.Incidents.IncidentAlerts(ctx, tenant, id)
	if err != nil {
		return false, err
	}
	return len(as) == 0 || slices.ContainsFunc(as, visible), nil
}

// checkIncidentVisible answers a principal restricted to device groups as
// if incident id did not exist when none of its alerts is visible to it.
func (s *Server) checkIncidentVisible(r *http.Request, tenant string, id int64) error {
	visible, err := s.alertScope(r.Context(), r)
	if err != nil || visible == nil {
		return err
	}
	ok, err := s.incidentVisible(r.Context(), tenant, visible, id)
	if err == nil && !ok {
		err = fmt.Errorf("incident %d: %w", id, meta.ErrNotFound)
	}
	return err
}

// incidentInScope wraps a handler of one incident (the {id} of its path) so that a principal
// restricted to device groups gets 404 for an incident none of whose alerts it may see, as
// GET .../incidents/{id} answers: its history, timeline, comments and changes are as hidden as
// the incident itself.
func (s *Server) incidentInScope(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := tenantOf(r)
		id, err := incidentID(r)
		if err == nil {
			err = s.checkIncidentVisible(r, tenant, id)
		}
		if err != nil {
			writeError(w, s.d.Log, stateError(err))
			return
		}
		next(w, r)
	}
}

// alertInScope wraps a handler of one alert (the {id} of its path) likewise.
func (s *Server) alertInScope(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		visible, err := s.alertScope(r.Context(), r)
		if err == nil && visible != nil {
			tenant, _ := tenantOf(r)
			var a meta.IncidentAlert
			if a, err = s.d.Incidents.Alert(r.Context(), tenant, r.PathValue("id")); err == nil && !visible(a) {
				err = fmt.Errorf("alert %q: %w", r.PathValue("id"), meta.ErrNotFound)
			}
		}
		if err != nil {
			writeError(w, s.d.Log, stateError(err))
			return
		}
		next(w, r)
	}
}

// actionScope returns whether an action may be shown to the request's principal; nil when
// every action may (no device-group restriction of incidents:read). Actions on a device
// outside the principal's groups are hidden, as the device's incidents are; actions on no
// device (accounts, indicators, messages) are shown.
func (s *Server) actionScope(ctx context.Context, r *http.Request) (func(respond.Action) bool, error) {
	p, _ := PrincipalFrom(r.Context())
	groups, all := p.DeviceGroups(auth.IncidentsRead, p.Tenant)
	if all {
		return nil, nil
	}
	locate := func(string) string { return "" }
	if s.d.Devices != nil {
		var err error
		if locate, err = s.d.Devices.Locator(ctx, p.Tenant); err != nil {
			return nil, err
		}
	}
	return func(a respond.Action) bool {
		return a.Target.Device == "" || slices.Contains(groups, locate(a.Target.Device))
	}, nil
}

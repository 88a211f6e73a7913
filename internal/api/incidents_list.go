package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/meta"
)

// incidentFields are the incident fields $filter and $orderby accept, by Graph's names
// (tags is an alias of customTags).
var incidentFields = map[string]field{
	"id": {kind: kindNumber}, "displayName": {kind: kindString},
	"status":   {kind: kindString, values: incidentStatuses},
	"severity": {kind: kindString, values: severities}, "assignedTo": {kind: kindString},
	"classification": {kind: kindString, values: classifications}, "determination": {kind: kindString, values: determinations},
	"createdDateTime": {kind: kindTime}, "lastUpdateDateTime": {kind: kindTime},
	"firstActivityDateTime": {kind: kindTime}, "lastActivityDateTime": {kind: kindTime},
	"alertCount": {kind: kindNumber}, "tags": {kind: kindStrings}, "customTags": {kind: kindStrings},
}

// incidentRecord exposes an incident's fields to the filter.
func incidentRecord(in meta.Incident) record {
	return func(name string) any {
		switch name {
		case "id":
			return float64(in.ID)
		case "displayName":
			return in.Title
		case "status":
			return in.Status
		case "severity":
			return in.Severity
		case "assignedTo":
			return in.AssignedTo
		case "classification":
			return in.Classification
		case "determination":
			return in.Determination
		case "createdDateTime":
			return in.CreatedAt
		case "lastUpdateDateTime":
			return in.UpdatedAt
		case "firstActivityDateTime":
			return in.FirstActivity
		case "lastActivityDateTime":
			return in.LastActivity
		case "alertCount":
			return float64(in.AlertCount)
		case "tags", "customTags":
			return in.Tags
		}
		return nil
	}
}

// newestFirst is the default order of lists.
var newestFirst = []orderKey{{field: "createdDateTime", desc: true}, {field: "id", desc: true}}

// listIncidents is GET /api/v1/security/incidents with $filter, $orderby, $top, $skip,
// $skiptoken (the opaque cursor of @odata.nextLink), $count and $expand=alerts.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	q, err := parseListQuery(r, incidentFields, newestFirst)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	all, err := s.d.Incidents.Incidents(r.Context(), tenant, meta.IncidentFilter{})
	if err == nil {
		var visible alertVisible
		if visible, err = s.alertScope(r.Context(), r); err == nil && visible != nil {
			all, err = s.visibleIncidents(r.Context(), tenant, visible, all)
		}
	}
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	q.order = append(q.order, orderKey{field: "id", desc: true}) // a stable order for paging
	page, total, next := apply(all, incidentRecord, q)
	expand := wantsAlerts(r)
	value := make([]incidentJSON, 0, len(page))
	for _, in := range page {
		j, err := s.incidentJSON(r.Context(), in, expand, false)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		value = append(value, j)
	}
	writeJSON(w, http.StatusOK, listBody(r, value, q, total, next))
}

// alertFields are the alert fields $filter and $orderby accept.
var alertFields = map[string]field{
	"id": {kind: kindString}, "title": {kind: kindString}, "incidentId": {kind: kindString},
	"status":   {kind: kindString, values: alertStatuses},
	"severity": {kind: kindString, values: severities}, "assignedTo": {kind: kindString},
	"classification": {kind: kindString, values: classifications}, "determination": {kind: kindString, values: determinations},
	"detectorId": {kind: kindString}, "createdDateTime": {kind: kindTime}, "lastUpdateDateTime": {kind: kindTime},
	"firstActivityDateTime": {kind: kindTime}, "lastActivityDateTime": {kind: kindTime},
}

func alertRecord(a meta.IncidentAlert) record {
	return func(name string) any {
		switch name {
		case "id":
			return a.AlertID
		case "title":
			return a.Title
		case "incidentId":
			if a.IncidentID == 0 {
				return nil
			}
			return strconv.FormatInt(a.IncidentID, 10)
		case "status":
			return a.Status
		case "severity":
			return a.Severity
		case "assignedTo":
			return a.AssignedTo
		case "classification":
			return a.Classification
		case "determination":
			return a.Determination
		case "detectorId":
			return a.RuleID
		case "createdDateTime":
			return a.CreatedAt
		case "lastUpdateDateTime":
			return a.UpdatedAt
		case "firstActivityDateTime":
			return a.FirstActivity
		case "lastActivityDateTime":
			return a.LastActivity
		}
		return nil
	}
}

// listAlerts is GET /api/v1/security/alerts_v2, with the same query options as incidents.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	q, err := parseListQuery(r, alertFields, []orderKey{{field: "createdDateTime", desc: true}})
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	all, err := s.d.Incidents.Alerts(r.Context(), tenant, 0, 0)
	if err == nil {
		var visible alertVisible
		if visible, err = s.alertScope(r.Context(), r); err == nil && visible != nil {
			all = slices.DeleteFunc(all, func(a meta.IncidentAlert) bool { return !visible(a) })
		}
	}
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	q.order = append(q.order, orderKey{field: "id", desc: true})
	page, total, next := apply(all, alertRecord, q)
	value := make([]alertJSON, 0, len(page))
	for _, a := range page {
		value = append(value, toAlertJSON(a))
	}
	writeJSON(w, http.StatusOK, listBody(r, value, q, total, next))
}

// alertPatchBody is an alerts_v2 PATCH body.
type alertPatchBody struct {
	Status         *string `json:"status"`
	Classification *string `json:"classification"`
	Determination  *string `json:"determination"`
	AssignedTo     *string `json:"assignedTo"`
}

// patchAlert is PATCH /api/v1/security/alerts_v2/{id}, conditional with If-Match.
func (s *Server) patchAlert(w http.ResponseWriter, r *http.Request) {
	tenant, actor := tenantOf(r)
	b, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var body alertPatchBody
	if err := decodeStrict(b, &body); err != nil {
		writeError(w, s.d.Log, badRequest("invalid alert update: %v", err))
		return
	}
	p := meta.AlertPatch{Status: body.Status, Classification: body.Classification, Determination: body.Determination, AssignedTo: body.AssignedTo}
	for _, c := range []struct {
		field   string
		v       *string
		allowed []string
	}{{"status", p.Status, alertStatuses}, {"classification", p.Classification, classifications}, {"determination", p.Determination, determinations}} {
		if err := checkEnum(c.field, c.v, c.allowed); err != nil {
			writeError(w, s.d.Log, err)
			return
		}
	}
	if p.Version, err = ifMatch(r); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	a, err := s.d.Incidents.UpdateAlert(r.Context(), tenant, r.PathValue("id"), p, actor)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	j := toAlertJSON(a)
	w.Header().Set("ETag", j.ETag)
	writeJSON(w, http.StatusOK, j)
}

// historyJSON is one entry of an incident's history.
type historyJSON struct {
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Detail   string `json:"detail"`
	DateTime string `json:"createdDateTime"`
}

// getIncidentHistory is GET /api/v1/security/incidents/{id}/history, oldest first.
func (s *Server) getIncidentHistory(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	id, err := incidentID(r)
	if err == nil {
		_, err = s.d.Incidents.Incident(r.Context(), tenant, id)
	}
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	hs, err := s.d.Incidents.IncidentHistory(r.Context(), tenant, id)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := make([]historyJSON, 0, len(hs))
	for _, h := range hs {
		out = append(out, historyJSON{Actor: h.Actor, Action: h.Action, Detail: h.Detail, DateTime: graphTime(h.At)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// getIncidentTimeline is GET /api/v1/security/incidents/{id}/timeline: the attack story
// (summary, alerts in activity order with their assets and techniques).
func (s *Server) getIncidentTimeline(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	id, err := incidentID(r)
	var in meta.Incident
	if err == nil {
		in, err = s.d.Incidents.Incident(r.Context(), tenant, id)
	}
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	as, err := s.d.Incidents.IncidentAlerts(r.Context(), tenant, id)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	st := incident.BuildStory(in, as)
	for i := range st.Timeline {
		st.Timeline[i].Time = st.Timeline[i].Time.UTC().Truncate(time.Microsecond)
	}
	writeJSON(w, http.StatusOK, st)
}

// decodeStrict decodes a JSON body into v, refusing unknown fields and trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

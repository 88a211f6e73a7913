package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// Incidents is the state the security incident API serves from (*meta.Store).
type Incidents interface {
	Incidents(ctx context.Context, tenant string, f meta.IncidentFilter) ([]meta.Incident, error)
	Incident(ctx context.Context, tenant string, id int64) (meta.Incident, error)
	IncidentAlerts(ctx context.Context, tenant string, id int64) ([]meta.IncidentAlert, error)
	IncidentComments(ctx context.Context, tenant string, id int64) ([]meta.IncidentComment, error)
	UpdateIncident(ctx context.Context, tenant string, id int64, p meta.IncidentPatch, actor string) (meta.Incident, error)
	AddIncidentComment(ctx context.Context, tenant string, id int64, comment, actor string) ([]meta.IncidentComment, error)
	Alerts(ctx context.Context, tenant string, top, skip int) ([]meta.IncidentAlert, error)
	Alert(ctx context.Context, tenant, id string) (meta.IncidentAlert, error)
	IncidentHistory(ctx context.Context, tenant string, id int64) ([]meta.HistoryEntry, error)
	UpdateAlert(ctx context.Context, tenant, id string, p meta.AlertPatch, actor string) (meta.IncidentAlert, error)
}

// Graph's enumerations for the fields a PATCH may set.
var (
	incidentStatuses = []string{meta.IncidentActive, meta.IncidentResolved, meta.IncidentInProgress, meta.IncidentRedirected}
	severities       = []string{"unknown", "informational", "low", "medium", "high"}
	classifications  = []string{"unknown", "falsePositive", "truePositive", "informationalExpectedActivity"}
	determinations   = []string{"unknown", "apt", "malware", "securityPersonnel", "securityTesting", "unwantedSoftware",
		"other", "multiStagedAttack", "compromisedAccount", "phishing", "maliciousUserActivity", "notMalicious",
		"notEnoughDataToValidate", "confirmedActivity", "lineOfBusinessApplication"}
	alertStatuses = []string{"unknown", "new", "inProgress", "resolved"}
)

// maxTop caps $top.
const maxTop = 1000

func (s *Server) incidentRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET /api/v1/security/incidents", auth(http.HandlerFunc(s.listIncidents)))
	mux.Handle("GET /api/v1/security/incidents/{id}", auth(http.HandlerFunc(s.getIncident)))
	mux.Handle("PATCH /api/v1/security/incidents/{id}", auth(s.incidentInScope(s.patchIncident)))
	mux.Handle("POST /api/v1/security/incidents/{id}/comments", auth(s.incidentInScope(s.postIncidentComment)))
	mux.Handle("GET /api/v1/security/incidents/{id}/history", auth(s.incidentInScope(s.getIncidentHistory)))
	mux.Handle("GET /api/v1/security/incidents/{id}/timeline", auth(s.incidentInScope(s.getIncidentTimeline)))
	mux.Handle("GET /api/v1/security/alerts_v2", auth(http.HandlerFunc(s.listAlerts)))
	mux.Handle("GET /api/v1/security/alerts_v2/{id}", auth(http.HandlerFunc(s.getAlert)))
	mux.Handle("PATCH /api/v1/security/alerts_v2/{id}", auth(s.alertInScope(s.patchAlert)))
	if imp, ok := s.d.Incidents.(AlertImporter); ok {
		mux.Handle("POST /api/v1/security/alerts", auth(s.importAlerts(imp)))
	}
	if feed, ok := s.d.Incidents.(EventFeed); ok {
		mux.Handle("GET /api/v1/security/events", auth(s.events(feed)))
	}
}

func badRequest(format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Code: "badRequest", Msg: fmt.Sprintf(format, args...)}
}

// stateError maps the state store's errors to API errors.
func stateError(err error) error {
	switch {
	case errors.Is(err, meta.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "notFound", Msg: err.Error()}
	case errors.Is(err, meta.ErrStaleVersion):
		return &Error{Status: http.StatusPreconditionFailed, Code: "preconditionFailed", Msg: err.Error()}
	case errors.Is(err, meta.ErrInvalidTransition):
		return &Error{Status: http.StatusConflict, Code: "invalidTransition", Msg: err.Error()}
	case errors.Is(err, meta.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Msg: err.Error()}
	}
	return err
}

// tenantOf returns the tenant the request acts for.
func tenantOf(r *http.Request) (tenant, name string) {
	p, _ := PrincipalFrom(r.Context())
	return p.Tenant, p.Name
}

func incidentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Error{Status: http.StatusNotFound, Code: "notFound", Msg: fmt.Sprintf("incident %q: not found", r.PathValue("id"))}
	}
	return id, nil
}

// pageParams reads $top and $skip.
func pageParams(r *http.Request) (top, skip int, err error) {
	q := r.URL.Query()
	top, skip = 100, 0
	if v := q.Get("$top"); v != "" {
		if top, err = strconv.Atoi(v); err != nil || top < 1 || top > maxTop {
			return 0, 0, badRequest("$top must be an integer from 1 to %d, not %q", maxTop, v)
		}
	}
	if v := q.Get("$skip"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			return 0, 0, badRequest("$skip must be a non-negative integer, not %q", v)
		}
	}
	return top, skip, nil
}

func wantsAlerts(r *http.Request) bool {
	for _, e := range strings.Split(r.URL.Query().Get("$expand"), ",") {
		if strings.TrimSpace(e) == "alerts" {
			return true
		}
	}
	return false
}

// getIncident is GET /api/v1/security/incidents/{id}, with comments, and alerts when
// $expand=alerts.
func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	id, err := incidentID(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	in, err := s.d.Incidents.Incident(r.Context(), tenant, id)
	if err == nil {
		err = s.checkIncidentVisible(r, tenant, id)
	}
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	j, err := s.incidentJSON(r.Context(), in, wantsAlerts(r), true)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	w.Header().Set("ETag", j.ETag)
	writeJSON(w, http.StatusOK, j)
}

// ifMatch reads an If-Match header holding a version as its ETag (W/"3"); "*" and no
// header make the update unconditional.
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return 0, badRequest("If-Match %q is not an ETag this server issued", h)
	}
	return v, nil
}

// patchBody is the PATCH body; unknown fields are errors.
type patchBody struct {
	Status         *string   `json:"status"`
	AssignedTo     *string   `json:"assignedTo"`
	Classification *string   `json:"classification"`
	Determination  *string   `json:"determination"`
	Severity       *string   `json:"severity"`
	CustomTags     *[]string `json:"customTags"`
	Tags           *[]string `json:"tags"`
}

func checkEnum(field string, v *string, allowed []string) error {
	if v != nil && !slices.Contains(allowed, *v) {
		return badRequest("%s: %q is not one of %s", field, *v, strings.Join(allowed, ", "))
	}
	return nil
}

func decodePatch(b []byte) (meta.IncidentPatch, error) {
	var body patchBody
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return meta.IncidentPatch{}, badRequest("invalid incident update: %v", err)
	}
	for _, c := range []struct {
		field   string
		v       *string
		allowed []string
	}{
		{"status", body.Status, incidentStatuses}, {"severity", body.Severity, severities},
		{"classification", body.Classification, classifications}, {"determination", body.Determination, determinations},
	} {
		if err := checkEnum(c.field, c.v, c.allowed); err != nil {
			return meta.IncidentPatch{}, err
		}
	}
	tags := body.CustomTags
	if tags == nil {
		tags = body.Tags
	}
	return meta.IncidentPatch{Status: body.Status, AssignedTo: body.AssignedTo, Classification: body.Classification,
		Determination: body.Determination, Severity: body.Severity, Tags: tags}, nil
}

// patchIncident is PATCH /api/v1/security/incidents/{id}. An If-Match header holding the
// incident's version (its @odata.etag) makes the update conditional.
func (s *Server) patchIncident(w http.ResponseWriter, r *http.Request) {
	tenant, actor := tenantOf(r)
	id, err := incidentID(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	b, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	p, err := decodePatch(b)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	if p.Version, err = ifMatch(r); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	in, err := s.d.Incidents.UpdateIncident(r.Context(), tenant, id, p, actor)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	j, err := s.incidentJSON(r.Context(), in, false, true)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	w.Header().Set("ETag", j.ETag)
	writeJSON(w, http.StatusOK, j)
}

// postIncidentComment is POST /api/v1/security/incidents/{id}/comments with
// {"comment": "..."}; it answers with the incident's comments, as Graph does.
func (s *Server) postIncidentComment(w http.ResponseWriter, r *http.Request) {
	tenant, actor := tenantOf(r)
	id, err := incidentID(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	b, err := s.readBody(w, r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	var body struct {
		Comment string `json:"comment"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || strings.TrimSpace(body.Comment) == "" {
		writeError(w, s.d.Log, badRequest(`a comment body is {"comment": "non-empty text"}`))
		return
	}
	cs, err := s.d.Incidents.AddIncidentComment(r.Context(), tenant, id, body.Comment, actor)
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": commentsJSON(cs)})
}

// getAlert is GET /api/v1/security/alerts_v2/{id}.
func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	a, err := s.d.Incidents.Alert(r.Context(), tenant, r.PathValue("id"))
	if err == nil {
		var visible alertVisible
		if visible, err = s.alertScope(r.Context(), r); err == nil && visible != nil && !visible(a) {
			err = fmt.Errorf("alert %q: %w", a.AlertID, meta.ErrNotFound)
		}
	}
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	j := toAlertJSON(a)
	w.Header().Set("ETag", j.ETag)
	writeJSON(w, http.StatusOK, j)
}

func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
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
}

// Graph's enumerations for the fields a PATCH may set.
var (
	incidentStatuses = []string{meta.IncidentActive, meta.IncidentResolved, meta.IncidentInProgress, meta.IncidentRedirected}
	severities       = []string{"unknown", "informational", "low", "medium", "high"}
	classifications  = []string{"unknown", "falsePositive", "truePositive", "informationalExpectedActivity"}
	determinations   = []string{"unknown", "apt", "malware", "securityPersonnel", "securityTesting", "unwantedSoftware",
		"other", "multiStagedAttack", "compromisedAccount", "phishing", "maliciousUserActivity", "notMalicious",
		"notEnoughDataToValidate", "confirmedActivity", "lineOfBusinessApplication"}
)

// maxTop caps $top.
const maxTop = 1000

func (s *Server) incidentRoutes(mux *http.ServeMux) {
	auth := s.authenticate
	mux.Handle("GET /api/v1/security/incidents", auth(http.HandlerFunc(s.listIncidents)))
	mux.Handle("GET /api/v1/security/incidents/{id}", auth(http.HandlerFunc(s.getIncident)))
	mux.Handle("PATCH /api/v1/security/incidents/{id}", auth(http.HandlerFunc(s.patchIncident)))
	mux.Handle("POST /api/v1/security/incidents/{id}/comments", auth(http.HandlerFunc(s.postIncidentComment)))
	mux.Handle("GET /api/v1/security/alerts_v2", auth(http.HandlerFunc(s.listAlerts)))
	mux.Handle("GET /api/v1/security/alerts_v2/{id}", auth(http.HandlerFunc(s.getAlert)))
}

func badRequest(format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Code: "badRequest", Msg: fmt.Sprintf(format, args...)}
}

// stateError maps the state store's errors to API errors.
func stateError(err error) error {
	switch {
	case errors.Is(err, meta.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "notFound", Msg: err.Error()}
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

var filterTerm = regexp.MustCompile(`^\s*(\w+)\s+eq\s+'([^']*)'\s*$`)

// parseFilter reads the $filter subset supported: "status eq 'x'" and "severity eq 'x'"
// joined by "and".
func parseFilter(s string, f *meta.IncidentFilter) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for _, term := range regexp.MustCompile(`(?i)\s+and\s+`).Split(s, -1) {
		m := filterTerm.FindStringSubmatch(term)
		if m == nil {
			return badRequest("$filter: unsupported expression %q (supported: status eq '...', severity eq '...', joined by and)", term)
		}
		switch m[1] {
		case "status":
			if !slices.Contains(incidentStatuses, m[2]) {
				return badRequest("$filter: unknown status %q (want one of %s)", m[2], strings.Join(incidentStatuses, ", "))
			}
			f.Status = m[2]
		case "severity":
			if !slices.Contains(severities, m[2]) {
				return badRequest("$filter: unknown severity %q (want one of %s)", m[2], strings.Join(severities, ", "))
			}
			f.Severity = m[2]
		default:
			return badRequest("$filter: cannot filter on %q (supported: status, severity)", m[1])
		}
	}
	return nil
}

// listIncidents is GET /api/v1/security/incidents: newest first, $top, $skip or
// $skiptoken (the cursor in @odata.nextLink), $filter on status and severity.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	top, skip, err := pageParams(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	f := meta.IncidentFilter{Top: top + 1, Skip: skip}
	if v := r.URL.Query().Get("$skiptoken"); v != "" {
		if f.AfterID, err = strconv.ParseInt(v, 10, 64); err != nil {
			writeError(w, s.d.Log, badRequest("$skiptoken %q is not one this server issued", v))
			return
		}
	}
	if err := parseFilter(r.URL.Query().Get("$filter"), &f); err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	ins, err := s.d.Incidents.Incidents(r.Context(), tenant, f)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	out := map[string]any{}
	if len(ins) > top {
		ins = ins[:top]
		q := r.URL.Query()
		q.Del("$skip")
		q.Set("$skiptoken", strconv.FormatInt(ins[top-1].ID, 10))
		out["@odata.nextLink"] = r.URL.Path + "?" + q.Encode()
	}
	expand := wantsAlerts(r)
	value := make([]incidentJSON, 0, len(ins))
	for _, in := range ins {
		j, err := s.incidentJSON(r.Context(), in, expand, false)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		value = append(value, j)
	}
	out["value"] = value
	writeJSON(w, http.StatusOK, out)
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
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	j, err := s.incidentJSON(r.Context(), in, wantsAlerts(r), true)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
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
	if m := strings.Trim(strings.TrimPrefix(r.Header.Get("If-Match"), "W/"), `"`); m != "" {
		if p.Version, err = strconv.Atoi(m); err != nil || p.Version < 1 {
			writeError(w, s.d.Log, badRequest("If-Match %q is not an incident version", r.Header.Get("If-Match")))
			return
		}
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

// listAlerts is GET /api/v1/security/alerts_v2: newest first, $top and $skip.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	top, skip, err := pageParams(r)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	as, err := s.d.Incidents.Alerts(r.Context(), tenant, top, skip)
	if err != nil {
		writeError(w, s.d.Log, err)
		return
	}
	value := make([]alertJSON, 0, len(as))
	for _, a := range as {
		value = append(value, toAlertJSON(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": value})
}

// getAlert is GET /api/v1/security/alerts_v2/{id}.
func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	tenant, _ := tenantOf(r)
	a, err := s.d.Incidents.Alert(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		writeError(w, s.d.Log, stateError(err))
		return
	}
	writeJSON(w, http.StatusOK, toAlertJSON(a))
}

func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

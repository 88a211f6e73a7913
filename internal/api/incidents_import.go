package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
)

// AlertImporter takes third-party alerts and stores and correlates them like detections
// (incident.Service).
type AlertImporter interface {
	ImportAlerts(ctx context.Context, alerts []alert.Alert) error
}

// maxImportAlerts caps one import request.
const maxImportAlerts = 1000

// importAlerts is POST /api/v1/security/alerts: third-party alerts as Graph alert objects
// or as Sentinel SecurityAlert rows (told apart by SystemAlertId), one object, an array or
// {"value": [...]}. Every alert is validated first (400 naming the alert and field); then
// they go through the alert sink, so they reach SecurityAlert, AlertInfo and AlertEvidence
// and join incidents. The answer lists each alert with its incident.
func (s *Server) importAlerts(imp AlertImporter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := tenantOf(r)
		b, err := s.readBody(w, r)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		objs, err := importObjects(b)
		if err != nil {
			writeError(w, s.d.Log, err)
			return
		}
		alerts := make([]alert.Alert, 0, len(objs))
		for i, o := range objs {
			a, err := importAlert(o, tenant, time.Now().UTC())
			if err != nil {
				writeError(w, s.d.Log, badRequest("alert %d: %v", i, err))
				return
			}
			alerts = append(alerts, a)
		}
		if err := imp.ImportAlerts(r.Context(), alerts); err != nil {
			writeError(w, s.d.Log, stateError(err))
			return
		}
		value := make([]alertJSON, 0, len(alerts))
		for _, a := range alerts {
			stored, err := s.d.Incidents.Alert(r.Context(), tenant, a.ID)
			if err != nil {
				writeError(w, s.d.Log, stateError(err))
				return
			}
			value = append(value, toAlertJSON(stored))
		}
		writeJSON(w, http.StatusCreated, map[string]any{"value": value})
	})
}

// importObjects splits a body into alert objects.
func importObjects(b []byte) ([]map[string]any, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, badRequest("invalid JSON: %v", err)
	}
	if m, ok := v.(map[string]any); ok {
		if list, ok := m["value"]; ok && len(m) == 1 {
			v = list
		} else {
			v = []any{m}
		}
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 || len(list) > maxImportAlerts {
		return nil, badRequest("the body is an alert, an array of 1 to %d alerts, or {\"value\": [...]}", maxImportAlerts)
	}
	out := make([]map[string]any, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, badRequest("alert %d: not a JSON object", i)
		}
		out = append(out, m)
	}
	return out, nil
}

// fieldError names the field of an imported alert that is wrong and why.
func fieldError(name, format string, args ...any) error {
	return fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
}

// importAlert converts one object, Sentinel-shaped when it has SystemAlertId.
func importAlert(o map[string]any, tenant string, now time.Time) (alert.Alert, error) {
	if _, ok := o["SystemAlertId"]; ok {
		return sentinelAlert(o, tenant, now)
	}
	return graphAlert(o, tenant, now)
}

// obj reads typed fields of an object, remembering the first error.
type obj struct {
	m   map[string]any
	err error
}

func (o *obj) str(name string, required bool) string {
	v, ok := o.m[name]
	if !ok || v == nil {
		if required && o.err == nil {
			o.err = fieldError(name, "is required")
		}
		return ""
	}
	s, ok := v.(string)
	if !ok && o.err == nil {
		o.err = fieldError(name, "must be a string")
	}
	if required && strings.TrimSpace(s) == "" && o.err == nil {
		o.err = fieldError(name, "must not be empty")
	}
	return s
}

func (o *obj) time(name string, fallback time.Time) time.Time {
	s := o.str(name, false)
	if s == "" {
		return fallback
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && o.err == nil {
		o.err = fieldError(name, "%q is not an RFC 3339 datetime", s)
	}
	return t.UTC()
}

func (o *obj) strs(name string) []string {
	v, ok := o.m[name]
	if !ok || v == nil {
		return nil
	}
	if s, ok := v.(string); ok { // Sentinel writes lists as JSON text or "a, b"
		var list []string
		if json.Unmarshal([]byte(s), &list) == nil {
			return list
		}
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				list = append(list, p)
			}
		}
		return list
	}
	arr, ok := v.([]any)
	var out []string
	for i, x := range arr {
		s, isStr := x.(string)
		if !isStr {
			ok = false
			if o.err == nil {
				o.err = fieldError(fmt.Sprintf("%s[%d]", name, i), "must be a string")
			}
			break
		}
		out = append(out, s)
	}
	if !ok && o.err == nil {
		o.err = fieldError(name, "must be an array of strings")
	}
	return out
}

func (o *obj) severity(name string) rule.Severity {
	s := o.str(name, true)
	if o.err != nil {
		return ""
	}
	low := strings.ToLower(s)
	if !slices.Contains(severities, low) {
		o.err = fieldError(name, "%q is not one of %s", s, strings.Join(severities, ", "))
	}
	return rule.Severity(strings.ToUpper(low[:1]) + low[1:])
}

// graphAlert converts a Graph alert: id (or providerAlertId), title and severity required;
// evidence becomes entities.
func graphAlert(m map[string]any, tenant string, now time.Time) (alert.Alert, error) {
	o := &obj{m: m}
	id := o.str("id", false)
	if id == "" {
		id = o.str("providerAlertId", true)
	}
	a := alert.Alert{ID: id, Tenant: tenant, Title: o.str("title", true), Severity: o.severity("severity"),
		Description: o.str("description", false), Status: alert.StatusNew}
	a.Provider = firstNonEmpty(o.str("serviceSource", false), o.str("productName", false), "thirdParty")
	a.RuleID = firstNonEmpty(o.str("detectorId", false), a.Provider+":"+a.Title)
	a.RuleName = a.Title
	a.CreatedTime = o.time("createdDateTime", now)
	a.StartTime = o.time("firstActivityDateTime", a.CreatedTime)
	a.EndTime = o.time("lastActivityDateTime", a.CreatedTime)
	if c := o.str("category", false); c != "" {
		a.Tactics = []string{c}
	}
	a.Techniques = o.strs("mitreTechniques")
	if o.err != nil {
		return alert.Alert{}, o.err
	}
	ev, ok := m["evidence"]
	if !ok || ev == nil {
		return a, nil
	}
	list, ok := ev.([]any)
	if !ok {
		return alert.Alert{}, fieldError("evidence", "must be an array")
	}
	for i, x := range list {
		e, err := graphEvidenceEntity(x)
		if err != nil {
			return alert.Alert{}, fieldError(fmt.Sprintf("evidence[%d]", i), "%v", err)
		}
		if e != nil {
			a.Entities = append(a.Entities, *e)
		}
	}
	return a, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

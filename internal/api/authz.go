package api

import (
	"net/http"

	"github.com/vigilsec/vigil/internal/auth"
)

// Route access levels that are not permissions.
const (
	// PermPublic routes need no credentials (health, login) or check their
	// own (the Data Collector API's signatures).
	PermPublic auth.Permission = "public"
	// PermSignedIn routes need any authenticated principal (who am I, sign out).
	PermSignedIn auth.Permission = "signedIn"
)

// routePermissions maps every route pattern the server registers to what it
// requires. A route missing here is refused at run time (fail closed) and
// fails TestRoutePermissionsComplete: whoever adds a route adds its line.
func routePermissions() map[string]auth.Permission {
	return map[string]auth.Permission{
		"GET /":          PermPublic, // the portal's pages; its API calls go through the routes below
		"GET /healthz":   PermPublic,
		"GET /readyz":    PermPublic,
		"GET /metrics":   PermPublic,
		"POST /api/logs": PermPublic, // SharedKey-signed; verified by the handler

		"GET /api/v1/auth/oidc/login":    PermPublic,
		"GET /api/v1/auth/oidc/callback": PermPublic,
		"POST /api/v1/auth/login":        PermPublic,
		"POST /api/v1/auth/logout":       PermSignedIn,
		"GET /api/v1/auth/me":            PermSignedIn,

		"POST /api/v1/ingest/{table}":                      auth.IngestWrite,
		"POST /api/v1/ingest/format/{format}":              auth.IngestWrite,
		"POST /v1/logs":                                    auth.IngestWrite, // OTLP/HTTP logs
		"POST /dataCollectionRules/{dcr}/streams/{stream}": auth.IngestWrite,
		"GET /api/v1/tables":                               auth.DataRead,
		"GET /api/v1/tables/{name}":                        auth.DataRead,
		"PUT /api/v1/tables/{name}":                        auth.SettingsWrite,
		"POST /api/v1/admin/sql":                           auth.AdminSQL,
		"POST /api/v1/security/runHuntingQuery":            auth.HuntingRun,
		// Saved hunting queries: who may change one is checked by the handler (owner, or
		// rules:write for a shared one).
		"GET /api/v1/security/huntingQueries":           auth.HuntingRun,
		"POST /api/v1/security/huntingQueries":          auth.HuntingRun,
		"GET /api/v1/security/huntingQueries/templates": auth.HuntingRun,
		"GET /api/v1/security/huntingQueries/{id}":      auth.HuntingRun,
		"PUT /api/v1/security/huntingQueries/{id}":      auth.HuntingRun,
		"DELETE /api/v1/security/huntingQueries/{id}":   auth.HuntingRun,
		// Watchlists: read by whoever reads data, changed by whoever writes rules.
		"GET /api/v1/security/watchlists":                                auth.DataRead,
		"POST /api/v1/security/watchlists":                               auth.RulesWrite,
		"GET /api/v1/security/watchlists/{alias}":                        auth.DataRead,
		"DELETE /api/v1/security/watchlists/{alias}":                     auth.RulesWrite,
		"GET /api/v1/security/watchlists/{alias}/watchlistItems":         auth.DataRead,
		"POST /api/v1/security/watchlists/{alias}/watchlistItems":        auth.RulesWrite,
		"PUT /api/v1/security/watchlists/{alias}/watchlistItems/{id}":    auth.RulesWrite,
		"DELETE /api/v1/security/watchlists/{alias}/watchlistItems/{id}": auth.RulesWrite,
		// Saved incident queue filters: who may change one is checked by the handler (owner,
		// or settings:write for a shared one).
		"GET /api/v1/security/savedFilters":         auth.IncidentsRead,
		"POST /api/v1/security/savedFilters":        auth.IncidentsRead,
		"GET /api/v1/security/savedFilters/{id}":    auth.IncidentsRead,
		"PUT /api/v1/security/savedFilters/{id}":    auth.IncidentsRead,
		"DELETE /api/v1/security/savedFilters/{id}": auth.IncidentsRead,

		"GET /api/v1/security/incidents":                auth.IncidentsRead,
		"GET /api/v1/security/incidents/{id}":           auth.IncidentsRead,
		"PATCH /api/v1/security/incidents/{id}":         auth.IncidentsWrite,
		"POST /api/v1/security/incidents/{id}/comments": auth.IncidentsWrite,
		"GET /api/v1/security/alerts_v2":                auth.IncidentsRead,
		"GET /api/v1/security/alerts_v2/{id}":           auth.IncidentsRead,
		"GET /api/v1/security/incidents/{id}/history":   auth.IncidentsRead,
		"GET /api/v1/security/incidents/{id}/timeline":  auth.IncidentsRead,
		"PATCH /api/v1/security/alerts_v2/{id}":         auth.AlertsWrite,
		"POST /api/v1/security/alerts":                  auth.AlertsWrite,   // third-party alerts imported
		"GET /api/v1/security/events":                   auth.IncidentsRead, // the live feed

		"GET /api/v1/users":           auth.UsersManage,
		"POST /api/v1/users":          auth.UsersManage,
		"GET /api/v1/users/{id}":      auth.UsersManage,
		"PATCH /api/v1/users/{id}":    auth.UsersManage,
		"GET /api/v1/apiKeys":         auth.UsersManage,
		"POST /api/v1/apiKeys":        auth.UsersManage,
		"DELETE /api/v1/apiKeys/{id}": auth.UsersManage,
		"GET /api/v1/roles":           PermSignedIn,
		"PUT /api/v1/roles/{id}":      auth.UsersManage,
		"DELETE /api/v1/roles/{id}":   auth.UsersManage,
		"GET /api/v1/tenants":         PermSignedIn,
		"POST /api/v1/tenants":        auth.UsersManage,
		"GET /api/v1/audit":           auth.AuditRead,
		"GET /api/v1/audit/verify":    auth.AuditRead,
		"GET /api/v1/audit/retention": auth.AuditRead,
		"PUT /api/v1/audit/retention": auth.SettingsWrite,

		"GET /api/v1/security/rules/detectionRules":            auth.RulesRead,
		"POST /api/v1/security/rules/detectionRules":           auth.RulesWrite,
		"GET /api/v1/security/rules/detectionRules/{id}":       auth.RulesRead,
		"PUT /api/v1/security/rules/detectionRules/{id}":       auth.RulesWrite,
		"PATCH /api/v1/security/rules/detectionRules/{id}":     auth.RulesWrite,
		"DELETE /api/v1/security/rules/detectionRules/{id}":    auth.RulesWrite,
		"POST /api/v1/security/rules/detectionRules/{id}/test": auth.RulesRead,
		// The document a rule was created or loaded from, as written (text, not JSON).
		"GET /api/v1/security/rules/detectionRules/{id}/source": auth.RulesRead,

		"POST /api/v1/threatIntelligence/indicators:import": auth.RulesWrite,
		"GET /api/v1/security/tiIndicators":                 auth.RulesRead,
		"GET /api/v1/deception/decoys":                      auth.RulesRead,
		"POST /api/v1/deception/decoys":                     auth.RulesWrite,
		"GET /api/v1/deception/decoys/{id}":                 auth.RulesRead,
		"DELETE /api/v1/deception/decoys/{id}":              auth.RulesWrite,

		"GET /api/v1/security/alertTuningRules":          auth.RulesRead,
		"POST /api/v1/security/alertTuningRules":         auth.RulesWrite,
		"POST /api/v1/security/alertTuningRules/preview": auth.RulesRead,
		"GET /api/v1/security/alertTuningRules/{id}":     auth.RulesRead,
		"PUT /api/v1/security/alertTuningRules/{id}":     auth.RulesWrite,
		"DELETE /api/v1/security/alertTuningRules/{id}":  auth.RulesWrite,

		"GET /api/v1/security/actions":                auth.IncidentsRead,
		"POST /api/v1/security/actions":               auth.ResponseRequest,
		"GET /api/v1/security/actions/{id}":           auth.IncidentsRead,
		"GET /api/v1/security/actions/simulatedState": auth.IncidentsRead,
		"POST /api/v1/security/actions/{id}/approve":  auth.ResponseApprove,
		"POST /api/v1/security/actions/{id}/reject":   auth.ResponseApprove,
		"POST /api/v1/security/actions/{id}/cancel":   auth.ResponseRequest,
		"POST /api/v1/security/actions/{id}/undo":     auth.ResponseRequest,
		"GET /api/v1/security/investigations":         auth.IncidentsRead,
		"GET /api/v1/security/investigations/{id}":    auth.IncidentsRead,
		"GET /api/v1/security/automationLevel":        auth.IncidentsRead,
		"PUT /api/v1/security/automationLevel":        auth.ResponseApprove,

		"GET /api/v1/security/deviceGroups":              auth.DataRead,
		"POST /api/v1/security/deviceGroups":             auth.SettingsWrite,
		"GET /api/v1/security/deviceGroups/{id}":         auth.DataRead,
		"PATCH /api/v1/security/deviceGroups/{id}":       auth.SettingsWrite,
		"DELETE /api/v1/security/deviceGroups/{id}":      auth.SettingsWrite,
		"GET /api/v1/security/deviceGroups/{id}/devices": auth.DataRead,

		"GET /api/v1/security/automationRules":                              auth.RulesRead,
		"POST /api/v1/security/automationRules":                             auth.SettingsWrite,
		"GET /api/v1/security/automationRules/{id}":                         auth.RulesRead,
		"PATCH /api/v1/security/automationRules/{id}":                       auth.SettingsWrite,
		"DELETE /api/v1/security/automationRules/{id}":                      auth.SettingsWrite,
		"GET /api/v1/security/playbooks":                                    auth.RulesRead,
		"POST /api/v1/security/playbooks":                                   auth.SettingsWrite,
		"GET /api/v1/security/playbooks/{id}":                               auth.RulesRead,
		"POST /api/v1/security/playbooks/{id}/run":                          auth.ResponseRequest,
		"GET /api/v1/security/playbooks/{id}/runs":                          auth.IncidentsRead,
		"GET /api/v1/security/playbookRuns":                                 auth.IncidentsRead,
		"GET /api/v1/security/playbookRuns/{runId}":                         auth.IncidentsRead,
		"POST /api/v1/security/playbookRuns/{runId}/steps/{stepId}/approve": auth.ResponseApprove,
		"POST /api/v1/security/playbookRuns/{runId}/steps/{stepId}/reject":  auth.ResponseApprove,

		"POST /api/v1/agents/enrollmentTokens":   auth.SettingsWrite,
		"POST /api/v1/agents/enroll":             PermPublic, // the one-time enrollment token is checked by the handler
		"GET /api/v1/agents":                     auth.IncidentsRead,
		"DELETE /api/v1/agents/{id}":             auth.SettingsWrite,
		"GET /api/v1/agents/packages/{actionId}": auth.ResponseRequest,

		// Splunk HEC and Elasticsearch shapes: shippers with ingest tokens.
		"POST /services/collector":           auth.IngestWrite,
		"POST /services/collector/event":     auth.IngestWrite,
		"POST /services/collector/event/1.0": auth.IngestWrite,
		"POST /services/collector/raw":       auth.IngestWrite,
		"POST /services/collector/raw/1.0":   auth.IngestWrite,
		"GET /services/collector/health":     PermPublic,
		"GET /services/collector/health/1.0": PermPublic,
		"GET /{$}":                           auth.IngestWrite,
		"GET /_license":                      auth.IngestWrite,
		"GET /_xpack":                        auth.IngestWrite,
		"GET /_cluster/health":               auth.IngestWrite,
		"POST /_bulk":                        auth.IngestWrite,
		"PUT /_bulk":                         auth.IngestWrite,
		"POST /{index}/_bulk":                auth.IngestWrite,
		"PUT /{index}/{op}":                  auth.IngestWrite,
		"GET /_index_template/{name}":        auth.IngestWrite,
		"PUT /_index_template/{name}":        auth.IngestWrite,
		"GET /_template/{name}":              auth.IngestWrite,
		"PUT /_template/{name}":              auth.IngestWrite,
		"GET /_ilm/policy/{name}":            auth.IngestWrite,
		"PUT /_ilm/policy/{name}":            auth.IngestWrite,
	}
}

// RoutePermissions returns what each route pattern requires: a permission,
// PermPublic or PermSignedIn (for tests and documentation).
func RoutePermissions() map[string]auth.Permission { return routePermissions() }

// authorize checks that p may use r's route in p.Tenant.
func (s *Server) authorize(p Principal, r *http.Request) error {
	perm, ok := s.perms[r.Pattern]
	switch {
	case !ok:
		s.d.Log.Error("route has no permission entry; refusing", "route", r.Pattern)
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: "no permission is declared for this route"}
	case perm == PermPublic || perm == PermSignedIn:
		return nil
	case p.Can(perm, p.Tenant):
		return nil
	}
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Msg: p.Name + " lacks permission " + string(perm) + " in tenant " + quote(p.Tenant)}
}

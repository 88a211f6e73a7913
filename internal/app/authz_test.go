package app

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/auth"
)

// endpoint is a representative request for one route pattern.
type endpoint struct {
	pattern, method, path, body string
}

// Routes whose answer the matrix does not predict from the route table:
// selfAuthenticated ones check their own credentials (SharedKey signatures),
// and globalOnly ones need their permission in every tenant ("*").
var (
	selfAuthenticated = map[string]bool{"POST /api/logs": true}
	globalOnly        = map[string]bool{"POST /api/v1/tenants": true}
)

// matrixEndpoints holds one request per route. Bodies are minimal: a request
// that passes authorization may still fail validation (400, 404), which the
// matrix counts as allowed; only 401 and 403 are denials.
var matrixEndpoints = []endpoint{
	{"GET /", "GET", "/incidents", ""},
	{"POST /v1/logs", "POST", "/v1/logs", ""},
	{"POST /api/v1/ingest/format/{format}", "POST", "/api/v1/ingest/format/nope", ""},
	{"POST /api/v1/threatIntelligence/indicators:import", "POST", "/api/v1/threatIntelligence/indicators:import", `{}`},
	{"GET /api/v1/security/tiIndicators", "GET", "/api/v1/security/tiIndicators", ""},
	{"GET /api/v1/deception/decoys", "GET", "/api/v1/deception/decoys", ""},
	{"POST /api/v1/deception/decoys", "POST", "/api/v1/deception/decoys", `{}`},
	{"GET /api/v1/deception/decoys/{id}", "GET", "/api/v1/deception/decoys/nope", ""},
	{"DELETE /api/v1/deception/decoys/{id}", "DELETE", "/api/v1/deception/decoys/nope", ""},
	{"GET /api/v1/security/alertTuningRules", "GET", "/api/v1/security/alertTuningRules", ""},
	{"POST /api/v1/security/alertTuningRules", "POST", "/api/v1/security/alertTuningRules", `{}`},
	{"POST /api/v1/security/alertTuningRules/preview", "POST", "/api/v1/security/alertTuningRules/preview", `{}`},
	{"GET /api/v1/security/alertTuningRules/{id}", "GET", "/api/v1/security/alertTuningRules/nope", ""},
	{"PUT /api/v1/security/alertTuningRules/{id}", "PUT", "/api/v1/security/alertTuningRules/nope", `{}`},
	{"DELETE /api/v1/security/alertTuningRules/{id}", "DELETE", "/api/v1/security/alertTuningRules/nope", ""},
	{"GET /api/v1/security/actions", "GET", "/api/v1/security/actions", ""},
	{"POST /api/v1/security/actions", "POST", "/api/v1/security/actions", `{}`},
	{"GET /api/v1/security/actions/{id}", "GET", "/api/v1/security/actions/nope", ""},
	{"GET /api/v1/security/actions/simulatedState", "GET", "/api/v1/security/actions/simulatedState", ""},
	{"POST /api/v1/security/actions/{id}/approve", "POST", "/api/v1/security/actions/nope/approve", `{}`},
	{"POST /api/v1/security/actions/{id}/reject", "POST", "/api/v1/security/actions/nope/reject", `{}`},
	{"POST /api/v1/security/actions/{id}/cancel", "POST", "/api/v1/security/actions/nope/cancel", `{}`},
	{"POST /api/v1/security/actions/{id}/undo", "POST", "/api/v1/security/actions/nope/undo", `{}`},
	{"GET /api/v1/security/investigations", "GET", "/api/v1/security/investigations", ""},
	{"GET /api/v1/security/investigations/{id}", "GET", "/api/v1/security/investigations/nope", ""},
	{"GET /api/v1/security/automationLevel", "GET", "/api/v1/security/automationLevel", ""},
	{"PUT /api/v1/security/automationLevel", "PUT", "/api/v1/security/automationLevel", `{"level":"bogus"}`},
	{"GET /api/v1/security/deviceGroups", "GET", "/api/v1/security/deviceGroups", ""},
	{"POST /api/v1/security/deviceGroups", "POST", "/api/v1/security/deviceGroups", `{}`},
	{"GET /api/v1/security/deviceGroups/{id}", "GET", "/api/v1/security/deviceGroups/scoped", ""},
	{"PATCH /api/v1/security/deviceGroups/{id}", "PATCH", "/api/v1/security/deviceGroups/scoped", `{"rank":0}`},
	{"DELETE /api/v1/security/deviceGroups/{id}", "DELETE", "/api/v1/security/deviceGroups/nope", ""},
	{"GET /api/v1/security/deviceGroups/{id}/devices", "GET", "/api/v1/security/deviceGroups/scoped/devices", ""},
	{"POST /api/v1/agents/enrollmentTokens", "POST", "/api/v1/agents/enrollmentTokens", `{"expiresInHours":-1}`},
	{"POST /api/v1/agents/enroll", "POST", "/api/v1/agents/enroll", `{}`},
	{"GET /api/v1/agents", "GET", "/api/v1/agents", ""},
	{"DELETE /api/v1/agents/{id}", "DELETE", "/api/v1/agents/nope", ""},
	{"GET /api/v1/agents/packages/{actionId}", "GET", "/api/v1/agents/packages/nope", ""},
	{"GET /api/v1/security/automationRules", "GET", "/api/v1/security/automationRules", ""},
	{"POST /api/v1/security/automationRules", "POST", "/api/v1/security/automationRules", `{}`},
	{"GET /api/v1/security/automationRules/{id}", "GET", "/api/v1/security/automationRules/nope", ""},
	{"PATCH /api/v1/security/automationRules/{id}", "PATCH", "/api/v1/security/automationRules/nope", `{}`},
	{"DELETE /api/v1/security/automationRules/{id}", "DELETE", "/api/v1/security/automationRules/nope", ""},
	{"GET /api/v1/security/playbooks", "GET", "/api/v1/security/playbooks", ""},
	{"POST /api/v1/security/playbooks", "POST", "/api/v1/security/playbooks", `{}`},
	{"GET /api/v1/security/playbooks/{id}", "GET", "/api/v1/security/playbooks/nope", ""},
	{"POST /api/v1/security/playbooks/{id}/run", "POST", "/api/v1/security/playbooks/nope/run", `{}`},
	{"GET /api/v1/security/playbooks/{id}/runs", "GET", "/api/v1/security/playbooks/nope/runs", ""},
	{"GET /api/v1/security/playbookRuns", "GET", "/api/v1/security/playbookRuns", ""},
	{"GET /api/v1/security/playbookRuns/{runId}", "GET", "/api/v1/security/playbookRuns/nope", ""},
	{"POST /api/v1/security/playbookRuns/{runId}/steps/{stepId}/approve", "POST", "/api/v1/security/playbookRuns/nope/steps/s/approve", `{}`},
	{"POST /api/v1/security/playbookRuns/{runId}/steps/{stepId}/reject", "POST", "/api/v1/security/playbookRuns/nope/steps/s/reject", `{}`},
	{"GET /healthz", "GET", "/healthz", ""},
	{"GET /readyz", "GET", "/readyz", ""},
	{"GET /metrics", "GET", "/metrics", ""},
	{"POST /api/logs", "POST", "/api/logs", ""},
	{"POST /api/v1/auth/login", "POST", "/api/v1/auth/login", "{}"},
	{"GET /api/v1/auth/oidc/login", "GET", "/api/v1/auth/oidc/login", ""},
	{"GET /api/v1/auth/oidc/callback", "GET", "/api/v1/auth/oidc/callback", ""},
	{"POST /api/v1/auth/logout", "POST", "/api/v1/auth/logout", ""},
	{"GET /api/v1/auth/me", "GET", "/api/v1/auth/me", ""},
	{"POST /api/v1/ingest/{table}", "POST", "/api/v1/ingest/NoSuchTable", "[]"},
	{"POST /dataCollectionRules/{dcr}/streams/{stream}", "POST", "/dataCollectionRules/d/streams/Custom-NoSuchTable", "[]"},
	{"GET /api/v1/tables", "GET", "/api/v1/tables", ""},
	{"GET /api/v1/tables/{name}", "GET", "/api/v1/tables/SigninLogs", ""},
	{"PUT /api/v1/tables/{name}", "PUT", "/api/v1/tables/Bad", "{}"},
	{"POST /api/v1/admin/sql", "POST", "/api/v1/admin/sql", `{"query":"SELECT 1"}`},
	{"POST /api/v1/security/runHuntingQuery", "POST", "/api/v1/security/runHuntingQuery", `{"Query":"print 1"}`},
	{"GET /api/v1/security/huntingQueries", "GET", "/api/v1/security/huntingQueries", ""},
	{"POST /api/v1/security/huntingQueries", "POST", "/api/v1/security/huntingQueries", `{}`},
	{"GET /api/v1/security/huntingQueries/templates", "GET", "/api/v1/security/huntingQueries/templates", ""},
	{"GET /api/v1/security/huntingQueries/{id}", "GET", "/api/v1/security/huntingQueries/nope", ""},
	{"PUT /api/v1/security/huntingQueries/{id}", "PUT", "/api/v1/security/huntingQueries/nope", `{}`},
	{"DELETE /api/v1/security/huntingQueries/{id}", "DELETE", "/api/v1/security/huntingQueries/nope", ""},
	{"GET /api/v1/security/watchlists", "GET", "/api/v1/security/watchlists", ""},
	{"POST /api/v1/security/watchlists", "POST", "/api/v1/security/watchlists", `{}`},
	{"GET /api/v1/security/watchlists/{alias}", "GET", "/api/v1/security/watchlists/nope", ""},
	{"DELETE /api/v1/security/watchlists/{alias}", "DELETE", "/api/v1/security/watchlists/nope", ""},
	{"GET /api/v1/security/watchlists/{alias}/watchlistItems", "GET", "/api/v1/security/watchlists/nope/watchlistItems", ""},
	{"POST /api/v1/security/watchlists/{alias}/watchlistItems", "POST", "/api/v1/security/watchlists/nope/watchlistItems", `{}`},
	{"PUT /api/v1/security/watchlists/{alias}/watchlistItems/{id}", "PUT", "/api/v1/security/watchlists/nope/watchlistItems/x", `{}`},
	{"DELETE /api/v1/security/watchlists/{alias}/watchlistItems/{id}", "DELETE", "/api/v1/security/watchlists/nope/watchlistItems/x", ""},
	{"GET /api/v1/security/savedFilters", "GET", "/api/v1/security/savedFilters", ""},
	{"POST /api/v1/security/savedFilters", "POST", "/api/v1/security/savedFilters", `{}`},
	{"GET /api/v1/security/savedFilters/{id}", "GET", "/api/v1/security/savedFilters/nope", ""},
	{"PUT /api/v1/security/savedFilters/{id}", "PUT", "/api/v1/security/savedFilters/nope", `{}`},
	{"DELETE /api/v1/security/savedFilters/{id}", "DELETE", "/api/v1/security/savedFilters/nope", ""},
	{"GET /api/v1/security/incidents", "GET", "/api/v1/security/incidents", ""},
	{"GET /api/v1/security/incidents/{id}", "GET", "/api/v1/security/incidents/999", ""},
	{"PATCH /api/v1/security/incidents/{id}", "PATCH", "/api/v1/security/incidents/999", `{"status":"resolved"}`},
	{"POST /api/v1/security/incidents/{id}/comments", "POST", "/api/v1/security/incidents/999/comments", `{"comment":"x"}`},
	{"GET /api/v1/security/incidents/{id}/history", "GET", "/api/v1/security/incidents/999/history", ""},
	{"GET /api/v1/security/incidents/{id}/timeline", "GET", "/api/v1/security/incidents/999/timeline", ""},
	{"GET /api/v1/security/alerts_v2", "GET", "/api/v1/security/alerts_v2", ""},
	{"GET /api/v1/security/alerts_v2/{id}", "GET", "/api/v1/security/alerts_v2/nope", ""},
	{"PATCH /api/v1/security/alerts_v2/{id}", "PATCH", "/api/v1/security/alerts_v2/nope", `{}`},
	{"POST /api/v1/security/alerts", "POST", "/api/v1/security/alerts", `[]`},
	{"GET /api/v1/security/events", "GET", "/api/v1/security/events?probe=1", ""},
	{"GET /api/v1/security/rules/detectionRules", "GET", "/api/v1/security/rules/detectionRules", ""},
	{"POST /api/v1/security/rules/detectionRules", "POST", "/api/v1/security/rules/detectionRules", `{}`},
	{"GET /api/v1/security/rules/detectionRules/{id}", "GET", "/api/v1/security/rules/detectionRules/nope", ""},
	{"PUT /api/v1/security/rules/detectionRules/{id}", "PUT", "/api/v1/security/rules/detectionRules/nope", `{}`},
	{"PATCH /api/v1/security/rules/detectionRules/{id}", "PATCH", "/api/v1/security/rules/detectionRules/nope", `{}`},
	{"DELETE /api/v1/security/rules/detectionRules/{id}", "DELETE", "/api/v1/security/rules/detectionRules/nope", ""},
	{"POST /api/v1/security/rules/detectionRules/{id}/test", "POST", "/api/v1/security/rules/detectionRules/nope/test", `{}`},
	{"GET /api/v1/security/rules/detectionRules/{id}/source", "GET", "/api/v1/security/rules/detectionRules/nope/source", ""},
	{"GET /api/v1/users", "GET", "/api/v1/users", ""},
	{"POST /api/v1/users", "POST", "/api/v1/users", `{"username":""}`},
	{"GET /api/v1/users/{id}", "GET", "/api/v1/users/nope", ""},
	{"PATCH /api/v1/users/{id}", "PATCH", "/api/v1/users/nope", `{}`},
	{"GET /api/v1/apiKeys", "GET", "/api/v1/apiKeys", ""},
	{"POST /api/v1/apiKeys", "POST", "/api/v1/apiKeys", `{"name":""}`},
	{"DELETE /api/v1/apiKeys/{id}", "DELETE", "/api/v1/apiKeys/nope", ""},
	{"GET /api/v1/roles", "GET", "/api/v1/roles", ""},
	{"PUT /api/v1/roles/{id}", "PUT", "/api/v1/roles/global-admin", `{}`},
	{"DELETE /api/v1/roles/{id}", "DELETE", "/api/v1/roles/nope", ""},
	{"GET /api/v1/tenants", "GET", "/api/v1/tenants", ""},
	{"POST /api/v1/tenants", "POST", "/api/v1/tenants", `{"id":""}`},
	{"GET /api/v1/audit", "GET", "/api/v1/audit", ""},
	{"GET /api/v1/audit/verify", "GET", "/api/v1/audit/verify", ""},
	{"GET /api/v1/audit/retention", "GET", "/api/v1/audit/retention", ""},
	{"PUT /api/v1/audit/retention", "PUT", "/api/v1/audit/retention", `{"retention":"1h"}`},
	{"POST /services/collector", "POST", "/services/collector", ""},
	{"POST /services/collector/event", "POST", "/services/collector/event", ""},
	{"POST /services/collector/event/1.0", "POST", "/services/collector/event/1.0", ""},
	{"POST /services/collector/raw", "POST", "/services/collector/raw", ""},
	{"POST /services/collector/raw/1.0", "POST", "/services/collector/raw/1.0", ""},
	{"GET /services/collector/health", "GET", "/services/collector/health", ""},
	{"GET /services/collector/health/1.0", "GET", "/services/collector/health/1.0", ""},
	{"GET /{$}", "GET", "/", ""},
	{"GET /_license", "GET", "/_license", ""},
	{"GET /_xpack", "GET", "/_xpack", ""},
	{"GET /_cluster/health", "GET", "/_cluster/health", ""},
	{"POST /_bulk", "POST", "/_bulk", ""},
	{"PUT /_bulk", "PUT", "/_bulk", ""},
	{"POST /{index}/_bulk", "POST", "/logs/_bulk", ""},
	{"PUT /{index}/{op}", "PUT", "/logs/_doc", ""},
	{"GET /_index_template/{name}", "GET", "/_index_template/x", ""},
	{"PUT /_index_template/{name}", "PUT", "/_index_template/x", "{}"},
	{"GET /_template/{name}", "GET", "/_template/x", ""},
	{"PUT /_template/{name}", "PUT", "/_template/x", "{}"},
	{"GET /_ilm/policy/{name}", "GET", "/_ilm/policy/x", ""},
	{"PUT /_ilm/policy/{name}", "PUT", "/_ilm/policy/x", "{}"},
}

// TestAuthzMatrix runs, for every built-in role granted in the default
// tenant, every route in its own tenant and in another tenant, against the
// real server, and expects exactly what the role and route tables say:
// allowed when the role holds the route's permission in the tenant acted in,
// denied (401 or 403) otherwise.
func TestAuthzMatrix(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Agents.Listen = "127.0.0.1:0" }) // agents on, so their routes are served
	perms := api.RoutePermissions()
	covered := map[string]bool{}
	for _, e := range matrixEndpoints {
		covered[e.pattern] = true
		if _, ok := perms[e.pattern]; !ok {
			t.Errorf("matrix endpoint %q is not a route", e.pattern)
		}
	}
	for p := range perms {
		if !covered[p] {
			t.Errorf("route %q has no representative request in matrixEndpoints", p)
		}
	}
	mustStatus(t, s.do(t, "POST", "/api/v1/tenants", []byte(`{"id":"other","name":"Other"}`), nil), http.StatusCreated)
	mustStatus(t, s.do(t, "POST", "/api/v1/security/deviceGroups", []byte(`{"id":"scoped","name":"Scoped","rules":[{"field":"deviceName","op":"startsWith","value":"srv"}]}`), nil), http.StatusCreated)
	served := servedEndpoints(t, s)
	// Each built-in role, then each restricted to a device group: the scope
	// narrows the devices a route reaches, never which routes are allowed.
	type principal struct {
		name string
		role auth.Role
		key  string
	}
	var principals []principal
	for _, role := range auth.BuiltinRoles() {
		principals = append(principals, principal{role.ID, role, createKey(t, s, role.ID, role.ID, "default")},
			principal{role.ID + "@default/scoped", role, createScopedKey(t, s, role.ID+"-scoped", role.ID, "default", "scoped")})
	}
	for _, pr := range principals {
		key := pr.key
		held := auth.NewPermSet(pr.role.Permissions...)
		for _, tenant := range []string{"default", "other"} {
			for _, e := range matrixEndpoints {
				if selfAuthenticated[e.pattern] || !served[e.pattern] {
					continue
				}
				want := allowed(perms[e.pattern], held, tenant == "default") && !globalOnly[e.pattern]
				r := s.probe(t, e, map[string]string{"Authorization": "Bearer " + key, "X-Vigil-Tenant": tenant})
				got := r.status != http.StatusUnauthorized && r.status != http.StatusForbidden
				if got != want {
					t.Errorf("%s in %s: %s %s = %d %.200s; want allowed=%v", pr.name, tenant, e.method, e.path, r.status, r.body, want)
				}
			}
		}
	}
}

// servedEndpoints returns the patterns the server serves in this
// configuration: routes whose dependencies are not configured answer the
// admin key with the router's own 404 or 405.
func servedEndpoints(t *testing.T, s *testServer) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, e := range matrixEndpoints {
		r := s.probe(t, e, nil)
		if r.status == http.StatusMethodNotAllowed || strings.Contains(r.body, "no such endpoint") {
			t.Logf("%s: not served in the test configuration", e.pattern)
			continue
		}
		out[e.pattern] = true
	}
	return out
}

// allowed is the matrix's expectation for a route needing perm, for a role
// holding held in the tenant acted in when own, and nothing elsewhere.
func allowed(perm auth.Permission, held auth.PermSet, own bool) bool {
	if perm == api.PermPublic {
		return true
	}
	return own && (perm == api.PermSignedIn || held.Has(perm))
}

// createKey creates, with the admin key, an API key holding role in tenant
// and returns the key.
func createKey(t *testing.T, s *testServer, name, role, tenant string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "defaultTenant": tenant, "roles": []map[string]string{{"role": role, "tenant": tenant}}})
	r := s.do(t, "POST", "/api/v1/apiKeys", body, nil)
	mustStatus(t, r, http.StatusCreated)
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(r.body), &k); err != nil || !strings.HasPrefix(k.Key, auth.KeyPrefix) {
		t.Fatalf("create key: %s", r.body)
	}
	return k.Key
}

// createScopedKey creates, with the admin key, an API key holding role in
// tenant restricted to the device groups groups, and returns the key.
func createScopedKey(t *testing.T, s *testServer, name, role, tenant string, groups ...string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"name": name, "defaultTenant": tenant,
		"roles": []map[string]any{{"role": role, "tenant": tenant, "deviceGroups": groups}}})
	r := s.do(t, "POST", "/api/v1/apiKeys", body, nil)
	mustStatus(t, r, http.StatusCreated)
	var k struct{ Key string }
	if err := json.Unmarshal([]byte(r.body), &k); err != nil || !strings.HasPrefix(k.Key, auth.KeyPrefix) {
		t.Fatalf("create key: %s", r.body)
	}
	return k.Key
}

// probe sends e and returns its status and the start of its body, without
// waiting for the end of streamed answers (the live event feed).
func (s *testServer) probe(t *testing.T, e endpoint, hdr map[string]string) reply {
	t.Helper()
	req, _ := http.NewRequest(e.method, s.url+e.path, strings.NewReader(e.body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return reply{resp.StatusCode, resp.Header, "(event stream)"}
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func mustStatus(t *testing.T, r reply, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

// TestAuthzAdminKeyEverywhere checks that the admin key from DATA/admin.key
// stays a global administrator: allowed on every route in every tenant.
func TestAuthzAdminKeyEverywhere(t *testing.T) {
	s := startTest(t, nil)
	mustStatus(t, s.do(t, "POST", "/api/v1/tenants", []byte(`{"id":"other"}`), nil), http.StatusCreated)
	for _, tenant := range []string{"default", "other"} {
		for _, e := range matrixEndpoints {
			if selfAuthenticated[e.pattern] {
				continue
			}
			r := s.probe(t, e, map[string]string{"X-Vigil-Tenant": tenant})
			if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
				t.Errorf("admin key in %s: %s %s = %d %.200s", tenant, e.method, e.path, r.status, r.body)
			}
		}
	}
}

// TestAuthzMultiTenantHunting grants a reader two tenants and checks that a
// query across both reads both, one not granted is refused, and an ingest
// token cannot hunt.
func TestAuthzMultiTenantHunting(t *testing.T) {
	s := startTest(t, nil)
	for _, tn := range []string{"a", "b", "c"} {
		mustStatus(t, s.do(t, "POST", "/api/v1/tenants", []byte(`{"id":"`+tn+`"}`), nil), http.StatusCreated)
		ing := createKey(t, s, "ingest-"+tn, auth.RoleIngest, tn)
		row := `[{"Timestamp":"2026-01-01T00:00:00Z","DeviceName":"dev-` + tn + `","FileName":"x.exe","ReportId":1}]`
		mustStatus(t, s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(row), map[string]string{"Authorization": "Bearer " + ing}), http.StatusOK)
		hunt := s.do(t, "POST", "/api/v1/security/runHuntingQuery", []byte(`{"Query":"print 1"}`), map[string]string{"Authorization": "Bearer " + ing})
		mustStatus(t, hunt, http.StatusForbidden)
	}
	s.settle(t)
	body, _ := json.Marshal(map[string]any{"name": "mssp", "defaultTenant": "a", "roles": []map[string]string{{"role": auth.RoleReader, "tenant": "a"}, {"role": auth.RoleReader, "tenant": "b"}}})
	r := s.do(t, "POST", "/api/v1/apiKeys", body, nil)
	mustStatus(t, r, http.StatusCreated)
	var k struct{ Key string }
	_ = json.Unmarshal([]byte(r.body), &k)
	q := []byte(`{"Query":"DeviceProcessEvents | where TenantId != 'zzz' | summarize by TenantId, DeviceName | order by TenantId asc"}`)
	for _, tc := range []struct {
		tenants string
		status  int
		want    []string
	}{
		{"", 200, []string{"a"}},
		{"b", 200, []string{"b"}},
		{"a,b", 200, []string{"a", "b"}},
		{"*", 200, []string{"a", "b"}},
		{"a,c", 403, nil},
		{"c", 403, nil},
	} {
		r := s.do(t, "POST", "/api/v1/security/runHuntingQuery", q, map[string]string{"Authorization": "Bearer " + k.Key, "X-Vigil-Tenant": tc.tenants})
		if r.status != tc.status {
			t.Errorf("tenants %q: %d %s", tc.tenants, r.status, r.body)
			continue
		}
		if tc.status != 200 {
			continue
		}
		var res struct{ Results []map[string]any }
		_ = json.Unmarshal([]byte(r.body), &res)
		var got []string
		for _, row := range res.Results {
			got = append(got, row["TenantId"].(string))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("tenants %q: saw %v, want %v", tc.tenants, got, tc.want)
		}
	}
}

// TestAuthzTablePermissions runs a hunting query naming VigilAudit, and one
// over Vigil*, for every built-in role: naming it needs audit:read as well as
// hunting:run; the pattern reads it only with audit:read and otherwise
// skips it.
func TestAuthzTablePermissions(t *testing.T) {
	s := startTest(t, nil)
	for _, role := range auth.BuiltinRoles() {
		key := createKey(t, s, role.ID, role.ID, "default")
		held := auth.NewPermSet(role.Permissions...)
		r := s.as(t, key, "POST", "/api/v1/security/runHuntingQuery", `{"Query":"VigilAudit | take 1"}`)
		switch {
		case !held.Has(auth.HuntingRun):
			if r.status != http.StatusForbidden {
				t.Errorf("%s: %d %s, want 403", role.ID, r.status, r.body)
			}
		case held.Has(auth.AuditRead):
			if r.status != http.StatusOK {
				t.Errorf("%s with audit:read: %d %s", role.ID, r.status, r.body)
			}
		default:
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"message":"table VigilAudit needs the audit:read permission"`) {
				t.Errorf("%s without audit:read: %d %s", role.ID, r.status, r.body)
			}
		}
		if !held.Has(auth.HuntingRun) {
			continue
		}
		r = s.as(t, key, "POST", "/api/v1/security/runHuntingQuery", `{"Query":"union withsource=T Vigil* | summarize by T"}`)
		if r.status != http.StatusOK || !held.Has(auth.AuditRead) && strings.Contains(r.body, `"VigilAudit"`) {
			t.Errorf("%s: union Vigil*: %d %s", role.ID, r.status, r.body)
		}
	}
	// The audit copy is asynchronous; once it holds rows, audit:read sees them through the pattern.
	s.settle(t)
	admin := createKey(t, s, "secadmin-2", auth.RoleSecAdmin, "default")
	reader := createKey(t, s, "reader-2", auth.RoleReader, "default")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r := s.as(t, admin, "POST", "/api/v1/security/runHuntingQuery", `{"Query":"union withsource=T Vigil* | summarize by T"}`)
		if strings.Contains(r.body, `"VigilAudit"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("security-admin never saw VigilAudit rows through union Vigil*: %s", r.body)
		}
	}
	if r := s.as(t, reader, "POST", "/api/v1/security/runHuntingQuery", `{"Query":"union withsource=T Vigil* | summarize by T"}`); strings.Contains(r.body, `"VigilAudit"`) {
		t.Errorf("reader saw VigilAudit rows through union Vigil*: %s", r.body)
	}
}

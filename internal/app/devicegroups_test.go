package app

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
)

// TestDeviceGroupScope runs device groups end to end on the real server:
// groups over DeviceInfo, their members, hunting restricted to a scoped
// principal's devices (through every escape), response actions refused
// outside its groups and taking the group's automation level, and grants
// that may not widen a granter's scope.
func TestDeviceGroupScope(t *testing.T) {
	s := startTest(t, nil)
	mustStatus(t, s.do(t, "POST", "/api/v1/tenants", []byte(`{"id":"other"}`), nil), http.StatusCreated)
	for _, g := range []string{
		`{"id":"servers","name":"Servers","automationLevel":"full","rules":[{"field":"deviceName","op":"startsWith","value":"srv"}]}`,
		`{"id":"tagged","name":"Finance","rules":[{"field":"tag","op":"equals","value":"finance"},{"field":"osPlatform","op":"equals","value":"Windows11"}]}`,
	} {
		mustStatus(t, s.do(t, "POST", "/api/v1/security/deviceGroups", []byte(g), nil), http.StatusCreated)
	}
	bad := s.do(t, "POST", "/api/v1/security/deviceGroups", []byte(`{"id":"x","name":"X","rules":[{"field":"deviceName","op":"like","value":"a"}]}`), nil)
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `rule 1: op \"like\" is not one of`) {
		t.Errorf("bad rule: %d %s", bad.status, bad.body)
	}
	ingest := func(tenant, table, rows string) {
		key := createKey(t, s, "ing-"+tenant+table, auth.RoleIngest, tenant)
		mustStatus(t, s.do(t, "POST", "/api/v1/ingest/"+table, []byte(rows), map[string]string{"Authorization": "Bearer " + key}), http.StatusOK)
	}
	ingest("default", "DeviceInfo", `[
		{"Timestamp":"2026-01-01T00:00:00Z","DeviceId":"d1","DeviceName":"srv1.contoso.com","OSPlatform":"WindowsServer2022"},
		{"Timestamp":"2026-01-01T00:00:00Z","DeviceId":"d2","DeviceName":"ws1.contoso.com","OSPlatform":"Windows11","DeviceManualTags":"[\"finance\"]"},
		{"Timestamp":"2026-01-01T00:00:00Z","DeviceId":"d3","DeviceName":"ws2.contoso.com","OSPlatform":"Windows11"},
		{"Timestamp":"2026-01-02T00:00:00Z","DeviceId":"d3","DeviceName":"srv2.contoso.com","OSPlatform":"Windows11"}]`)
	ingest("default", "DeviceProcessEvents", `[
		{"Timestamp":"2026-01-01T00:00:00Z","DeviceId":"d1","DeviceName":"srv1.contoso.com","FileName":"a.exe","AccountName":"svc"},
		{"Timestamp":"2026-01-01T00:00:00Z","DeviceId":"d2","DeviceName":"ws1.contoso.com","FileName":"b.exe","AccountName":"alice"},
		{"Timestamp":"2026-01-01T00:00:00Z","DeviceName":"laptop9","FileName":"c.exe","AccountName":"mallory"}]`)
	ingest("other", "DeviceProcessEvents", `[{"Timestamp":"2026-01-01T00:00:00Z","DeviceName":"srv1.contoso.com","FileName":"d.exe","AccountName":"eve"}]`)
	s.settle(t)

	// Members: the latest DeviceInfo row of each device (d3 was renamed into servers).
	var members struct {
		Value []struct {
			Name string `json:"deviceName"`
		}
	}
	r := s.do(t, "GET", "/api/v1/security/deviceGroups/servers/devices", nil, nil)
	mustStatus(t, r, http.StatusOK)
	_ = json.Unmarshal([]byte(r.body), &members)
	if len(members.Value) != 2 || members.Value[0].Name != "srv1.contoso.com" || members.Value[1].Name != "srv2.contoso.com" {
		t.Errorf("servers members: %s", r.body)
	}
	mustStatus(t, s.do(t, "GET", "/api/v1/security/deviceGroups/nope/devices", nil, nil), http.StatusNotFound)

	srv := createScopedKey(t, s, "srv-team", auth.RoleSecAdmin, "default", "servers")
	// Hunting: only the servers' rows, whatever the query writes.
	for _, q := range []string{
		`DeviceProcessEvents | project DeviceName, AccountName`,
		`DeviceProcessEvents | where DeviceName != 'x' or true | project DeviceName, AccountName`,
		`union Device* | where isnotempty(AccountName) | project DeviceName, AccountName`,
		`search in (DeviceProcessEvents) "exe" | project DeviceName, AccountName`,
		`let x = DeviceProcessEvents | where TenantId == 'other'; x | union (DeviceProcessEvents) | project DeviceName, AccountName`,
	} {
		got := huntNames(t, s, srv, q, "")
		for _, n := range got {
			if !strings.HasPrefix(n, "srv") || strings.Contains(n, "eve") {
				t.Errorf("%s: scoped principal saw %q (all: %v)", q, n, got)
			}
		}
	}
	if got := huntNames(t, s, srv, `DeviceProcessEvents | project DeviceName, AccountName`, ""); !slices.Equal(got, []string{"srv1.contoso.com/svc"}) {
		t.Errorf("scoped rows %v", got)
	}
	// A device in scope shows its whole history, rows under its former name included (by DeviceId).
	want := []string{"srv1.contoso.com/", "srv2.contoso.com/", "ws2.contoso.com/"}
	if got := huntNames(t, s, srv, `DeviceInfo | summarize by DeviceName | project DeviceName, AccountName = ''`, ""); !slices.Equal(got, want) {
		t.Errorf("DeviceInfo rows %v, want %v", got, want)
	}
	// VigilAudit: security-admin holds audit:read, a reader does not.
	reader := createScopedKey(t, s, "reader-srv", auth.RoleReader, "default", "servers")
	if r := s.as(t, reader, "POST", "/api/v1/security/runHuntingQuery", `{"Query":"VigilAudit | take 1"}`); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, "table VigilAudit needs the audit:read permission") {
		t.Errorf("reader reads VigilAudit: %d %s", r.status, r.body)
	}
	mustStatus(t, s.as(t, srv, "POST", "/api/v1/security/runHuntingQuery", `{"Query":"VigilAudit | take 1"}`), http.StatusOK)

	// Response: outside the groups is refused with the reason; inside takes the group's level (full).
	r = s.as(t, srv, "POST", "/api/v1/security/actions", `{"type":"isolateDevice","target":{"device":"ws1.contoso.com"}}`)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "device ws1.contoso.com is in device group tagged, outside your device groups (servers)") {
		t.Errorf("out-of-scope action: %d %s", r.status, r.body)
	}
	a := decodeAction(t, s.as(t, srv, "POST", "/api/v1/security/actions", `{"type":"isolateDevice","target":{"device":"srv2.contoso.com"}}`), http.StatusCreated)
	if a.Status == "pendingApproval" {
		t.Errorf("servers group is full automation, the action waits: %+v", a)
	}
	// The tenant's level (semi) still holds elsewhere, for an unscoped responder.
	resp := createKey(t, s, "resp", auth.RoleResponder, "default")
	if b := decodeAction(t, s.as(t, resp, "POST", "/api/v1/security/actions", `{"type":"isolateDevice","target":{"device":"ws2-unknown"}}`), http.StatusCreated); b.Status != "pendingApproval" {
		t.Errorf("ungrouped device: %+v", b)
	}
	// Approving an out-of-scope action is refused too.
	c := decodeAction(t, s.as(t, resp, "POST", "/api/v1/security/actions", `{"type":"isolateDevice","target":{"device":"ws1.contoso.com"}}`), http.StatusCreated)
	mustStatus(t, s.as(t, srv, "POST", "/api/v1/security/actions/"+c.ID+"/approve", `{}`), http.StatusForbidden)
	// ... and out-of-scope actions are not shown, by list or by id.
	mustStatus(t, s.as(t, srv, "GET", "/api/v1/security/actions/"+c.ID, ""), http.StatusNotFound)
	mustStatus(t, s.as(t, srv, "GET", "/api/v1/security/actions/"+a.ID, ""), http.StatusOK)
	if l := s.as(t, srv, "GET", "/api/v1/security/actions", ""); !strings.Contains(l.body, a.ID) || strings.Contains(l.body, c.ID) {
		t.Errorf("scoped action list: %s", l.body)
	}
	if l := s.as(t, resp, "GET", "/api/v1/security/actions", ""); !strings.Contains(l.body, c.ID) {
		t.Errorf("unscoped action list lacks %s: %s", c.ID, l.body)
	}

	// Incidents and alerts: those naming a device of the groups, or no device at all.
	checkIncidentScope(t, s, srv)

	// No escalation: a scoped granter cannot give an unscoped or wider grant.
	admin := createScopedKey(t, s, "tenant-admin", auth.RoleGlobalAdmin, "default", "servers")
	for body, want := range map[string]int{
		`{"name":"k1","defaultTenant":"default","roles":[{"role":"security-reader","tenant":"default"}]}`:                                  http.StatusForbidden,
		`{"name":"k2","defaultTenant":"default","roles":[{"role":"security-reader","tenant":"default","deviceGroups":["tagged"]}]}`:        http.StatusForbidden,
		`{"name":"k3","defaultTenant":"default","roles":[{"role":"security-reader","tenant":"default","deviceGroups":["servers"]}]}`:       http.StatusCreated,
		`{"name":"k4","defaultTenant":"default","roles":[{"role":"security-reader","tenant":"default","deviceGroups":["no-such-group"]}]}`: http.StatusForbidden,
	} {
		if r := s.as(t, admin, "POST", "/api/v1/apiKeys", body); r.status != want {
			t.Errorf("%s: %d %s, want %d", body, r.status, r.body, want)
		}
	}
	if r := s.do(t, "POST", "/api/v1/apiKeys", []byte(`{"name":"k5","defaultTenant":"default","roles":[{"role":"security-reader","tenant":"default","deviceGroups":["no-such-group"]}]}`), nil); r.status != http.StatusBadRequest {
		t.Errorf("grant of an unknown device group: %d %s", r.status, r.body)
	}
}

// huntNames runs q as key and returns DeviceName/AccountName of each row.
func huntNames(t *testing.T, s *testServer, key, q, tenants string) []string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"Query": q})
	hdr := map[string]string{"Authorization": "Bearer " + key}
	if tenants != "" {
		hdr["X-Vigil-Tenant"] = tenants
	}
	r := s.do(t, "POST", "/api/v1/security/runHuntingQuery", body, hdr)
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", q, r.status, r.body)
	}
	var res struct{ Results []map[string]any }
	_ = json.Unmarshal([]byte(r.body), &res)
	var out []string
	for _, row := range res.Results {
		n, _ := row["DeviceName"].(string)
		a, _ := row["AccountName"].(string)
		out = append(out, n+"/"+a)
	}
	slices.Sort(out)
	return out
}

// checkIncidentScope imports alerts on a server, on a workstation and on a
// user only, and checks what the principal restricted to the servers sees.
func checkIncidentScope(t *testing.T, s *testServer, key string) {
	t.Helper()
	now := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	alerts := `{"value":[
		{"id":"a-srv","title":"on a server","severity":"high","createdDateTime":"` + now + `","evidence":[{"@odata.type":"#microsoft.graph.security.deviceEvidence","deviceDnsName":"srv1.contoso.com"}]},
		{"id":"a-ws","title":"on a workstation","severity":"high","createdDateTime":"` + now + `","evidence":[{"@odata.type":"#microsoft.graph.security.deviceEvidence","deviceDnsName":"ws1.contoso.com"}]},
		{"id":"a-user","title":"on a user","severity":"low","createdDateTime":"` + now + `","evidence":[{"@odata.type":"#microsoft.graph.security.userEvidence","userAccount":{"accountName":"zed","userPrincipalName":"zed@contoso.com"}}]}]}`
	mustStatus(t, s.do(t, "POST", "/api/v1/security/alerts", []byte(alerts), nil), http.StatusCreated)
	type alertRow struct {
		ID         string `json:"id"`
		IncidentID string `json:"incidentId"`
	}
	list := func(k string) map[string]string {
		r := s.do(t, "GET", "/api/v1/security/alerts_v2", nil, map[string]string{"Authorization": "Bearer " + k})
		mustStatus(t, r, http.StatusOK)
		var res struct{ Value []alertRow }
		_ = json.Unmarshal([]byte(r.body), &res)
		out := map[string]string{}
		for _, a := range res.Value {
			out[a.ID] = a.IncidentID
		}
		return out
	}
	all := list(s.key)
	mine := list(key)
	if len(all) != 3 || len(mine) != 2 || mine["a-srv"] == "" || mine["a-user"] == "" {
		t.Fatalf("alerts: all %v, scoped %v", all, mine)
	}
	hdr := map[string]string{"Authorization": "Bearer " + key}
	mustStatus(t, s.do(t, "GET", "/api/v1/security/alerts_v2/a-ws", nil, hdr), http.StatusNotFound)
	mustStatus(t, s.do(t, "GET", "/api/v1/security/alerts_v2/a-srv", nil, hdr), http.StatusOK)
	if ws := all["a-ws"]; ws != all["a-srv"] && ws != all["a-user"] {
		mustStatus(t, s.do(t, "GET", "/api/v1/security/incidents/"+ws, nil, hdr), http.StatusNotFound)
		for _, sub := range []string{"/history", "/timeline"} { // as hidden as the incident
			mustStatus(t, s.do(t, "GET", "/api/v1/security/incidents/"+ws+sub, nil, hdr), http.StatusNotFound)
			mustStatus(t, s.do(t, "GET", "/api/v1/security/incidents/"+all["a-srv"]+sub, nil, hdr), http.StatusOK)
		}
		r := s.do(t, "GET", "/api/v1/security/incidents", nil, hdr)
		if strings.Contains(r.body, `"id":"`+ws+`"`) {
			t.Errorf("incident %s of the workstation listed: %s", ws, r.body)
		}
	}
	mustStatus(t, s.do(t, "GET", "/api/v1/security/incidents/"+all["a-srv"], nil, hdr), http.StatusOK)
}

package app

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
)

// TestAttackDisruptionPolicy sets dry run and exclusions through the automationLevel API and
// runs the credential-theft scenario through the real alert path: a dry run only comments,
// an excluded device is never isolated, and otherwise the device is isolated, the account
// disabled and the incident tagged.
func TestAttackDisruptionPolicy(t *testing.T) {
	s := startTest(t, nil)
	ctx := context.Background()
	const path = "/api/v1/security/automationLevel"
	admin := createKey(t, s, "secadmin", auth.RoleSecAdmin, "default")
	responder := createKey(t, s, "resp", auth.RoleResponder, "default")
	mustStatus(t, s.as(t, responder, "PUT", path, `{"disruptionDryRun":true}`), http.StatusForbidden)
	r := s.as(t, admin, "PUT", path, `{"disruptionExclusions":{"devices":["dc01",""]}}`)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "disruptionExclusions.devices[1]: empty name") {
		t.Errorf("bad exclusions: %d %s", r.status, r.body)
	}
	r = s.as(t, admin, "PUT", path, `{"disruptionDryRun":true,"disruptionExclusions":{"devices":["ws-excl"],"accounts":["breakglass@corp.example"]}}`)
	want := `{"level":"semi","fourEyes":true,"attackDisruption":true,"disruptionDryRun":true,"disruptionExclusions":{"devices":["ws-excl"],"accounts":["breakglass@corp.example"]}}` + "\n"
	if r.status != http.StatusOK || r.body != want || s.do(t, "GET", path, nil, nil).body != want {
		t.Fatalf("put policy: %d %s, want %s", r.status, r.body, want)
	}
	incidentOf := func(alertID string) int64 {
		t.Helper()
		a, err := s.a.meta.Alert(ctx, meta.DefaultTenantID, alertID)
		if err != nil {
			t.Fatal(err)
		}
		return a.IncidentID
	}
	comments := func(id int64) []string {
		cs, err := s.a.meta.IncidentComments(ctx, meta.DefaultTenantID, id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Comment)
		}
		return out
	}

	// Dry run: a comment, no action, no tag.
	now := time.Now().UTC()
	putAlerts(t, s, credentialTheftAlerts("dry", now)...)
	id := incidentOf("dump-dry")
	for deadline := time.Now().Add(10 * time.Second); len(comments(id)) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
	}
	if c := comments(id); len(c) != 1 || !strings.HasPrefix(c[0], "Attack disruption (dry run) would have isolated ws-dry.corp.example and disabled u-dry@corp.example: ") {
		t.Errorf("dry run comments: %q", c)
	}
	if _, ok, _ := isolation(ctx, s.a.meta, "ws-dry.corp.example"); ok {
		t.Error("dry run requested an isolation")
	}
	if in, _ := s.a.meta.Incident(ctx, meta.DefaultTenantID, id); slices.Contains(in.Tags, respond.DisruptedTag) {
		t.Errorf("dry run tagged the incident: %v", in.Tags)
	}

	// Live: the excluded device is left alone, the next incident is contained. Incidents are
	// evaluated in order, so once the second is contained the first has been decided.
	mustStatus(t, s.as(t, admin, "PUT", path, `{"disruptionDryRun":false}`), http.StatusOK)
	putAlerts(t, s, credentialTheftAlerts("excl", now)...)
	putAlerts(t, s, credentialTheftAlerts("live", now)...)
	if _, err := waitIsolated(ctx, s.a.meta, "ws-live.corp.example", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := isolation(ctx, s.a.meta, "ws-excl.corp.example"); ok {
		t.Error("an excluded device was isolated")
	}
	live := incidentOf("dump-live")
	acts, err := s.a.meta.Actions(ctx, meta.DefaultTenantID, meta.ActionFilter{IncidentID: live})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, a := range acts {
		types = append(types, a.Type+" "+a.TargetKey)
	}
	slices.Sort(types)
	if !slices.Equal(types, []string{"disableAccount u-live@corp.example", "isolateDevice ws-live.corp.example"}) {
		t.Errorf("live actions: %v", types)
	}
	// The tag follows the requests, which may complete first.
	var in meta.Incident
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if in, _ = s.a.meta.Incident(ctx, meta.DefaultTenantID, live); slices.Contains(in.Tags, respond.DisruptedTag) {
			break
		}
	}
	if !slices.Contains(in.Tags, respond.DisruptedTag) {
		t.Errorf("live incident tags: %v", in.Tags)
	}
}

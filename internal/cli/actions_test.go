package cli

import (
	"strings"
	"testing"
)

func TestActionsCommands(t *testing.T) {
	t.Setenv("VIGIL_API_KEY", "k")
	const a1 = `{"id":"a1","type":"isolateDevice","status":"pendingApproval","target":{"device":"ws1"},"requestor":{"type":"user","name":"alice"},"creationDateTimeUtc":"2026-11-25T10:00:00Z","result":{}}`
	hs, got := fakeAPI(t, map[string]string{
		"GET /api/v1/security/actions":                `200 {"value":[` + a1 + `]}`,
		"POST /api/v1/security/actions":               `201 ` + a1,
		"GET /api/v1/security/actions/a1":             `200 ` + a1,
		"POST /api/v1/security/actions/a1/approve":    `200 {"id":"a1","type":"isolateDevice","status":"approved"}`,
		"POST /api/v1/security/actions/a1/undo":       `201 {"id":"u1","type":"releaseIsolation","status":"pendingApproval"}`,
		"GET /api/v1/security/automationLevel":        `200 {"level":"semi","fourEyes":true}`,
		"PUT /api/v1/security/automationLevel":        `200 {"level":"full","fourEyes":false}`,
		"GET /api/v1/security/actions/simulatedState": `200 {"value":[]}`,
	})
	steps := []struct {
		args     []string
		want     string
		wantErr  string
		wantSent string
	}{
		{[]string{"actions", "list", "--status", "pendingApproval"},
			"ID  CREATED               TYPE           TARGET      STATUS           REQUESTER   DETAIL\na1  2026-11-25T10:00:00Z  isolateDevice  device=ws1  pendingApproval  user:alice  \n", "", "GET /api/v1/security/actions "},
		{[]string{"actions", "request", "isolateDevice", "--device", "ws1", "--comment", "c2", "--incident", "7"},
			"a1 isolateDevice pendingApproval\n", "", `POST /api/v1/security/actions {"type":"isolateDevice","target":{"device":"ws1"},"comment":"c2","incidentId":7}`},
		{[]string{"actions", "approve", "a1", "--comment", "ok"}, "a1 isolateDevice approved\n", "", `POST /api/v1/security/actions/a1/approve {"comment":"ok"}`},
		{[]string{"actions", "undo", "a1"}, "u1 releaseIsolation pendingApproval\n", "", `POST /api/v1/security/actions/a1/undo {"comment":""}`},
		{[]string{"actions", "reject", "a9"}, "", "a9: decoy 9: not found (HTTP 404 notFound)", ""},
		{[]string{"actions", "automation-level"}, "level semi, four eyes true\n", "", "GET /api/v1/security/automationLevel "},
		{[]string{"actions", "automation-level", "full", "--four-eyes=false"}, "level full, four eyes false\n", "",
			`PUT /api/v1/security/automationLevel {"level":"full","fourEyes":false}`},
	}
	for _, st := range steps {
		n := len(*got)
		out, err := runDetCLI(t, append(st.args, "--server", hs.URL)...)
		if out != st.want || (err == nil) != (st.wantErr == "") || err != nil && err.Error() != st.wantErr {
			t.Errorf("%v: %q, %v; want %q, %s", st.args, out, err, st.want, st.wantErr)
		}
		if st.wantSent != "" && (len(*got) == n || (*got)[len(*got)-1] != st.wantSent) {
			t.Errorf("%v sent %q, want %q", st.args, (*got)[n:], st.wantSent)
		}
	}
	out, err := runDetCLI(t, "actions", "show", "a1", "--server", hs.URL)
	if err != nil || !strings.Contains(out, "\n  \"status\": \"pendingApproval\",\n") {
		t.Errorf("show: %q, %v", out, err)
	}
}

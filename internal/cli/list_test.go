package cli

import "testing"

// TestListCommands runs the list, show and delete commands built on the shared list helpers
// (list.go) against a fake server and checks what they print and send.
func TestListCommands(t *testing.T) {
	t.Setenv("VIGIL_API_KEY", "k")
	const (
		rule  = `{"id":"r1","name":"Tag phishing","order":2,"enabled":true,"expires":"","trigger":{"on":"incidentCreated"},"actions":[{"type":"addTags"},{"type":"runPlaybook"}]}`
		pb    = `{"name":"contain-host","description":"Isolate the host","version":3,"builtin":false,"trigger":["incident","alert"],"steps":[{"id":"isolate"},{"id":"notify"}]}`
		run   = `{"id":"run1","playbook":"contain-host","version":3,"incidentId":7,"status":"succeeded","createdDateTime":"2026-11-25T10:00:00Z","error":"","steps":[{"id":"isolate","status":"succeeded"},{"id":"notify","status":"skipped"}]}`
		group = `{"id":"servers","name":"Servers","description":"","rank":1,"rules":[{"field":"deviceName","op":"startsWith","value":"srv-"}]}`
	)
	hs, got := fakeAPI(t, map[string]string{
		"GET /api/v1/security/automationRules":             `200 {"value":[` + rule + `]}`,
		"GET /api/v1/security/playbooks":                   `200 {"value":[` + pb + `,{"name":"notify","version":0,"builtin":true,"trigger":["incident"],"steps":[{"id":"mail"}]}]}`,
		"GET /api/v1/security/playbookRuns":                `200 {"value":[` + run + `]}`,
		"GET /api/v1/security/playbooks/contain-host/runs": `200 {"value":[]}`,
		"GET /api/v1/security/playbookRuns/run1":           `200 ` + run,
		"GET /api/v1/security/deviceGroups":                `200 {"value":[` + group + `,{"id":"ungrouped","name":"Ungrouped","rank":2,"automationLevel":"none","rules":[]}]}`,
		"DELETE /api/v1/security/deviceGroups/servers":     `204 `,
		"GET /api/v1/security/actions":                     `200 {"value":[]}`,
		"DELETE /api/v1/apiKeys/k9":                        `204 `,
	})
	steps := []struct {
		args     []string
		want     string
		wantErr  string
		wantSent string
	}{
		{[]string{"automation", "list"}, "ORDER  ID  NAME          ENABLED  TRIGGER          ACTIONS              EXPIRES\n2      r1  Tag phishing  true     incidentCreated  addTags,runPlaybook  \n", "", "GET /api/v1/security/automationRules "},
		{[]string{"automation", "list", "-o", "json"}, "{\n  \"value\": [\n    {\n      \"id\": \"r1\",\n      \"name\": \"Tag phishing\",\n      \"order\": 2,\n      \"enabled\": true,\n      \"expires\": \"\",\n      \"trigger\": {\n        \"on\": \"incidentCreated\"\n      },\n      \"actions\": [\n        {\n          \"type\": \"addTags\"\n        },\n        {\n          \"type\": \"runPlaybook\"\n        }\n      ]\n    }\n  ]\n}\n", "", ""},
		{[]string{"automation", "list", "-o", "yaml"}, "", `--output "yaml": want table or json`, ""},
		{[]string{"playbooks", "list"}, "NAME          VERSION   TRIGGER         STEPS  DESCRIPTION\ncontain-host  3         incident,alert  2      Isolate the host\nnotify        built-in  incident        1      \n", "", "GET /api/v1/security/playbooks "},
		{[]string{"playbooks", "runs"}, "ID    CREATED               PLAYBOOK      VERSION  INCIDENT  STATUS     STEPS                             ERROR\nrun1  2026-11-25T10:00:00Z  contain-host  3        7         succeeded  isolate=succeeded,notify=skipped  \n", "", "GET /api/v1/security/playbookRuns "},
		{[]string{"playbooks", "runs", "--playbook", "contain-host", "--top", "5"}, "ID  CREATED  PLAYBOOK  VERSION  INCIDENT  STATUS  STEPS  ERROR\n", "", "GET /api/v1/security/playbooks/contain-host/runs "},
		{[]string{"playbooks", "runs", "--show", "run1"}, "{\n  \"id\": \"run1\",\n  \"playbook\": \"contain-host\",\n  \"version\": 3,\n  \"incidentId\": 7,\n  \"status\": \"succeeded\",\n  \"createdDateTime\": \"2026-11-25T10:00:00Z\",\n  \"error\": \"\",\n  \"steps\": [\n    {\n      \"id\": \"isolate\",\n      \"status\": \"succeeded\"\n    },\n    {\n      \"id\": \"notify\",\n      \"status\": \"skipped\"\n    }\n  ]\n}\n", "", "GET /api/v1/security/playbookRuns/run1 "},
		{[]string{"playbooks", "runs", "--show", "run9"}, "", "decoy 9: not found (HTTP 404 notFound)", ""},
		{[]string{"admin", "device-groups", "list", "--tenant", "acme"}, "RANK  ID         NAME       AUTOMATION  RULES\n1     servers    Servers    (tenant)    deviceName startsWith srv-\n2     ungrouped  Ungrouped  none        -\n", "", "GET /api/v1/security/deviceGroups "},
		{[]string{"admin", "device-groups", "list", "-o", "json"}, "[\n  {\n    \"id\": \"servers\",\n    \"name\": \"Servers\",\n    \"description\": \"\",\n    \"rank\": 1,\n    \"rules\": [\n      {\n        \"field\": \"deviceName\",\n        \"op\": \"startsWith\",\n        \"value\": \"srv-\"\n      }\n    ]\n  },\n  {\n    \"id\": \"ungrouped\",\n    \"name\": \"Ungrouped\",\n    \"description\": \"\",\n    \"rank\": 2,\n    \"automationLevel\": \"none\",\n    \"rules\": []\n  }\n]\n", "", ""},
		{[]string{"admin", "device-groups", "list", "-o", "csv"}, "", "usage: --output is table or json", ""},
		{[]string{"admin", "device-groups", "delete", "servers"}, "deleted device group servers\n", "", "DELETE /api/v1/security/deviceGroups/servers "},
		{[]string{"admin", "device-groups", "delete", "nope"}, "", "decoy 9: not found (HTTP 404 notFound)", ""},
		{[]string{"actions", "list", "-o", "json", "--top", "3"}, "{\"value\":[]}\n", "", "GET /api/v1/security/actions "},
		{[]string{"admin", "keys", "revoke", "k9"}, "revoked k9\n", "", "DELETE /api/v1/apiKeys/k9 "},
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
}

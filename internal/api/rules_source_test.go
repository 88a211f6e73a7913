package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/ruleset"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// A Sentinel rule as people write them: comments, and fields in their own order.
const commentedRule = `# Owned by the SOC: keep this comment.
id: 5a7e0c11-3c1d-4d0e-9b7a-0c2f3e4d5a6b
name: Rubeus on a device  # the tool's own name
kind: Scheduled
severity: Medium
queryFrequency: 5m
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
query: |
  DeviceProcessEvents
  | where FileName =~ "rubeus.exe"
  | project Timestamp, DeviceName, AccountName
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: DeviceName
`

// A content file of two rules (an ARM export) and one of one rule.
const twoRuleARM = `{"resources": [
  {"type": "Microsoft.OperationalInsights/workspaces/providers/alertRules", "kind": "Scheduled", "name": "w/Microsoft.SecurityInsights/0c0c0c0c-0000-4000-8000-000000000001",
   "properties": {"displayName": "ARM one", "severity": "Low", "enabled": true, "query": "SigninLogs | take 1", "queryFrequency": "PT1H", "queryPeriod": "PT1H", "triggerOperator": "GreaterThan", "triggerThreshold": 0}},
  {"type": "Microsoft.OperationalInsights/workspaces/providers/alertRules", "kind": "Scheduled", "name": "w/Microsoft.SecurityInsights/0c0c0c0c-0000-4000-8000-000000000002",
   "properties": {"displayName": "ARM two", "severity": "Low", "enabled": true, "query": "SigninLogs | take 2", "queryFrequency": "PT1H", "queryPeriod": "PT1H", "triggerOperator": "GreaterThan", "triggerThreshold": 0}}
]}`

const contentRule = `# A content rule, loaded from a file.
id: 0d0d0d0d-0000-4000-8000-000000000003
name: Content rule
severity: Low
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
query: SigninLogs | take 3
kind: Scheduled
`

const defenderRule = `{"id": "4242", "displayName": "Defender rule", "isEnabled": true,
  "queryCondition": {"queryText": "DeviceProcessEvents | take 1"}, "schedule": {"period": "1H"},
  "detectionAction": {"alertTemplate": {"title": "t", "severity": "low", "category": "Execution"}}}`

// newRuleSourceServer serves the rules API over real HTTP from a real rule set on a real
// SQLite state store, with content rules read from files. k-ann acts in t1, k-bob in t2.
func newRuleSourceServer(t *testing.T) *httptest.Server {
	t.Helper()
	dir := t.TempDir()
	content := filepath.Join(dir, "rules")
	if err := os.MkdirAll(content, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"arm.json": twoRuleARM, "content.yaml": contentRule} {
		if err := os.WriteFile(filepath.Join(content, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := meta.Open(context.Background(), meta.Config{Driver: "sqlite", DSN: filepath.Join(dir, "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	set, err := ruleset.New(ruleset.Options{Registry: schema.NewRegistry(), Store: st, Content: []string{content}, Tenants: []string{"t1", "t2"}})
	if err != nil {
		t.Fatal(err)
	}
	keys := NewKeyRing()
	keys.Add("k-ann", Principal{Name: "ann", Tenant: "t1"})
	keys.Add("k-bob", Principal{Name: "bob", Tenant: "t2"})
	s := &Server{opts: Options{MaxBodyBytes: 1 << 20}, d: Deps{Registry: schema.NewRegistry(), Keys: keys, Rules: set,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	hs := httptest.NewServer(s.routes())
	t.Cleanup(hs.Close)
	return hs
}

// ruleCall makes one request with a content type and If-Match, returning the status, the
// body and the response's headers.
func ruleCall(t *testing.T, base, key, method, path, contentType, ifMatch, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestRuleSource creates, replaces and reads back rules' source documents: the text as sent
// (comments and field order kept) with its format's content type and the rule's ETag;
// content rules from a one-rule file have their file's text, rules of a several-rule file
// none; other tenants' rules are not found.
func TestRuleSource(t *testing.T) {
	hs := newRuleSourceServer(t)
	const base = "/api/v1/security/rules/detectionRules"
	const id = "5a7e0c11-3c1d-4d0e-9b7a-0c2f3e4d5a6b"
	edited := strings.Replace(commentedRule, "severity: Medium", "severity: High  # raised after review", 1)
	steps := []struct {
		name, key, method, path, contentType, ifMatch, body string
		status                                              int
		wantBody                                            string // the exact body, or a substring for errors
		wantType, wantETag                                  string
	}{
		{"create from YAML", "k-ann", "POST", base, "application/yaml", "", commentedRule, 201, `"displayName":"Rubeus on a device"`, "application/json; charset=utf-8", `W/"1"`},
		{"its source is the text sent", "k-ann", "GET", base + "/" + id + "/source", "", "", "", 200, commentedRule, "application/yaml; charset=utf-8", `W/"1"`},
		{"the rule answers its entity mappings", "k-ann", "GET", base + "/" + id, "", "", "", 200, `"entityMappings":[{"entityType":"Host","fieldMappings":[{"identifier":"HostName","columnName":"DeviceName"}]}]`, "application/json; charset=utf-8", `W/"1"`},
		{"replace with an edited source", "k-ann", "PUT", base + "/" + id, "application/yaml", `W/"1"`, edited, 200, `"severity":"high"`, "application/json; charset=utf-8", `W/"2"`},
		{"the source is the new text", "k-ann", "GET", base + "/" + id + "/source", "", "", "", 200, edited, "application/yaml; charset=utf-8", `W/"2"`},
		{"a stale version is refused, the source stays", "k-ann", "PUT", base + "/" + id, "application/yaml", `W/"1"`, commentedRule, 412, `"preconditionFailed"`, "", ""},
		{"still the edited text", "k-ann", "GET", base + "/" + id + "/source", "", "", "", 200, edited, "", `W/"2"`},
		{"a Defender rule's source is JSON", "k-ann", "POST", base, "application/json", "", defenderRule, 201, `"format":"defender"`, "", ""},
		{"as sent", "k-ann", "GET", base + "/4242/source", "", "", "", 200, defenderRule, "application/json; charset=utf-8", `W/"1"`},
		{"a content rule's source is its file", "k-ann", "GET", base + "/0d0d0d0d-0000-4000-8000-000000000003/source", "", "", "", 200, contentRule, "application/yaml; charset=utf-8", `W/"1"`},
		{"a rule of a several-rule file has none", "k-ann", "GET", base + "/0c0c0c0c-0000-4000-8000-000000000002/source", "", "", "", 404, `"code":"noSource","message":"rule 0c0c0c0c-0000-4000-8000-000000000002 has no source document of its own: it was read from `, "", ""},
		{"unknown rule", "k-ann", "GET", base + "/nope/source", "", "", "", 404, `"code":"notFound"`, "", ""},
		{"another tenant's rule is not found", "k-bob", "GET", base + "/" + id + "/source", "", "", "", 404, `"code":"notFound"`, "", ""},
	}
	for _, st := range steps {
		code, body, h := ruleCall(t, hs.URL, st.key, st.method, st.path, st.contentType, st.ifMatch, st.body)
		exact := st.status == 200 && strings.HasSuffix(st.path, "/source")
		if code != st.status || exact && body != st.wantBody || !exact && !strings.Contains(body, st.wantBody) {
			t.Fatalf("%s: %d %s\nwant %d with %q", st.name, code, body, st.status, st.wantBody)
		}
		if st.wantType != "" && h.Get("Content-Type") != st.wantType {
			t.Errorf("%s: Content-Type %q, want %q", st.name, h.Get("Content-Type"), st.wantType)
		}
		if st.wantETag != "" && h.Get("ETag") != st.wantETag {
			t.Errorf("%s: ETag %q, want %q", st.name, h.Get("ETag"), st.wantETag)
		}
	}
}

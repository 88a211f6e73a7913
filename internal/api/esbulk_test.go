package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// idRE blanks generated ids and took, the parts of a bulk answer that vary.
var idRE = regexp.MustCompile(`"_id":"[A-Za-z0-9_-]{20}"|"took":\d+`)

func TestESBulkHandler(t *testing.T) {
	apiKey := map[string]string{"Authorization": "ApiKey " + base64.StdEncoding.EncodeToString([]byte("id:"+testKey))}
	tests := []struct {
		name   string
		c      call
		status int
		body   string // exact answer, generated ids and took blanked
		tables string
	}{
		{"beats style", call{"POST", "/_bulk",
			`{"create":{"_index":"filebeat-8.11.0"}}` + "\n" +
				`{"@timestamp":"2024-05-01T10:00:00.123Z","message":"sshd accepted","host":{"name":"h1","ip":["10.0.0.1"]},"process":{"name":"sshd","pid":42},"log":{"level":"info"}}` + "\n" +
				`{"index":{"_index":"mytype_cl","_id":"a1"}}` + "\n" + `{"@timestamp":"2024-05-01T10:00:01Z","Message":"m","Count":2}` + "\n" +
				`{"index":{"_index":"mytype_cl","_id":"a2"}}` + "\n" + `{"@timestamp":"2024-05-01T10:00:01Z","Count":"many"}` + "\n" +
				`{"create":{"_index":"logs"}}` + "\n" + `{"message":"no time"}` + "\n" +
				`{"delete":{"_index":"logs","_id":"d1"}}` + "\n", basicAuth},
			200, `{"took":0,"errors":true,"items":[` +
				`{"create":{"_index":"filebeat-8.11.0","_id":"ID","_version":1,"result":"created","status":201}},` +
				`{"index":{"_index":"mytype_cl","_id":"a1","_version":1,"result":"created","status":201}},` +
				`{"index":{"_index":"mytype_cl","_id":"a2","status":400,"error":{"type":"document_parsing_exception","reason":"column Count (long): want long, got \"many\""}}},` +
				`{"create":{"_index":"logs","_id":"ID","status":400,"error":{"type":"document_parsing_exception","reason":"missing required time: @timestamp"}}},` +
				`{"delete":{"_index":"logs","_id":"d1","status":400,"error":{"type":"action_request_validation_exception","reason":"Vigil tables are append-only: the delete action is not supported"}}}]}`,
			"IngestionErrors:2 MyType_CL:1 Syslog:1"},
		{"index in path, put, api key", call{"PUT", "/MyType_CL/_bulk", `{"index":{}}` + "\n" + `{"TimeGenerated":"2024-05-01T10:00:00Z","Count":1}`, apiKey},
			200, `{"took":0,"errors":false,"items":[{"index":{"_index":"MyType_CL","_id":"ID","_version":1,"result":"created","status":201}}]}`, "MyType_CL:1"},
		{"malformed action", call{"POST", "/_bulk", `{"frob":{}}` + "\n{}\n", basicAuth},
			400, `{"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [frob]"}],"type":"illegal_argument_exception","reason":"Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [frob]"},"status":400}`, ""},
		{"empty", call{"POST", "/_bulk", "\n", basicAuth},
			400, `{"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"Validation Failed: 1: no requests added;"}],"type":"illegal_argument_exception","reason":"Validation Failed: 1: no requests added;"},"status":400}`, ""},
		{"no credentials", call{"POST", "/_bulk", "{}", nil},
			401, `{"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials: send a Vigil API key as the Basic password, as ApiKey base64(id:KEY) or as Bearer"}],"type":"security_exception","reason":"missing authentication credentials: send a Vigil API key as the Basic password, as ApiKey base64(id:KEY) or as Bearer"},"status":401}`, ""},
		{"template stub", call{"PUT", "/_index_template/filebeat-8.11.0", `{"index_patterns":["x"]}`, basicAuth},
			200, `{"acknowledged":true}`, ""},
		{"ilm stub", call{"PUT", "/_ilm/policy/filebeat", `{}`, basicAuth},
			200, `{"acknowledged":true}`, ""},
		{"license", call{"GET", "/_license", "", basicAuth},
			200, `{"license":{"issue_date":"2024-01-01T00:00:00.000Z","issue_date_in_millis":1704067200000,"issued_to":"vigil","issuer":"vigil","max_nodes":1000,"max_resource_units":null,"start_date_in_millis":-1,"status":"active","type":"basic","uid":"vigil"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pub := newTestServer(t)
			rec := s.call(tt.c)
			got := idRE.ReplaceAllStringFunc(strings.TrimSpace(rec.Body.String()), func(m string) string {
				if strings.HasPrefix(m, `"took"`) {
					return `"took":0`
				}
				return `"_id":"ID"`
			})
			if rec.Code != tt.status || got != tt.body {
				t.Errorf("got %d\n%s\nwant %d\n%s", rec.Code, got, tt.status, tt.body)
			}
			if rec.Header().Get("X-Elastic-Product") != "Elasticsearch" {
				t.Errorf("no X-Elastic-Product header")
			}
			if got := pub.tables(); got != tt.tables {
				t.Errorf("published %q, want %q", got, tt.tables)
			}
		})
	}
}

func TestESBulkColumns(t *testing.T) {
	s, pub := newTestServer(t)
	rec := s.call(call{"POST", "/_bulk", `{"create":{"_index":"filebeat-8.11.0"}}` + "\n" +
		`{"@timestamp":"2024-05-01T10:00:00.123Z","message":"sshd accepted","host":{"name":"h1","ip":["10.0.0.1"]},"process":{"name":"sshd","pid":42},"log":{"level":"info"}}` + "\n", basicAuth})
	if rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	for col, want := range map[string]string{
		"TimeGenerated": "[2024-05-01 10:00:00.123 +0000 UTC]", "SyslogMessage": "[sshd accepted]", "Computer": "[h1]",
		"HostIP": "[10.0.0.1]", "ProcessName": "[sshd]", "ProcessID": "[42]", "SeverityLevel": "[info]",
		"Facility": "[filebeat-8.11.0]", "SourceSystem": "[Elasticsearch bulk]",
	} {
		if got := fmt.Sprint(pub.col("Syslog", col)); got != want {
			t.Errorf("%s = %s, want %s", col, got, want)
		}
	}
}

func TestESHandshake(t *testing.T) {
	s, _ := newTestServer(t)
	rec := s.call(call{"GET", "/", "", basicAuth})
	var info struct {
		Version struct{ Number string } `json:"version"`
		Tagline string                  `json:"tagline"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || rec.Code != 200 || info.Version.Number != "8.11.0" || info.Tagline == "" {
		t.Errorf("GET /: %d %s", rec.Code, rec.Body)
	}
	if rec := s.call(call{"HEAD", "/", "", basicAuth}); rec.Code != 200 {
		t.Errorf("HEAD /: %d", rec.Code)
	}
	if rec := s.call(call{"GET", "/", "", nil}); rec.Code != 401 || rec.Header().Values("WWW-Authenticate") == nil {
		t.Errorf("GET / unauthenticated: %d", rec.Code)
	}
	for _, p := range []string{"/_xpack", "/_cluster/health", "/_index_template/x", "/_ilm/policy/x", "/_template/x"} {
		if rec := s.call(call{"GET", p, "", basicAuth}); rec.Code != 200 {
			t.Errorf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
	}
}

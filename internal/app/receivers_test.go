package app

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/receiver/datacollector"
)

// TestHTTPReceivers sends what Splunk forwarders, Beats and Data Collector API clients send to
// the whole server and checks where the rows land.
func TestHTTPReceivers(t *testing.T) {
	s := startTest(t, nil)
	if r := s.do(t, "PUT", "/api/v1/tables/App_CL", []byte(`{"columns":[{"name":"Msg","type":"string"},{"name":"N","type":"long"}]}`), nil); r.status != 201 {
		t.Fatalf("put table: %d %s", r.status, r.body)
	}
	splunk := map[string]string{"Authorization": "Splunk " + s.key}
	basic := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("elastic:"+s.key))}
	steps := []struct {
		name, method, path string
		body               []byte
		hdr                map[string]string
		status             int
		want               string
	}{
		{"hec events gzip", "POST", "/services/collector/event",
			gz(`{"time":1700000000.123456,"host":"web1","source":"app","sourcetype":"access","event":"GET /"}{"event":{"Msg":"x","N":1},"fields":{"vigil_table":"App_CL"},"time":1700000001}{"event":{"N":"bad"},"fields":{"vigil_table":"App_CL"}}`),
			map[string]string{"Authorization": "Splunk " + s.key, "Content-Encoding": "gzip"}, 200, `{"text":"Success","code":0}`},
		{"hec raw", "POST", "/services/collector/raw?sourcetype=raw&host=h2", []byte("l1\nl2\n"), splunk, 200, `"code":0`},
		{"hec bad format", "POST", "/services/collector/event", []byte(`{"event":"a"}{"event"`), splunk, 400, `"invalid-event-number":1`},
		{"hec bad token", "POST", "/services/collector/event", []byte(`{"event":"a"}`), map[string]string{"Authorization": "Splunk x"}, 403, `"code":4`},
		{"es handshake", "GET", "/", nil, basic, 200, `"number":"8.11.0"`},
		{"es template", "PUT", "/_index_template/filebeat-8.11.0", []byte(`{}`), basic, 200, `"acknowledged":true`},
		{"es bulk", "POST", "/_bulk", []byte(`{"create":{"_index":"filebeat-8.11.0"}}` + "\n" +
			`{"@timestamp":"2024-05-01T10:00:00.5Z","message":"beat line","host":{"name":"b1"}}` + "\n" +
			`{"index":{"_index":"app_cl"}}` + "\n" + `{"@timestamp":"2024-05-01T10:00:00Z","Msg":"y","N":2}` + "\n" +
			`{"create":{"_index":"x"}}` + "\n" + `{"message":"no time"}` + "\n"), basic, 200, `"errors":true`},
	}
	for _, st := range steps {
		r := s.do(t, st.method, st.path, st.body, st.hdr)
		if r.status != st.status || !strings.Contains(r.body, st.want) {
			t.Errorf("%s: %d %s, want %d %s", st.name, r.status, r.body, st.status, st.want)
		}
	}
	// Data Collector API, signed with the admin key for the default tenant.
	body := `[{"Msg":"dc","N":3,"ts":"2024-06-01T00:00:00Z"}]`
	date := time.Now().UTC().Format(http.TimeFormat)
	auth, err := datacollector.Signature("default", base64.StdEncoding.EncodeToString([]byte(s.key)), int64(len(body)), "application/json", date)
	if err != nil {
		t.Fatal(err)
	}
	r := s.do(t, "POST", "/api/logs?api-version=2016-04-01", []byte(body), map[string]string{"Authorization": auth, "x-ms-date": date,
		"Log-Type": "App", "time-generated-field": "ts", "Content-Type": "application/json", "Content-Length": strconv.Itoa(len(body))})
	if r.status != 200 {
		t.Errorf("data collector: %d %s", r.status, r.body)
	}

	s.settle(t)
	for q, want := range map[string]string{
		`SELECT count(*) FROM Syslog`: "[4]",
		`SELECT count(*) FROM App_CL`: "[3]",
		`SELECT strftime(TimeGenerated, '%Y-%m-%d %H:%M:%S.%f'), Computer, ProcessName, Facility, SyslogMessage, TenantId FROM Syslog WHERE SyslogMessage = 'GET /'`: "[2023-11-14 22:13:20.123456 web1 app access GET / default]",
		`SELECT Computer, SourceSystem FROM Syslog WHERE SyslogMessage = 'beat line'`:                                                                                "[b1 Elasticsearch bulk]",
		`SELECT strftime(TimeGenerated, '%Y-%m-%d') FROM App_CL WHERE Msg = 'dc'`:                                                                                    "[2024-06-01]",
		`SELECT count(*) FROM IngestionErrors WHERE Source = 'http:/services/collector'`:                                                                             "[2]",
		`SELECT count(*) FROM IngestionErrors WHERE Source = 'http:/_bulk'`:                                                                                          "[1]",
	} {
		if got := query(t, s, q); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v, want %s", q, got, want)
		}
	}
	// The receiver metrics count what each receiver took.
	metrics := s.do(t, "GET", "/metrics", nil, nil).body
	for _, line := range []string{
		`vigil_ingest_receiver_messages_total{protocol="http",receiver="hec"} 6`,
		`vigil_ingest_receiver_rejected_rows_total{protocol="http",receiver="hec"} 2`,
		`vigil_ingest_receiver_parse_errors_total{protocol="http",receiver="hec"} 1`,
		`vigil_ingest_receiver_messages_total{protocol="http",receiver="esbulk"} 3`,
		`vigil_ingest_receiver_rejected_rows_total{protocol="http",receiver="esbulk"} 1`,
		`vigil_ingest_receiver_messages_total{protocol="http",receiver="datacollector"} 1`,
		`vigil_ingest_receiver_connections{protocol="http",receiver="hec"} 0`,
	} {
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}

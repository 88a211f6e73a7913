package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer runs the whole server in process on a free port with a temp data directory.
type testServer struct {
	a    *App
	url  string
	key  string
	stop func() // idempotent
}

func startTest(t *testing.T, mutate func(*Config)) *testServer {
	t.Helper()
	return startTestWith(t, mutate, nil)
}

// startTestWith is startTest with a hook that adjusts the App before it runs (a test clock).
func startTestWith(t *testing.T, mutate func(*Config), prepare func(*App)) *testServer {
	t.Helper()
	cfg := Default()
	cfg.Data = t.TempDir()
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.Ingest.WriterMaxWait = 20 * time.Millisecond
	if mutate != nil {
		mutate(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(a)
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(s string) { addr <- s }) }()
	var s *testServer
	select {
	case u := <-addr:
		s = &testServer{a: a, url: "http://" + u}
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	}
	key, err := os.ReadFile(filepath.Join(cfg.Data, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	s.key = strings.TrimSpace(string(key))
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	return s
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (s *testServer) do(t *testing.T, method, path string, body []byte, hdr map[string]string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

// sql runs a query through the admin endpoint once the writer has caught up.
func (s *testServer) sql(t *testing.T, q string) [][]any {
	t.Helper()
	s.settle(t)
	body, _ := json.Marshal(map[string]string{"query": q})
	r := s.do(t, "POST", "/api/v1/admin/sql", body, nil)
	if r.status != 200 {
		t.Fatalf("sql %s: %d %s", q, r.status, r.body)
	}
	var res struct{ Rows [][]any }
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatal(err)
	}
	return res.Rows
}

// settle waits until the writer has stored everything on the bus.
func (s *testServer) settle(t *testing.T) {
	t.Helper()
	last, err := s.a.bus.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s.a.writer.Written() >= last {
			return
		}
	}
	t.Fatal("writer did not catch up")
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.Bytes()
}

func TestAPI(t *testing.T) {
	s := startTest(t, func(c *Config) { c.Ingest.MaxBodyBytes = 64 << 10 })
	row := `{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","FileName":"cmd.exe","ReportId":1}`
	big := strings.Repeat(row+"\n", 1000)
	tests := []struct {
		name, method, path string
		body               []byte
		hdr                map[string]string
		status             int
		want               string // a substring of the answer
	}{
		{"healthz", "GET", "/healthz", nil, nil, 200, `"ok"`},
		{"readyz", "GET", "/readyz", nil, nil, 200, `"ready"`},
		{"no key", "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(row), map[string]string{"Authorization": ""}, 401, `"unauthorized"`},
		{"wrong key", "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(row), map[string]string{"Authorization": "Bearer nope"}, 401, "missing or unknown API key"},
		{"ingest one object", "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(row), nil, 200, `{"accepted":1,"rejected":0}`},
		{"ingest gzip", "POST", "/api/v1/ingest/DeviceProcessEvents", gz(row), map[string]string{"Content-Encoding": "gzip"}, 200, `{"accepted":1,"rejected":0}`},
		{"bad gzip", "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(row), map[string]string{"Content-Encoding": "gzip"}, 400, "invalid gzip body"},
		{"partial", "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(row + "\n{\"DeviceName\":\"x\"}\n"), nil, 200, `"rejected":1,"errors":[{"row":1,"line":2,"offset":`},
		{"invalid json", "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(`[{"a":1},`), nil, 400, `"code":"invalidJson"`},
		{"unknown table", "POST", "/api/v1/ingest/DeviceProcesEvents", []byte(row), nil, 404, `"suggestions":["DeviceProcessEvents"`},
		{"vigil table not writable", "POST", "/api/v1/ingest/IngestionErrors", []byte(row), nil, 404, "unknown table"},
		{"too large", "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(big), nil, 413, `"requestTooLarge"`},
		{"too large gzip", "POST", "/api/v1/ingest/DeviceProcessEvents", gz(big), map[string]string{"Content-Encoding": "gzip"}, 413, `"requestTooLarge"`},
		{"dcr all good", "POST", "/dataCollectionRules/dcr-1/streams/Microsoft-Syslog?api-version=2023-01-01", []byte(`[{"TimeGenerated":"2024-05-01T10:00:00Z","Computer":"web1","SyslogMessage":"hi"}]`), nil, 204, ""},
		{"dcr bad stream", "POST", "/dataCollectionRules/dcr-1/streams/Syslog", []byte(`[]`), nil, 400, "must be Custom-<Table> or Microsoft-<Table>"},
		{"put table", "PUT", "/api/v1/tables/Firewall_CL", []byte(`{"columns":[{"name":"SrcIp","type":"string"},{"name":"Bytes","type":"long"}]}`), nil, 201, `"kind":"custom"`},
		{"extend table (log analytics shape)", "PUT", "/api/v1/tables/Firewall_CL", []byte(`{"properties":{"schema":{"name":"Firewall_CL","columns":[{"name":"SrcIp","type":"string"},{"name":"Bytes","type":"long"},{"name":"Action","type":"string"}]}}}`), nil, 200, `{"name":"Action","type":"string"}`},
		{"shrink table", "PUT", "/api/v1/tables/Firewall_CL", []byte(`{"columns":[{"name":"SrcIp","type":"string"}]}`), nil, 400, "column Bytes cannot be removed"},
		{"builtin table", "PUT", "/api/v1/tables/Syslog", []byte(`{"columns":[{"name":"X","type":"string"}]}`), nil, 400, "must start with a letter"},
		{"bad type", "PUT", "/api/v1/tables/T_CL", []byte(`{"columns":[{"name":"X","type":"varchar"}]}`), nil, 400, `unknown type \"varchar\"`},
		{"dcr custom", "POST", "/dataCollectionRules/dcr-1/streams/Custom-Firewall_CL", []byte(`[{"TimeGenerated":"2024-05-01T10:00:00Z","SrcIp":"10.0.0.1","Bytes":"42","Action":"deny"}]`), nil, 204, ""},
		{"get table", "GET", "/api/v1/tables/Firewall_CL", nil, nil, 200, `"name":"Firewall_CL"`},
		{"sql not read-only", "POST", "/api/v1/admin/sql", []byte(`{"query":"DROP TABLE Syslog"}`), nil, 400, "only a single read-only SELECT"},
		{"sql two statements", "POST", "/api/v1/admin/sql", []byte(`{"query":"SELECT 1; SELECT 2"}`), nil, 400, `"badQuery"`},
		{"sql with a hidden write", "POST", "/api/v1/admin/sql", []byte(`{"query":"DELETE FROM Syslog; SELECT 1"}`), nil, 400, "only a single read-only SELECT"},
		{"sql error", "POST", "/api/v1/admin/sql", []byte(`{"query":"SELECT nope FROM Syslog"}`), nil, 400, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, tc.method, tc.path, tc.body, tc.hdr)
			if r.status != tc.status || !strings.Contains(r.body, tc.want) {
				t.Errorf("%s %s = %d %s; want %d containing %s", tc.method, tc.path, r.status, r.body, tc.status, tc.want)
			}
		})
	}
	// What was accepted is stored; what was rejected is in IngestionErrors with its reason.
	if got := s.sql(t, `SELECT count(*) FROM DeviceProcessEvents`)[0][0].(float64); got != 3 {
		t.Errorf("DeviceProcessEvents rows = %v, want 3", got)
	}
	if got := s.sql(t, `SELECT SrcIp, Bytes, "Action", TenantId FROM Firewall_CL`); len(got) != 1 || got[0][1].(float64) != 42 || got[0][3] != "default" {
		t.Errorf("Firewall_CL = %v", got)
	}
	dl := s.sql(t, `SELECT "Table", Reason FROM IngestionErrors ORDER BY _IngestId`)
	want := []string{"missing required time", "invalid JSON at line 1", `unknown table "DeviceProcesEvents"`, `unknown table "IngestionErrors"`}
	if len(dl) != len(want) {
		t.Fatalf("IngestionErrors = %v", dl)
	}
	for i, w := range want {
		if !strings.Contains(dl[i][1].(string), w) {
			t.Errorf("IngestionErrors[%d] = %v, want %q", i, dl[i], w)
		}
	}
	// Hunting in KQL, as Microsoft Graph's runHuntingQuery answers.
	hunt := []struct {
		query  string
		status int
		want   string
		span   string // the request's Timespan
	}{
		{`DeviceProcessEvents | summarize n = count() by DeviceName`, 200, `{"schema":[{"Name":"DeviceName","Type":"string"},{"Name":"n","Type":"long"}],"results":[{"DeviceName":"ws1","n":3}]}`, ""},
		{`Firewall_CL | where SrcIp has "10.0" | project Bytes, Action`, 200, `"results":[{"Action":"deny","Bytes":42}]`, ""},
		{`Firewall_CL | project Bytes`, 200, `"results":[{"Bytes":42}]`, "2024-05-01T00:00:00Z/P1D"},
		{`Firewall_CL | project Bytes`, 200, `"results":[]`, "2024-05-02T00:00:00Z/P1D"},
		{`Firewall_CL | project Bytes`, 200, `"results":[]`, "P7D"},
		{`Firewall_CL | project Bytes`, 400, `years and months have no fixed length`, "P1M"},
		{`IngestionErrors | where Table =~ "deviceprocesevents" | count`, 200, `"results":[{"Count":1}]`, ""},
		{"DeviceProcessEvents\n| where FileNme == 'x'", 400, `"line":2,"column":9`, ""},
		{`DeviceProcesEvents | take 1`, 400, `did you mean`, ""},
		// Columns taken from the data run a discovery query on the store first.
		{`Firewall_CL | project SrcIp, Action | evaluate pivot(Action)`, 200, `"schema":[{"Name":"SrcIp","Type":"string"},{"Name":"deny","Type":"long"}]`, ""},
		{`print d = dynamic({"b": "x", "a": 1}) | evaluate bag_unpack(d, "p_")`, 200, `{"schema":[{"Name":"p_a","Type":"long"},{"Name":"p_b","Type":"string"}],"results":[{"p_a":1,"p_b":"x"}]}`, ""},
		{`Firewall_CL | project Bytes, Action | evaluate pivot(Action)`, 200, `"results":[]`, "P7D"},
	}
	for _, h := range hunt {
		body, _ := json.Marshal(map[string]string{"Query": h.query, "Timespan": h.span})
		r := s.do(t, "POST", "/api/v1/security/runHuntingQuery", body, nil)
		if r.status != h.status || !strings.Contains(r.body, h.want) {
			t.Errorf("runHuntingQuery %q = %d %s; want %d containing %s", h.query, r.status, r.body, h.status, h.want)
		}
	}
	var tables []struct {
		Name string
		Rows int64
	}
	r := s.do(t, "GET", "/api/v1/tables", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &tables); err != nil || len(tables) != 295 {
		t.Fatalf("GET /api/v1/tables: %d tables, %v", len(tables), err)
	}
	for _, tb := range tables {
		if tb.Name == "Syslog" && tb.Rows != 1 {
			t.Errorf("Syslog rows = %d, want 1", tb.Rows)
		}
	}
	if !strings.Contains(s.do(t, "GET", "/metrics", nil, nil).body, `vigil_ingest_rejected_rows_total{table="DeviceProcessEvents"} 2`) {
		t.Errorf("metrics lack the rejected rows")
	}
}

// TestCustomTableSurvivesRestart checks that a custom table is recorded in the state store and
// that a data directory in use is refused.
func TestCustomTableSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := startTest(t, func(c *Config) { c.Data = dir })
	if r := s.do(t, "PUT", "/api/v1/tables/Vpn_CL", []byte(`{"description":"VPN logins","columns":[{"name":"User","type":"string"}]}`), nil); r.status != 201 {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	cfg := Default()
	cfg.Data = dir
	if _, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "is used by another Vigil server") {
		t.Fatalf("second App on a directory in use: %v", err)
	}
	s.stop()
	s = startTest(t, func(c *Config) { c.Data = dir })
	r := s.do(t, "GET", "/api/v1/tables/Vpn_CL", nil, nil)
	if r.status != 200 || !strings.Contains(r.body, `"description":"VPN logins"`) || !strings.Contains(r.body, `{"name":"User","type":"string"}`) {
		t.Fatalf("after restart: %d %s", r.status, r.body)
	}
	if r := s.do(t, "POST", "/api/v1/ingest/Vpn_CL", []byte(`{"TimeGenerated":"2024-05-01T00:00:00Z","User":"alice"}`), nil); r.status != 200 {
		t.Fatalf("ingest after restart: %d %s", r.status, r.body)
	}
	if got := s.sql(t, `SELECT "User" FROM Vpn_CL`); len(got) != 1 || got[0][0] != "alice" {
		t.Errorf("Vpn_CL = %v", got)
	}
}

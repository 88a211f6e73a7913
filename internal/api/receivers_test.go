package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

const testKey = "vgl_testkey"

// memPub keeps what was published, by table; full makes every publish fail as a full bus.
type memPub struct {
	mu   sync.Mutex
	rows map[string][][]schema.Value
	cols map[string][]schema.Column
	full bool
}

func (m *memPub) Publish(_ context.Context, _ string, msgs [][]byte) ([]uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.full {
		return nil, fmt.Errorf("publish: %w", bus.ErrFull)
	}
	for _, msg := range msgs {
		b, err := ingest.DecodeBatch(msg)
		if err != nil {
			return nil, err
		}
		m.rows[b.Table] = append(m.rows[b.Table], b.Rows...)
		m.cols[b.Table] = b.Columns
	}
	return make([]uint64, len(msgs)), nil
}

// col returns column name of table's published rows, as text.
func (m *memPub) col(table, name string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.rows[table] {
		for i, c := range m.cols[table] {
			if c.Name == name {
				out = append(out, fmt.Sprint(r[i]))
			}
		}
	}
	return out
}

func (m *memPub) tables() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for t, r := range m.rows {
		out = append(out, fmt.Sprintf("%s:%d", t, len(r)))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func newTestServer(t *testing.T) (*Server, *memPub) {
	t.Helper()
	reg := schema.NewRegistry()
	if _, err := reg.PutCustom("MyType_CL", "", []schema.ColumnDef{{Name: "TimeGenerated", Type: "datetime"}, {Name: "Message", Type: "string"}, {Name: "Count", Type: "long"}}); err != nil {
		t.Fatal(err)
	}
	pub := &memPub{rows: map[string][][]schema.Value{}, cols: map[string][]schema.Column{}}
	keys := NewKeyRing()
	keys.AddSigning(testKey, "t1", Principal{Name: "test", Tenant: "t1"})
	s := &Server{
		opts: Options{MaxBodyBytes: 1 << 20},
		d: Deps{Registry: reg, Ingest: ingest.NewService(reg, pub, ingest.Options{}, nil), Keys: keys,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
	}
	return s, pub
}

type call struct {
	method, path, body string
	hdr                map[string]string
}

func (s *Server) call(c call) *httptest.ResponseRecorder {
	req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	for k, v := range c.hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.routes().ServeHTTP(rec, req)
	return rec
}

var (
	splunkAuth = map[string]string{"Authorization": "Splunk " + testKey}
	basicAuth  = map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("elastic:"+testKey))}
)

func TestHECHandler(t *testing.T) {
	tests := []struct {
		name   string
		c      call
		status int
		body   string // exact answer
		tables string // published rows by table
	}{
		{"concatenated events", call{"POST", "/services/collector/event",
			`{"time":1700000000.123456,"host":"web1","source":"/var/log/a","sourcetype":"access","event":"GET /"}` +
				`{"event":{"user":"bob"},"host":"web2"}  {"event":{"Message":"m","Count":3},"time":"1700000001","fields":{"vigil_table":"MyType_CL"}}`, splunkAuth},
			200, `{"text":"Success","code":0}`, "MyType_CL:1 Syslog:2"},
		{"no token", call{"POST", "/services/collector/event", `{"event":"x"}`, nil},
			401, `{"text":"Token is required","code":2}`, ""},
		{"bad token", call{"POST", "/services/collector", `{"event":"x"}`, map[string]string{"Authorization": "Splunk nope"}},
			403, `{"text":"Invalid token","code":4}`, ""},
		{"query token refused", call{"POST", "/services/collector/event?token=" + testKey, `{"event":"x"}`, nil},
			401, `{"text":"Token is required","code":2}`, ""},
		{"no data", call{"POST", "/services/collector/event", " \n", splunkAuth},
			400, `{"text":"No data","code":5}`, ""},
		{"invalid second event", call{"POST", "/services/collector/event", `{"event":"a"}{"event":}`, splunkAuth},
			400, `{"text":"Invalid data format","code":6,"invalid-event-number":1}`, "IngestionErrors:1"},
		{"missing event", call{"POST", "/services/collector/event/1.0", `{"host":"a"}`, splunkAuth},
			400, `{"text":"Event field is required","code":12,"invalid-event-number":0}`, "IngestionErrors:1"},
		{"blank event", call{"POST", "/services/collector/event", `{"event":"a"} {"event":""}`, splunkAuth},
			400, `{"text":"Event field cannot be blank","code":13,"invalid-event-number":1}`, "IngestionErrors:1"},
		{"unknown table and misfit row are dead-lettered", call{"POST", "/services/collector/event",
			`{"event":{"a":1},"fields":{"vigil_table":"Nope_CL"}}{"event":{"Count":"x"},"fields":{"vigil_table":"MyType_CL"}}{"event":"ok"}`, splunkAuth},
			200, `{"text":"Success","code":0}`, "IngestionErrors:2 Syslog:1"},
		{"raw", call{"POST", "/services/collector/raw?sourcetype=st&host=h&channel=c", "line one\r\n\nline two\n", splunkAuth},
			200, `{"text":"Success","code":0}`, "Syslog:2"},
		{"raw bearer", call{"POST", "/services/collector/raw", "x", map[string]string{"Authorization": "Bearer " + testKey}},
			200, `{"text":"Success","code":0}`, "Syslog:1"},
		{"health without token", call{"GET", "/services/collector/health", "", nil},
			200, `{"text":"HEC is healthy","code":17}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pub := newTestServer(t)
			rec := s.call(tt.c)
			if rec.Code != tt.status || strings.TrimSpace(rec.Body.String()) != tt.body {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.body)
			}
			if got := pub.tables(); got != tt.tables {
				t.Errorf("published %q, want %q", got, tt.tables)
			}
		})
	}
}

func TestHECColumns(t *testing.T) {
	s, pub := newTestServer(t)
	rec := s.call(call{"POST", "/services/collector/event",
		`{"time":1700000000.123456,"host":"web1","source":"/var/log/a","sourcetype":"access","event":"GET /"}{"event":{"user":"bob"},"time":1700000002}`, splunkAuth})
	if rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	for col, want := range map[string]string{
		"TimeGenerated": "[2023-11-14 22:13:20.123456 +0000 UTC 2023-11-14 22:13:22 +0000 UTC]",
		"SyslogMessage": `[GET / {"user":"bob"}]`,
		"Computer":      "[web1 <nil>]",
		"ProcessName":   "[/var/log/a <nil>]",
		"Facility":      "[access <nil>]",
		"SourceSystem":  "[Splunk HEC Splunk HEC]",
	} {
		if got := fmt.Sprint(pub.col("Syslog", col)); got != want {
			t.Errorf("%s = %s, want %s", col, got, want)
		}
	}
}

func TestHECBusy(t *testing.T) {
	s, pub := newTestServer(t)
	pub.full = true
	rec := s.call(call{"POST", "/services/collector/event", `{"event":"x"}`, splunkAuth})
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" || strings.TrimSpace(rec.Body.String()) != `{"text":"Server is busy","code":9}` {
		t.Errorf("got %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

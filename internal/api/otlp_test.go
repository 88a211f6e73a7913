package api

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
)

func strAttr(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func intAttr(k string, v int64) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}}
}

// otlpRequest is an ExportLogsServiceRequest as an OpenTelemetry SDK or Collector sends it: an
// application log with trace context, a record from the Collector's syslog receiver, and one
// with a broken trace id.
func otlpRequest() []byte {
	ts := uint64(time.Date(2024, 3, 10, 11, 0, 0, 500, time.UTC).UnixNano())
	tid, _ := hex.DecodeString("5b8efff798038103d269b633813fc60c")
	sid, _ := hex.DecodeString("eee19b7ec3c1b174")
	req := &logspb.LogsData{ResourceLogs: []*logspb.ResourceLogs{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{strAttr("service.name", "checkout"), strAttr("host.name", "web-7")}},
		ScopeLogs: []*logspb.ScopeLogs{{
			Scope: &commonpb.InstrumentationScope{Name: "go.opentelemetry.io/contrib/bridges/otelslog", Version: "0.9.0"},
			LogRecords: []*logspb.LogRecord{
				{TimeUnixNano: ts, ObservedTimeUnixNano: ts + 1000, SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_WARN, SeverityText: "WARN",
					Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "payment declined"}}, TraceId: tid, SpanId: sid, Flags: 1,
					Attributes: []*commonpb.KeyValue{strAttr("user.id", "u-42"), intAttr("http.status_code", 402)}},
				{ObservedTimeUnixNano: ts, SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO, SeverityText: "INFO",
					Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "<38>Mar 10 11:00:00 bastion sshd[4123]: Failed password for root"}},
					Attributes: []*commonpb.KeyValue{strAttr("appname", "sshd"), strAttr("hostname", "bastion"), intAttr("priority", 38),
						intAttr("facility", 4), strAttr("proc_id", "4123"), strAttr("message", "Failed password for root from 203.0.113.7 port 52814 ssh2")}},
				{TimeUnixNano: ts, Body: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "x"}}, TraceId: []byte{1, 2, 3}},
			},
		}},
	}}}
	b, err := proto.Marshal(req)
	if err != nil {
		panic(err)
	}
	return b
}

const otlpJSONBody = `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"auth-api"}}]},
"scopeLogs":[{"scope":{"name":"my.lib"},"logRecords":[{"timeUnixNano":"1710068400000000000","severityNumber":17,"severityText":"ERROR",
"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"login failed"}}]}},
"attributes":[{"key":"attempts","value":{"intValue":"3"}},{"key":"ok","value":{"boolValue":false}},{"key":"ratio","value":{"doubleValue":0.5}},
{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":7}]}}},{"key":"raw","value":{"bytesValue":"AAE="}}]}]}]}]}`

func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.String()
}

func TestOTLPLogs(t *testing.T) {
	bearerAuth := map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": "application/x-protobuf"}
	jsonAuth := map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": "application/json", "Content-Encoding": "gzip"}
	partial := "\x0a\x20\x08\x01\x12\x1ctrace id is 3 bytes, want 16"
	tests := []struct {
		name        string
		c           call
		status      int
		contentType string
		body        string
		tables      string
	}{
		{"protobuf with a bad record", call{"POST", "/v1/logs", string(otlpRequest()), bearerAuth}, 200, "application/x-protobuf",
			partial, "IngestionErrors:1 OTelLogs:1 Syslog:1"},
		{"gzipped JSON", call{"POST", "/v1/logs", gzipped(otlpJSONBody), jsonAuth}, 200, "application/json; charset=utf-8", `{}`, "OTelLogs:1"},
		{"JSON with a bad trace id", call{"POST", "/v1/logs", `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}`,
			map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": "application/json"}}, 400, "application/json; charset=utf-8",
			`{"code":3,"message":"invalid OTLP JSON: log record 0: traceId \"xyz\" is not hex"}`, "IngestionErrors:1"},
		{"malformed protobuf", call{"POST", "/v1/logs", "\x0a\x05\x01", bearerAuth}, 400, "application/x-protobuf",
			"", "IngestionErrors:1"},
		{"unsupported content type", call{"POST", "/v1/logs", "x", map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": "text/plain"}},
			415, "application/x-protobuf", "\x08\x03\x12\x3fContent-Type must be application/x-protobuf or application/json", ""},
		{"no key", call{"POST", "/v1/logs", "{}", map[string]string{"Content-Type": "application/json"}}, 401, "application/json; charset=utf-8",
			`{"code":16,"message":"missing API key"}`, ""},
		{"wrong key", call{"POST", "/v1/logs", "{}", map[string]string{"Content-Type": "application/json", "Authorization": "Bearer nope"}}, 403,
			"application/json; charset=utf-8", `{"code":7,"message":"unknown API key or no permission to ingest"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pub := newFormatTestServer(t)
			rec := s.call(tt.c)
			got := rec.Body.String()
			if strings.HasPrefix(tt.contentType, "application/json") {
				got = strings.TrimSpace(got)
			}
			if tt.name == "malformed protobuf" {
				got = "" // the message is the protobuf library's
			}
			if rec.Code != tt.status || got != tt.body || rec.Header().Get("Content-Type") != tt.contentType {
				t.Errorf("got %d %q %q, want %d %q %q", rec.Code, rec.Header().Get("Content-Type"), got, tt.status, tt.contentType, tt.body)
			}
			if got := pub.tables(); got != tt.tables {
				t.Errorf("published %q, want %q", got, tt.tables)
			}
		})
	}
}

func TestOTLPColumns(t *testing.T) {
	want := map[string]string{ // column -> its values from the protobuf request, then from the JSON one
		"OTelLogs.TimeGenerated":      "[2024-03-10 11:00:00 +0000 UTC] [2024-03-10 11:00:00 +0000 UTC]", // microseconds, as stored
		"OTelLogs.ObservedTimestamp":  "[2024-03-10 11:00:00.000001 +0000 UTC] []",
		"OTelLogs.Body":               `[payment declined] [{"msg":"login failed"}]`,
		"OTelLogs.SeverityText":       "[WARN] [ERROR]",
		"OTelLogs.SeverityNumber":     "[13] [17]",
		"OTelLogs.TraceId":            "[5b8efff798038103d269b633813fc60c] [5b8efff798038103d269b633813fc60c]",
		"OTelLogs.SpanId":             "[eee19b7ec3c1b174] [eee19b7ec3c1b174]",
		"OTelLogs.TraceFlags":         "[1] []",
		"OTelLogs.ServiceName":        "[checkout] [auth-api]",
		"OTelLogs.HostName":           "[web-7] []",
		"OTelLogs.ScopeName":          "[go.opentelemetry.io/contrib/bridges/otelslog] [my.lib]",
		"OTelLogs.Attributes":         `[{"user.id":"u-42","http.status_code":402}] [{"attempts":3,"ok":false,"ratio":0.5,"tags":["a",7],"raw":"AAE="}]`,
		"OTelLogs.ResourceAttributes": `[{"service.name":"checkout","host.name":"web-7"}] [{"service.name":"auth-api"}]`,
		"Syslog.Computer":             "[bastion] []",
		"Syslog.Facility":             "[auth] []",
		"Syslog.SeverityLevel":        "[info] []",
		"Syslog.ProcessName":          "[sshd] []",
		"Syslog.ProcessID":            "[4123] []",
		"Syslog.SyslogMessage":        "[Failed password for root from 203.0.113.7 port 52814 ssh2] []",
		"IngestionErrors.Reason":      "[trace id is 3 bytes, want 16] []",
		"IngestionErrors.RawData":     `[{"body":{"stringValue":"x"},"timeUnixNano":"1710068400000000500","traceId":"010203"}] []`,
		"IngestionErrors.Table":       "[OTelLogs] []",
	}
	got := map[string][]string{}
	for _, req := range []struct{ ct, body string }{{"application/x-protobuf", string(otlpRequest())}, {"application/json", otlpJSONBody}} {
		s, pub := newFormatTestServer(t)
		if rec := s.call(call{"POST", "/v1/logs", req.body, map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": req.ct}}); rec.Code != 200 {
			t.Fatal(rec.Code, rec.Body)
		}
		for k := range want {
			table, col, _ := strings.Cut(k, ".")
			var vals []string
			for _, v := range pub.col(table, col) {
				if v != "<nil>" {
					vals = append(vals, v)
				}
			}
			got[k] = append(got[k], "["+strings.Join(vals, " ")+"]")
		}
	}
	for k, w := range want {
		if g := strings.Join(got[k], " "); g != w {
			t.Errorf("%s = %s, want %s", k, g, w)
		}
	}
}

func FuzzOTLPJSON(f *testing.F) {
	f.Add([]byte(otlpJSONBody))
	f.Add([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":18446744073709551615,"body":{"arrayValue":{"values":[{}]}}}]}]}]}`))
	f.Add([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"facility","value":{"intValue":"4"}}],"spanId":"00"}]}]}]}`))
	s, _ := newFormatTestServer(&testing.T{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ct := range []string{"application/json", "application/x-protobuf"} {
			req := httptest.NewRequest("POST", "/v1/logs", bytes.NewReader(b))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer "+testKey)
			rec := httptest.NewRecorder()
			s.routes().ServeHTTP(rec, req)
			if rec.Code != 200 && rec.Code != 400 {
				t.Fatalf("%s: status %d: %s", ct, rec.Code, rec.Body)
			}
		}
	})
}

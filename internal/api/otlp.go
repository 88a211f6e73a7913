package api

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// OTLP/HTTP logs receiver (https://opentelemetry.io/docs/specs/otlp/#otlphttp): POST /v1/logs
// with an ExportLogsServiceRequest as binary protobuf (application/x-protobuf) or as OTLP JSON
// (application/json: lowerCamelCase keys, trace and span ids in hex, 64-bit integers as numbers
// or strings), optionally gzip-compressed. The request is decoded with the official generated
// types: logs.v1.LogsData has the wire form of ExportLogsServiceRequest (one repeated field 1),
// which keeps the collector package and its gRPC dependencies out of the binary.
//
// A log record whose attributes come from a syslog receiver (the Collector's syslog receiver or
// filelog's syslog parser: appname, hostname, facility, priority, proc_id, message) becomes a
// Syslog row; any other an OTelLogs row (Body, SeverityText, SeverityNumber, TraceId, SpanId,
// Attributes, ResourceAttributes, ServiceName from service.name, HostName from host.name). A
// record that cannot be mapped (trace id not 16 bytes, span id not 8, a time beyond year 9999)
// goes to IngestionErrors with the reason and the record as OTLP JSON, and the answer is a
// partial success counting it. A body that cannot be decoded is answered 400 with a
// google.rpc.Status and recorded in IngestionErrors whole.

// otlpSource names the OTLP receiver in IngestionErrors.
const otlpSource = "http:/v1/logs"

// otlpTable is the Vigil table for log records that are not syslog.
const otlpTable = "OTelLogs"

// gRPC status codes used in OTLP/HTTP error bodies.
const (
	rpcInvalidArgument  = 3
	rpcUnauthenticated  = 16
	rpcPermissionDenied = 7
	rpcUnavailable      = 14
	rpcInternal         = 13
	rpcResourceExhaust  = 8
)

func (s *Server) otlpRoutes(mux *http.ServeMux) {
	mux.Handle("POST /v1/logs", s.counted(recvOTLP, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isJSON := otlpIsJSON(r)
		fail := func(w http.ResponseWriter, missing bool) {
			if missing {
				otlpStatus(w, isJSON, http.StatusUnauthorized, rpcUnauthenticated, "missing API key")
				return
			}
			otlpStatus(w, isJSON, http.StatusForbidden, rpcPermissionDenied, "unknown API key or no permission to ingest")
		}
		s.keyAuth(fail, http.HandlerFunc(s.otlpLogs)).ServeHTTP(w, r)
	})))
}

func otlpIsJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

// otlpLogs is POST /v1/logs.
func (s *Server) otlpLogs(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON := mt == "application/json"
	if !isJSON && mt != "application/x-protobuf" {
		otlpStatus(w, false, http.StatusUnsupportedMediaType, rpcInvalidArgument,
			"Content-Type must be application/x-protobuf or application/json")
		return
	}
	body, err := s.readBody(w, r)
	if err != nil {
		s.otlpError(w, isJSON, err)
		return
	}
	req, err := decodeOTLPLogs(body, isJSON)
	if err != nil {
		s.otlpRejectWhole(w, r, isJSON, body, err)
		return
	}
	m, err := newOTLPMapper(s.d.Registry, time.Now().UTC())
	if err != nil {
		s.otlpError(w, isJSON, err)
		return
	}
	m.mapAll(req)
	p, _ := PrincipalFrom(r.Context())
	rejected, reason := 0, ""
	for _, b := range m.batches {
		res, err := s.ingestRows(r.Context(), p.Tenant, otlpSource, b.t, b.rows, b.rejects)
		if err != nil {
			s.otlpError(w, isJSON, err)
			return
		}
		rejected += res.Rejected
		if len(res.Errors) > 0 && reason == "" {
			reason = res.Errors[0].Reason
		}
	}
	otlpSuccess(w, isJSON, rejected, reason)
}

// decodeOTLPLogs decodes an ExportLogsServiceRequest.
func decodeOTLPLogs(body []byte, isJSON bool) (*logspb.LogsData, error) {
	if isJSON {
		return decodeOTLPJSON(body)
	}
	var req logspb.LogsData
	if err := proto.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("invalid protobuf ExportLogsServiceRequest: %w", err)
	}
	return &req, nil
}

// otlpRejectWhole records an undecodable body in IngestionErrors and answers 400.
func (s *Server) otlpRejectWhole(w http.ResponseWriter, r *http.Request, isJSON bool, body []byte, derr error) {
	if t, ok := s.d.Registry.Table(otlpTable); ok {
		p, _ := PrincipalFrom(r.Context())
		rej := []ingest.RowError{{Line: 1, Reason: derr.Error(), Raw: body}}
		if _, err := s.ingestRows(r.Context(), p.Tenant, otlpSource, t, nil, rej); err != nil {
			s.otlpError(w, isJSON, err)
			return
		}
	}
	otlpStatus(w, isJSON, http.StatusBadRequest, rpcInvalidArgument, derr.Error())
}

// otlpError answers err with the status writeError would give it, in OTLP's Status shape.
func (s *Server) otlpError(w http.ResponseWriter, isJSON bool, err error) {
	status, b := classifyError(w.Header(), s.d.Log, err)
	code := map[bool]int32{true: rpcInternal, false: rpcInvalidArgument}[status >= 500]
	switch status {
	case http.StatusServiceUnavailable:
		code = rpcUnavailable
	case http.StatusRequestEntityTooLarge:
		code = rpcResourceExhaust
	}
	otlpStatus(w, isJSON, status, code, b.Error.Message)
}

// otlpStatus writes a google.rpc.Status body {code, message}.
func otlpStatus(w http.ResponseWriter, isJSON bool, status int, code int32, msg string) {
	if isJSON {
		writeJSON(w, status, map[string]any{"code": code, "message": msg})
		return
	}
	b := protowire.AppendTag(nil, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(code))
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendString(b, msg)
	writeProto(w, status, b)
}

// otlpSuccess writes an ExportLogsServiceResponse, with partial_success when records were
// rejected.
func otlpSuccess(w http.ResponseWriter, isJSON bool, rejected int, msg string) {
	if isJSON {
		out := map[string]any{}
		if rejected > 0 {
			out["partialSuccess"] = map[string]any{"rejectedLogRecords": strconv.Itoa(rejected), "errorMessage": msg}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	var b []byte
	if rejected > 0 {
		var ps []byte
		ps = protowire.AppendTag(ps, 1, protowire.VarintType)
		ps = protowire.AppendVarint(ps, uint64(rejected))
		ps = protowire.AppendTag(ps, 2, protowire.BytesType)
		ps = protowire.AppendString(ps, msg)
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, ps)
	}
	writeProto(w, http.StatusOK, b)
}

func writeProto(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// otlpBatch is what one request gives one table.
type otlpBatch struct {
	t       *schema.Table
	rows    [][]schema.Value
	rejects []ingest.RowError
}

// otlpMapper maps log records to Syslog and OTelLogs rows.
type otlpMapper struct {
	now     time.Time
	syslog  *otlpBatch
	otel    *otlpBatch
	batches []*otlpBatch
	index   int // of the record in the request, for IngestionErrors
}

func newOTLPMapper(reg *schema.Registry, now time.Time) (*otlpMapper, error) {
	sys, ok := reg.Table(normalize.SyslogTable)
	if !ok {
		return nil, errors.New("table Syslog is not in the registry")
	}
	ot, ok := reg.Table(otlpTable)
	if !ok {
		return nil, errors.New("table OTelLogs is not in the registry")
	}
	m := &otlpMapper{now: now, syslog: &otlpBatch{t: sys}, otel: &otlpBatch{t: ot}}
	m.batches = []*otlpBatch{m.syslog, m.otel}
	return m, nil
}

func (m *otlpMapper) mapAll(req *logspb.LogsData) {
	for _, rl := range req.GetResourceLogs() {
		res := attrMap(rl.GetResource().GetAttributes())
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				m.mapRecord(res, rl, sl, lr)
				m.index++
			}
		}
	}
}

// mapRecord maps one record, or records why it cannot be.
func (m *otlpMapper) mapRecord(res map[string]*commonpb.AnyValue, rl *logspb.ResourceLogs, sl *logspb.ScopeLogs, lr *logspb.LogRecord) {
	attrs := attrMap(lr.GetAttributes())
	b := m.otel
	if looksSyslog(attrs) {
		b = m.syslog
	}
	row, err := m.row(b.t, res, rl, sl, lr, attrs)
	if err != nil {
		b.rejects = append(b.rejects, ingest.RowError{Row: m.index, Line: 1, Reason: err.Error(), Raw: otlpRecordJSON(lr)})
		return
	}
	b.rows = append(b.rows, row)
}

// otlpRecordJSON renders a record as OTLP JSON (ids in hex), for IngestionErrors.
func otlpRecordJSON(lr *logspb.LogRecord) []byte {
	b, err := protojson.Marshal(lr)
	var m map[string]any
	if err != nil || json.Unmarshal(b, &m) != nil {
		return b
	}
	if len(lr.GetTraceId()) > 0 {
		m["traceId"] = hex.EncodeToString(lr.GetTraceId())
	}
	if len(lr.GetSpanId()) > 0 {
		m["spanId"] = hex.EncodeToString(lr.GetSpanId())
	}
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}

func (m *otlpMapper) row(t *schema.Table, res map[string]*commonpb.AnyValue, rl *logspb.ResourceLogs, sl *logspb.ScopeLogs,
	lr *logspb.LogRecord, attrs map[string]*commonpb.AnyValue) ([]schema.Value, error) {
	ts, err := m.recordTime(lr)
	if err != nil {
		return nil, err
	}
	if n := len(lr.GetTraceId()); n != 0 && n != 16 {
		return nil, fmt.Errorf("trace id is %d bytes, want 16", n)
	}
	if n := len(lr.GetSpanId()); n != 0 && n != 8 {
		return nil, fmt.Errorf("span id is %d bytes, want 8", n)
	}
	c := rowSetter{t: t, row: make([]schema.Value, len(t.Columns))}
	if t.Name == normalize.SyslogTable {
		syslogRow(&c, ts, m.now, res, lr, attrs)
		return c.row, nil
	}
	c.set("TimeGenerated", ts)
	if lr.GetObservedTimeUnixNano() != 0 {
		if ot, err := unixNano(lr.GetObservedTimeUnixNano()); err == nil {
			c.set("ObservedTimestamp", ot)
		}
	}
	c.str("SeverityText", lr.GetSeverityText())
	if lr.GetSeverityNumber() != 0 {
		c.set("SeverityNumber", int32(lr.GetSeverityNumber()))
	}
	c.str("Body", anyText(lr.GetBody()))
	c.str("EventName", lr.GetEventName())
	c.str("TraceId", hex.EncodeToString(lr.GetTraceId()))
	c.str("SpanId", hex.EncodeToString(lr.GetSpanId()))
	if lr.GetFlags() != 0 {
		c.set("TraceFlags", int32(lr.GetFlags()&0xff))
	}
	c.str("ServiceName", anyText(res["service.name"]))
	c.str("HostName", anyText(res["host.name"]))
	c.str("ScopeName", sl.GetScope().GetName())
	c.str("ScopeVersion", sl.GetScope().GetVersion())
	c.set("Attributes", schema.Dynamic(kvJSON(lr.GetAttributes())))
	c.set("ResourceAttributes", schema.Dynamic(kvJSON(rl.GetResource().GetAttributes())))
	if sa := sl.GetScope().GetAttributes(); len(sa) > 0 {
		c.set("ScopeAttributes", schema.Dynamic(kvJSON(sa)))
	}
	return c.row, nil
}

// recordTime is the record's time, else its observed time, else the time it was received.
func (m *otlpMapper) recordTime(lr *logspb.LogRecord) (time.Time, error) {
	for _, ns := range []uint64{lr.GetTimeUnixNano(), lr.GetObservedTimeUnixNano()} {
		if ns != 0 {
			return unixNano(ns)
		}
	}
	return m.now, nil
}

// unixNano converts nanoseconds since the epoch, refusing times after year 2262 (int64 range).
func unixNano(ns uint64) (time.Time, error) {
	if ns > math.MaxInt64 {
		return time.Time{}, fmt.Errorf("time %d ns is out of range", ns)
	}
	return time.Unix(0, int64(ns)).UTC(), nil
}

// rowSetter sets columns of a row by name.
type rowSetter struct {
	t   *schema.Table
	row []schema.Value
}

func (c *rowSetter) set(col string, v schema.Value) {
	if i, ok := c.t.Column(col); ok {
		c.row[i] = v
	}
}

// str sets a string column, leaving "" null and replacing invalid UTF-8.
func (c *rowSetter) str(col, s string) {
	if s != "" {
		c.set(col, strings.ToValidUTF8(s, "\uFFFD"))
	}
}

// looksSyslog reports whether record attributes come from a syslog receiver.
func looksSyslog(a map[string]*commonpb.AnyValue) bool {
	_, fac := a["facility"]
	_, pri := a["priority"]
	_, app := a["appname"]
	_, host := a["hostname"]
	return fac || pri || (app && host)
}

// syslogRow fills a Syslog row from the attributes the Collector's syslog parser sets.
func syslogRow(c *rowSetter, ts, now time.Time, res map[string]*commonpb.AnyValue, lr *logspb.LogRecord, a map[string]*commonpb.AnyValue) {
	c.set("TimeGenerated", ts)
	c.set("EventTime", ts)
	c.set("TimeCollected", now)
	host := anyText(a["hostname"])
	if host == "" {
		host = anyText(res["host.name"])
	}
	c.str("Computer", host)
	c.str("HostName", host)
	fac, sev := -1, -1
	if p, err := strconv.Atoi(anyText(a["priority"])); err == nil && p >= 0 && p < 192 {
		fac, sev = p/8, p%8
	}
	if f, err := strconv.Atoi(anyText(a["facility"])); err == nil {
		fac = f
	}
	if fac >= 0 {
		c.str("Facility", normalize.FacilityName(fac))
	}
	if sev >= 0 {
		c.str("SeverityLevel", normalize.SeverityName(sev))
	} else {
		c.str("SeverityLevel", strings.ToLower(lr.GetSeverityText()))
	}
	c.str("ProcessName", anyText(a["appname"]))
	if pid, err := strconv.ParseInt(anyText(a["proc_id"]), 10, 32); err == nil {
		c.set("ProcessID", int32(pid))
	}
	msg := anyText(a["message"])
	if msg == "" {
		msg = anyText(lr.GetBody())
	}
	c.str("SyslogMessage", msg)
	c.set("SourceSystem", "OpenTelemetry")
}

// attrMap indexes attributes by key (the first of duplicate keys wins).
func attrMap(kvs []*commonpb.KeyValue) map[string]*commonpb.AnyValue {
	m := make(map[string]*commonpb.AnyValue, len(kvs))
	for _, kv := range kvs {
		if _, dup := m[kv.GetKey()]; !dup {
			m[kv.GetKey()] = kv.GetValue()
		}
	}
	return m
}

// anyText renders a value as text: strings as they are, other values as JSON; nil as "".
func anyText(v *commonpb.AnyValue) string {
	if v == nil || v.GetValue() == nil {
		return ""
	}
	if s, ok := v.GetValue().(*commonpb.AnyValue_StringValue); ok {
		return s.StringValue
	}
	var b strings.Builder
	writeAnyJSON(&b, v, 0)
	return b.String()
}

// kvJSON renders attributes as a JSON object (the first of duplicate keys wins).
func kvJSON(kvs []*commonpb.KeyValue) string {
	var b strings.Builder
	writeKVJSON(&b, kvs, 0)
	return b.String()
}

// maxAnyDepth bounds nesting of rendered values; deeper values render as null.
const maxAnyDepth = 64

func writeKVJSON(b *strings.Builder, kvs []*commonpb.KeyValue, depth int) {
	b.WriteByte('{')
	seen := make(map[string]bool, len(kvs))
	for _, kv := range kvs {
		if seen[kv.GetKey()] {
			continue
		}
		if len(seen) > 0 {
			b.WriteByte(',')
		}
		seen[kv.GetKey()] = true
		writeJSONString(b, kv.GetKey())
		b.WriteByte(':')
		writeAnyJSON(b, kv.GetValue(), depth+1)
	}
	b.WriteByte('}')
}

func writeAnyJSON(b *strings.Builder, v *commonpb.AnyValue, depth int) {
	if depth > maxAnyDepth {
		b.WriteString("null")
		return
	}
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		writeJSONString(b, x.StringValue)
	case *commonpb.AnyValue_BoolValue:
		b.WriteString(strconv.FormatBool(x.BoolValue))
	case *commonpb.AnyValue_IntValue:
		b.WriteString(strconv.FormatInt(x.IntValue, 10))
	case *commonpb.AnyValue_DoubleValue:
		if math.IsNaN(x.DoubleValue) || math.IsInf(x.DoubleValue, 0) {
			writeJSONString(b, strconv.FormatFloat(x.DoubleValue, 'g', -1, 64))
		} else {
			b.WriteString(strconv.FormatFloat(x.DoubleValue, 'g', -1, 64))
		}
	case *commonpb.AnyValue_BytesValue:
		writeJSONString(b, base64.StdEncoding.EncodeToString(x.BytesValue))
	case *commonpb.AnyValue_ArrayValue:
		b.WriteByte('[')
		for i, e := range x.ArrayValue.GetValues() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeAnyJSON(b, e, depth+1)
		}
		b.WriteByte(']')
	case *commonpb.AnyValue_KvlistValue:
		writeKVJSON(b, x.KvlistValue.GetValues(), depth+1)
	default:
		b.WriteString("null")
	}
}

// writeJSONString writes s as a JSON string, replacing invalid UTF-8.
func writeJSONString(b *strings.Builder, s string) {
	q, _ := json.Marshal(strings.ToValidUTF8(s, "\uFFFD"))
	b.Write(q)
}

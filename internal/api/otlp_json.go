package api

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
)

// OTLP JSON differs from the protobuf JSON mapping that protojson implements: trace and span
// ids are hex, not base64 (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
// So the request is decoded into these mirror types and converted to the generated ones.

type otlpJSONRequest struct {
	ResourceLogs []struct {
		Resource struct {
			Attributes             []otlpJSONKV `json:"attributes"`
			DroppedAttributesCount uint32       `json:"droppedAttributesCount"`
		} `json:"resource"`
		ScopeLogs []struct {
			Scope struct {
				Name       string       `json:"name"`
				Version    string       `json:"version"`
				Attributes []otlpJSONKV `json:"attributes"`
			} `json:"scope"`
			LogRecords []otlpJSONRecord `json:"logRecords"`
			SchemaURL  string           `json:"schemaUrl"`
		} `json:"scopeLogs"`
		SchemaURL string `json:"schemaUrl"`
	} `json:"resourceLogs"`
}

type otlpJSONRecord struct {
	TimeUnixNano           jsonUint     `json:"timeUnixNano"`
	ObservedTimeUnixNano   jsonUint     `json:"observedTimeUnixNano"`
	SeverityNumber         int32        `json:"severityNumber"`
	SeverityText           string       `json:"severityText"`
	Body                   *otlpJSONAny `json:"body"`
	Attributes             []otlpJSONKV `json:"attributes"`
	DroppedAttributesCount uint32       `json:"droppedAttributesCount"`
	Flags                  uint32       `json:"flags"`
	TraceID                string       `json:"traceId"`
	SpanID                 string       `json:"spanId"`
	EventName              string       `json:"eventName"`
}

type otlpJSONKV struct {
	Key   string      `json:"key"`
	Value otlpJSONAny `json:"value"`
}

type otlpJSONAny struct {
	StringValue *string  `json:"stringValue"`
	BoolValue   *bool    `json:"boolValue"`
	IntValue    *jsonInt `json:"intValue"`
	DoubleValue *float64 `json:"doubleValue"`
	BytesValue  *[]byte  `json:"bytesValue"`
	ArrayValue  *struct {
		Values []otlpJSONAny `json:"values"`
	} `json:"arrayValue"`
	KvlistValue *struct {
		Values []otlpJSONKV `json:"values"`
	} `json:"kvlistValue"`
}

// jsonUint is a uint64 written as a number or a decimal string, as OTLP JSON allows.
type jsonUint uint64

func (u *jsonUint) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is not an unsigned integer", clipText(s))
	}
	*u = jsonUint(n)
	return nil
}

// jsonInt is an int64 written as a number or a decimal string.
type jsonInt int64

func (i *jsonInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is not an integer", clipText(s))
	}
	*i = jsonInt(n)
	return nil
}

func clipText(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "..."
	}
	return strconv.Quote(s)
}

// decodeOTLPJSON decodes an OTLP JSON ExportLogsServiceRequest.
func decodeOTLPJSON(body []byte) (*logspb.LogsData, error) {
	var in otlpJSONRequest
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&in); err != nil {
		return nil, fmt.Errorf("invalid OTLP JSON: %w", err)
	}
	if d.More() {
		return nil, fmt.Errorf("invalid OTLP JSON: text after the request at offset %d", d.InputOffset())
	}
	out := &logspb.LogsData{}
	for _, rl := range in.ResourceLogs {
		prl := &logspb.ResourceLogs{SchemaUrl: rl.SchemaURL, Resource: &resourcepb.Resource{
			Attributes: jsonKVs(rl.Resource.Attributes), DroppedAttributesCount: rl.Resource.DroppedAttributesCount}}
		for _, sl := range rl.ScopeLogs {
			psl := &logspb.ScopeLogs{SchemaUrl: sl.SchemaURL, Scope: &commonpb.InstrumentationScope{
				Name: sl.Scope.Name, Version: sl.Scope.Version, Attributes: jsonKVs(sl.Scope.Attributes)}}
			for i := range sl.LogRecords {
				lr, err := sl.LogRecords[i].proto()
				if err != nil {
					return nil, fmt.Errorf("invalid OTLP JSON: log record %d: %w", i, err)
				}
				psl.LogRecords = append(psl.LogRecords, lr)
			}
			prl.ScopeLogs = append(prl.ScopeLogs, psl)
		}
		out.ResourceLogs = append(out.ResourceLogs, prl)
	}
	return out, nil
}

func (r *otlpJSONRecord) proto() (*logspb.LogRecord, error) {
	tid, err := hex.DecodeString(r.TraceID)
	if err != nil {
		return nil, fmt.Errorf("traceId %s is not hex", clipText(r.TraceID))
	}
	sid, err := hex.DecodeString(r.SpanID)
	if err != nil {
		return nil, fmt.Errorf("spanId %s is not hex", clipText(r.SpanID))
	}
	lr := &logspb.LogRecord{
		TimeUnixNano: uint64(r.TimeUnixNano), ObservedTimeUnixNano: uint64(r.ObservedTimeUnixNano),
		SeverityNumber: logspb.SeverityNumber(r.SeverityNumber), SeverityText: r.SeverityText,
		Attributes: jsonKVs(r.Attributes), DroppedAttributesCount: r.DroppedAttributesCount, Flags: r.Flags,
		TraceId: tid, SpanId: sid, EventName: r.EventName,
	}
	if r.Body != nil {
		lr.Body = r.Body.proto()
	}
	return lr, nil
}

func jsonKVs(kvs []otlpJSONKV) []*commonpb.KeyValue {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]*commonpb.KeyValue, len(kvs))
	for i := range kvs {
		out[i] = &commonpb.KeyValue{Key: kvs[i].Key, Value: kvs[i].Value.proto()}
	}
	return out
}

func (a *otlpJSONAny) proto() *commonpb.AnyValue {
	switch {
	case a.StringValue != nil:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: *a.StringValue}}
	case a.BoolValue != nil:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: *a.BoolValue}}
	case a.IntValue != nil:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(*a.IntValue)}}
	case a.DoubleValue != nil:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: *a.DoubleValue}}
	case a.BytesValue != nil:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BytesValue{BytesValue: *a.BytesValue}}
	case a.ArrayValue != nil:
		vs := make([]*commonpb.AnyValue, len(a.ArrayValue.Values))
		for i := range a.ArrayValue.Values {
			vs[i] = a.ArrayValue.Values[i].proto()
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: vs}}}
	case a.KvlistValue != nil:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: jsonKVs(a.KvlistValue.Values)}}}
	}
	return &commonpb.AnyValue{}
}

package api

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// TestOTLPFromSDKExporter sends logs with the OpenTelemetry Go SDK's OTLP/HTTP exporter, as an
// instrumented application would, gzip-compressed, with the API key as a header.
func TestOTLPFromSDKExporter(t *testing.T) {
	s, pub := newFormatTestServer(t)
	srv := httptest.NewServer(s.routes())
	defer srv.Close()
	ctx := context.Background()
	exp, err := otlploghttp.New(ctx, otlploghttp.WithEndpointURL(srv.URL+"/v1/logs"),
		otlploghttp.WithCompression(otlploghttp.GzipCompression),
		otlploghttp.WithHeaders(map[string]string{"Authorization": "Bearer " + testKey}))
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewSchemaless(semconv.ServiceName("billing"), semconv.HostName("app-3"))
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	var rec otellog.Record
	rec.SetTimestamp(time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC))
	rec.SetSeverity(otellog.SeverityError)
	rec.SetSeverityText("ERROR")
	rec.SetBody(attribute.StringValue("invoice export failed"))
	rec.AddAttributes(attribute.String("tenant", "acme"), attribute.Int("retries", 3))
	lp.Logger("billing/export").Emit(ctx, rec)
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]string{
		"Body": "invoice export failed", "SeverityText": "ERROR", "SeverityNumber": "17", "ServiceName": "billing",
		"HostName": "app-3", "ScopeName": "billing/export", "Attributes": `{"tenant":"acme","retries":3}`,
		"TimeGenerated": "2024-03-10 12:00:00 +0000 UTC",
	} {
		if got := strings.Join(pub.col("OTelLogs", col), "|"); got != want {
			t.Errorf("%s = %q, want %q", col, got, want)
		}
	}
}

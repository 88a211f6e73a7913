package api

import (
	"fmt"
	"strings"
	"testing"
)

const tiBundle = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"identity","id":"identity--acme","name":"ACME CERT"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--c2","created_by_ref":"identity--acme","name":"C2",
  "pattern":"[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'evil.example']","valid_from":"2025-01-01T00:00:00Z","confidence":90,
  "indicator_types":["malicious-activity"]},
 {"type":"indicator","spec_version":"2.1","id":"indicator--bad","pattern":"[process:name = 'x']","valid_from":"2025-01-01T00:00:00Z"}
]}`

func TestImportIndicators(t *testing.T) {
	hs, pub := newDetectionServer(t)
	const path = "/api/v1/threatIntelligence/indicators:import"
	tests := []struct {
		name, key, body string
		status          int
		want            string
	}{
		{"bundle", detKeyT1, tiBundle, 200,
			`{"accepted":1,"rejected":1,"observables":2,"skipped":1,"errors":[{"index":2,"id":"indicator--bad","reason":"pattern at byte 1: unsupported object path \"process:name\""}]}`},
		{"not a bundle", detKeyT1, `{"type":"report"}`, 400, `{"error":{"code":"invalidBundle","message":"invalid STIX bundle: type is \"report\", want \"bundle\""}}`},
		{"bad json", detKeyT1, `{"type":"bundle",`, 400, `"code":"invalidBundle","message":"invalid STIX bundle: unexpected EOF"`},
	}
	for _, tc := range tests {
		status, body := httpCall(t, hs.URL, tc.key, "POST", path, tc.body)
		if status != tc.status || strings.TrimSpace(body) != tc.want && !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s; want %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	legacy := pub.rows("t1", "ThreatIntelligenceIndicator")
	if len(legacy) != 2 {
		t.Fatalf("%d ThreatIntelligenceIndicator rows, want 2", len(legacy))
	}
	if got := fmt.Sprint(legacy[0]["IndicatorId"], " ", legacy[0]["NetworkIP"], " ", legacy[0]["ConfidenceScore"], " ", legacy[0]["IndicatorProvider"], " ", legacy[1]["DomainName"]); got != "indicator--c2 203.0.113.9 90 ACME CERT evil.example" {
		t.Errorf("legacy rows: %s", got)
	}
	if stix := pub.rows("t1", "ThreatIntelIndicators"); len(stix) != 2 || stix[0]["ObservableKey"] != "ipv4-addr:value" {
		t.Errorf("ThreatIntelIndicators rows %v", stix)
	}
	dl := pub.rows("t1", "IngestionErrors")
	if len(dl) != 1 || !strings.Contains(fmt.Sprint(dl[0]["Reason"]), "object 2 (indicator--bad): pattern at byte 1") {
		t.Errorf("IngestionErrors %v", dl)
	}
}

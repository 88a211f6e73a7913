package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRuleResponseActions creates a Defender custom detection that isolates the device of each
// match, runs it over a matching event, and finds the isolation requested by the rule in the
// Action Center, waiting for approval (the default automation level is semi).
func TestRuleResponseActions(t *testing.T) {
	s := startTest(t, nil)
	detection := `{
  "displayName": "Mimikatz on a device", "id": "9d1f3c55-2b6e-4c1a-8f7d-3e2a1b0c9d88", "isEnabled": true,
  "queryCondition": {"queryText": "DeviceProcessEvents | where FileName =~ \"mimikatz.exe\" | project Timestamp, DeviceId, DeviceName, ReportId"},
  "schedule": {"period": "1H"},
  "detectionAction": {
    "alertTemplate": {"title": "Mimikatz", "description": "A credential theft tool ran.", "severity": "high", "category": "CredentialAccess",
      "mitreTechniques": ["T1003"], "impactedAssets": [{"@odata.type": "#microsoft.graph.security.impactedDeviceAsset", "identifier": "deviceId"}]},
    "responseActions": [{"@odata.type": "#microsoft.graph.security.isolateDeviceResponseAction", "identifier": "deviceId", "isolationType": "full"}]
  }
}`
	if r := s.do(t, "POST", "/api/v1/security/rules/detectionRules", []byte(detection), nil); r.status != 201 {
		t.Fatalf("create detection: %d %s", r.status, r.body)
	}
	now := time.Now().UTC()
	ev := fmt.Sprintf(`{"Timestamp":%q,"DeviceId":"4b0c2a1e5d","DeviceName":"ws7","FileName":"mimikatz.exe","ReportId":1}`, now.Add(-5*time.Minute).Format(time.RFC3339))
	if r := s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(ev), nil); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	s.settle(t)
	for _, ri := range s.a.RunRulesNow(context.Background(), now) {
		if ri.Err != nil || ri.Alerts != 1 {
			t.Fatalf("run: %+v", ri)
		}
	}
	r := s.do(t, "GET", "/api/v1/security/actions", nil, nil)
	if r.status != 200 || strings.Count(r.body, `"type":"isolateDevice"`) != 1 || !strings.Contains(r.body, `"device":"4b0c2a1e5d"`) ||
		!strings.Contains(r.body, `"status":"pendingApproval"`) || !strings.Contains(r.body, `"requestor":{"type":"rule","name":"9d1f3c55-2b6e-4c1a-8f7d-3e2a1b0c9d88"}`) {
		t.Errorf("actions: %d %s", r.status, r.body)
	}
}

package rule

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

const sentinelSample = `id: 0b1c2d3e-1111-2222-3333-444455556666
name: Sample rule
description: |
  Finds things.
severity: Medium
status: Available
requiredDataConnectors:
  - connectorId: AzureActiveDirectory
    dataTypes:
      - SigninLogs
queryFrequency: 5h
queryPeriod: 14d
triggerOperator: gt
triggerThreshold: 2
tactics:
  - CredentialAccess
relevantTechniques:
  - T1110
query: |
  SigninLogs
  | where ResultType != "0"
  | project TimeGenerated, UserPrincipalName, IPAddress
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: UserPrincipalName
customDetails:
  Source: IPAddress
eventGroupingSettings:
  aggregationKind: AlertPerResult
version: 1.0.2
kind: Scheduled
`

const armSample = `{
  "resources": [
    {
      "id": "[concat(resourceId('Microsoft.OperationalInsights/workspaces/providers', parameters('workspace'), 'Microsoft.SecurityInsights'),'/alertRules/0b1c2d3e-1111-2222-3333-444455556666')]",
      "name": "[concat(parameters('workspace'),'/Microsoft.SecurityInsights/0b1c2d3e-1111-2222-3333-444455556666')]",
      "type": "Microsoft.OperationalInsights/workspaces/providers/alertRules",
      "kind": "NRT",
      "apiVersion": "2023-02-01-preview",
      "properties": {
        "displayName": "Sample NRT",
        "description": "d",
        "severity": "High",
        "enabled": true,
        "query": "SigninLogs\n| where ResultType != \"0\"",
        "suppressionDuration": "PT5H",
        "suppressionEnabled": false,
        "tactics": ["InitialAccess"],
        "techniques": ["T1078"],
        "eventGroupingSettings": {"aggregationKind": "SingleAlert"},
        "incidentConfiguration": {"createIncident": true, "groupingConfiguration": {"enabled": false, "reopenClosedIncident": false, "lookbackDuration": "PT5H", "matchingMethod": "AllEntities", "groupByEntities": [], "groupByAlertDetails": [], "groupByCustomDetails": []}},
        "entityMappings": [{"entityType": "IP", "fieldMappings": [{"identifier": "Address", "columnName": "IPAddress"}]}]
      }
    },
    {"type": "Microsoft.OperationalInsights/workspaces/providers/alertRules", "kind": "Fusion", "properties": {}}
  ]
}`

const defenderSample = `{
  "displayName": "Some rule name",
  "id": "35079",
  "isEnabled": true,
  "queryCondition": {"queryText": "DeviceProcessEvents | take 1"},
  "schedule": {"period": "12H"},
  "detectionAction": {
    "alertTemplate": {
      "title": "Some alert title",
      "description": "Some alert description",
      "severity": "medium",
      "category": "Execution",
      "recommendedActions": null,
      "mitreTechniques": ["T1059"],
      "impactedAssets": [{"@odata.type": "#microsoft.graph.security.impactedDeviceAsset", "identifier": "deviceId"}]
    },
    "organizationalScope": null,
    "responseActions": [{"@odata.type": "#microsoft.graph.security.isolateDeviceResponseAction", "identifier": "deviceId", "isolationType": "full"}]
  }
}`

func TestParseSentinelYAML(t *testing.T) {
	r, fs := ParseSentinelYAML("s.yaml", []byte(sentinelSample))
	if len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
	want := &Rule{
		ID: "0b1c2d3e-1111-2222-3333-444455556666", Name: "Sample rule", Description: "Finds things.",
		Severity: SeverityMedium, Status: "Available", Enabled: true, Kind: KindScheduled, Format: FormatSentinelYAML,
		Version: "1.0.2", Query: "SigninLogs\n| where ResultType != \"0\"\n| project TimeGenerated, UserPrincipalName, IPAddress\n",
		Frequency: Duration(5 * time.Hour), Period: Duration(14 * 24 * time.Hour),
		Trigger: Trigger{Operator: OpGreaterThan, Threshold: 2}, Tactics: []string{"CredentialAccess"}, Techniques: []string{"T1110"},
		RequiredDataConnectors: []DataConnector{{ConnectorID: "AzureActiveDirectory", DataTypes: []string{"SigninLogs"}}},
		EntityMappings:         []EntityMapping{{EntityType: "Account", FieldMappings: []FieldMapping{{"FullName", "UserPrincipalName"}}}},
		CustomDetails:          []CustomDetail{{"Source", "IPAddress"}}, EventGrouping: AlertPerResult,
		Incident: IncidentConfiguration{CreateIncident: true, Grouping: GroupingConfiguration{LookbackDuration: Duration(5 * time.Hour), MatchingMethod: MatchAllEntities}},
		Source:   Source{File: "s.yaml"},
	}
	r.src = nil
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
}

func TestParseSentinelARM(t *testing.T) {
	rs, fs := ParseSentinelARM("a.json", []byte(armSample))
	if len(fs) != 1 || fs[0].String() != `a.json:24:5: warning: skipped alert rule of kind "Fusion": only Scheduled and NRT rules are supported` {
		t.Fatalf("findings: %v", fs)
	}
	if len(rs) != 1 {
		t.Fatalf("%d rules", len(rs))
	}
	r := rs[0]
	if r.ID != "0b1c2d3e-1111-2222-3333-444455556666" || r.Name != "Sample NRT" || r.Kind != KindNRT || r.Severity != SeverityHigh ||
		r.Query != "SigninLogs\n| where ResultType != \"0\"" || r.SuppressionDuration != Duration(5*time.Hour) ||
		!reflect.DeepEqual(r.Techniques, []string{"T1078"}) || r.EventGrouping != SingleAlert || r.Incident.Grouping.Enabled ||
		r.EntityMappings[0].FieldMappings[0].ColumnName != "IPAddress" {
		t.Errorf("got %+v", r)
	}
	// The query's second line starts after the escaped newline inside the JSON string.
	if p := r.QueryPos(len("SigninLogs\n| ")); p != (Pos{Line: 14, Col: 33}) {
		t.Errorf("QueryPos = %v", p)
	}
}

func TestParseDefenderJSON(t *testing.T) {
	rs, fs := ParseDefenderJSON("d.json", []byte(defenderSample))
	if len(fs) != 0 || len(rs) != 1 {
		t.Fatalf("rules %d, findings %v", len(rs), fs)
	}
	r := rs[0]
	r.src = nil
	want := &Rule{
		ID: "35079", Name: "Some rule name", Description: "Some alert description", Severity: SeverityMedium, Enabled: true,
		Kind: KindScheduled, Format: FormatDefender, Query: "DeviceProcessEvents | take 1",
		Frequency: Duration(12 * time.Hour), Period: Duration(48 * time.Hour), Trigger: Trigger{Operator: OpGreaterThan},
		Tactics: []string{"Execution"}, Techniques: []string{"T1059"}, Category: "Execution",
		EntityMappings:       []EntityMapping{{EntityType: "Host", FieldMappings: []FieldMapping{{"MdatpDeviceId", "DeviceId"}}}},
		AlertDetailsOverride: &AlertDetailsOverride{DisplayNameFormat: "Some alert title"}, EventGrouping: AlertPerResult,
		Incident:        IncidentConfiguration{CreateIncident: true},
		ResponseActions: []ResponseAction{{Type: "isolateDevice", Identifier: "deviceId", Parameters: map[string]string{"isolationType": "full"}}},
		Source:          Source{File: "d.json"},
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
}

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		iso  string
	}{
		{"5m", 5 * time.Minute, "PT5M"}, {"5h", 5 * time.Hour, "PT5H"}, {"14d", 14 * 24 * time.Hour, "P14D"},
		{"PT5H", 5 * time.Hour, "PT5H"}, {"P14D", 14 * 24 * time.Hour, "P14D"}, {"P1DT2H30M", 26*time.Hour + 30*time.Minute, "P1DT2H30M"},
		{"12H", 12 * time.Hour, "PT12H"}, {"0", 0, "PT0S"},
	} {
		d, err := ParseDuration(c.in)
		if err != nil || d.Std() != c.want || d.String() != c.iso {
			t.Errorf("%q: %v %v %s", c.in, d.Std(), err, d)
		}
	}
	for _, bad := range []string{"", "P", "5x", "PT", "P5H", "-5m", "PT5D"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestLintFindings(t *testing.T) {
	for _, c := range []struct {
		name, edit, with string
		want             []string
	}{
		{"clean", "", "", nil},
		{"frequency over period", "queryPeriod: 14d", "queryPeriod: 1h", []string{"s.yaml:11:17: queryFrequency PT5H is longer than queryPeriod PT1H: rows between runs would never be looked at"}},
		{"query error", "| where ResultType", "| where NoSuchColumn", []string{"s.yaml:21:11: query: unknown column 'NoSuchColumn'"}},
		{"unknown column", "columnName: UserPrincipalName", "columnName: Nope", []string{`s.yaml:27:21: Account.FullName: column "Nope" is not in the query's output`}},
		{"wrong type", "Source: IPAddress", "Source: IPAddress\n  When: TimeGenerated", nil},
		{"bad tactic", "  - CredentialAccess", "  - Credential Access", []string{`s.yaml:16:5: unknown tactic "Credential Access" (Sentinel spells it "CredentialAccess")`}},
		{"bad technique", "  - T1110", "  - T111", []string{`s.yaml:18:5: technique "T111" is not an ATT&CK id such as T1059 or T1059.001`}},
		{"unknown field", "version: 1.0.2", "versoin: 1.0.2", []string{`s.yaml:32:1: warning: unknown field "versoin" in the rule (ignored)`}},
		{"nrt with frequency", "kind: Scheduled", "kind: NRT", []string{"s.yaml:11:17: NRT rules run every minute: remove queryFrequency", "s.yaml:12:14: NRT rules look at new rows only: remove queryPeriod"}},
		{"bad identifier", "identifier: FullName", "identifier: Upn", []string{`s.yaml:26:21: Account has no identifier "Upn"`}},
		// A dynamic column (split(...)[0] gives one) maps as tostring() renders it, as in
		// published Sentinel rules; a datetime does not.
		{"dynamic entity column", "| project TimeGenerated, UserPrincipalName,", "| project TimeGenerated, UserPrincipalName = split(UserPrincipalName, \"@\")[0],", nil},
		{"datetime entity column", "columnName: UserPrincipalName", "columnName: TimeGenerated", []string{`s.yaml:27:21: Account.FullName: column "TimeGenerated" is datetime, want string or guid or dynamic`}},
		// Columns taken from the data are only known when the rule runs: valid, with a warning.
		{"columns from the data", "| where ResultType", "| evaluate bag_unpack(LocationDetails)\n  | where ResultType", []string{"s.yaml:21:5: warning: query: evaluate bag_unpack takes its output columns from the data of each run; declare its output schema to have the rest of the query and its columns checked here"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(sentinelSample, c.edit, c.with, 1)
			r, fs := ParseSentinelYAML("s.yaml", []byte(src))
			fs = append(fs, Lint(r, schema.NewRegistry())...)
			var got []string
			for _, f := range fs {
				got = append(got, f.String())
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

package alert

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/store"
)

func TestExtract(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	res := &store.Result{
		Columns: []store.Column{{Name: "TimeGenerated", Type: "datetime"}, {Name: "User", Type: "string"}, {Name: "IP", Type: "string"}, {Name: "Sev", Type: "string"}, {Name: "Tac", Type: "string"}},
		Rows: [][]any{
			{t0, "alice@contoso.com", "10.0.0.1", "High", "InitialAccess,Execution"},
			{t0.Add(time.Minute), "bob@contoso.com", "10.0.0.1", "bogus", nil},
		},
	}
	base := rule.Rule{
		ID: "r1", Name: "Rule one", Severity: rule.SeverityLow, Tactics: []string{"CredentialAccess"},
		Trigger: rule.Trigger{Operator: rule.OpGreaterThan},
		EntityMappings: []rule.EntityMapping{
			{EntityType: "Account", FieldMappings: []rule.FieldMapping{{Identifier: "FullName", ColumnName: "User"}}},
			{EntityType: "IP", FieldMappings: []rule.FieldMapping{{Identifier: "Address", ColumnName: "IP"}}},
		},
		CustomDetails: []rule.CustomDetail{{Key: "Addr", Column: "IP"}},
		AlertDetailsOverride: &rule.AlertDetailsOverride{DisplayNameFormat: "Sign-in by {{User}} from {{ IP }}{{Missing}}",
			SeverityColumnName: "Sev", TacticsColumnName: "Tac"},
	}
	type want struct {
		titles     []string
		severities []rule.Severity
		tactics    [][]string
		entities   []int
		details    []map[string][]any
	}
	for _, c := range []struct {
		name string
		edit func(*rule.Rule)
		want want
	}{
		{"per result", func(r *rule.Rule) { r.EventGrouping = rule.AlertPerResult }, want{
			titles:     []string{"Sign-in by alice@contoso.com from 10.0.0.1", "Sign-in by bob@contoso.com from 10.0.0.1"},
			severities: []rule.Severity{rule.SeverityHigh, rule.SeverityLow},
			tactics:    [][]string{{"InitialAccess", "Execution"}, {"CredentialAccess"}},
			entities:   []int{2, 2},
			details:    []map[string][]any{{"Addr": {"10.0.0.1"}}, {"Addr": {"10.0.0.1"}}},
		}},
		{"single alert", func(r *rule.Rule) { r.EventGrouping = rule.SingleAlert }, want{
			titles:     []string{"Sign-in by alice@contoso.com from 10.0.0.1"},
			severities: []rule.Severity{rule.SeverityHigh},
			tactics:    [][]string{{"InitialAccess", "Execution"}},
			entities:   []int{3}, // alice, bob, one IP
			details:    []map[string][]any{{"Addr": {"10.0.0.1"}}},
		}},
		{"trigger not met", func(r *rule.Rule) { r.Trigger = rule.Trigger{Operator: rule.OpGreaterThan, Threshold: 5} }, want{}},
		{"no override", func(r *rule.Rule) { r.AlertDetailsOverride = nil; r.EventGrouping = rule.SingleAlert }, want{
			titles: []string{"Rule one"}, severities: []rule.Severity{rule.SeverityLow}, tactics: [][]string{{"CredentialAccess"}},
			entities: []int{3}, details: []map[string][]any{{"Addr": {"10.0.0.1"}}},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := base
			c.edit(&r)
			as := Extract(&r, res, Run{Tenant: "t1", Now: t0})
			var got want
			for _, a := range as {
				got.titles = append(got.titles, a.Title)
				got.severities = append(got.severities, a.Severity)
				got.tactics = append(got.tactics, a.Tactics)
				got.entities = append(got.entities, len(a.Entities))
				got.details = append(got.details, a.CustomDetails)
				if a.Provider != "Vigil" || a.Tenant != "t1" || a.RuleID != "r1" || a.Status != StatusNew || len(a.ID) != 36 {
					t.Errorf("alert header %+v", a)
				}
				if a.StartTime.Before(t0) || a.EndTime.Before(a.StartTime) {
					t.Errorf("start %v", a.StartTime)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestExtractStableID(t *testing.T) {
	r := &rule.Rule{ID: "r", EventGrouping: rule.AlertPerResult}
	res := &store.Result{Columns: []store.Column{{Name: "A"}}, Rows: [][]any{{"x"}, {"y"}}}
	a, b := Extract(r, res, Run{}), Extract(r, res, Run{})
	if a[0].ID != b[0].ID || a[0].ID == a[1].ID {
		t.Errorf("ids %s %s %s", a[0].ID, b[0].ID, a[1].ID)
	}
}

func TestExpand(t *testing.T) {
	idx := map[string]int{"A": 0, "N": 1}
	row := []any{"x", int64(3)}
	for in, want := range map[string]string{"": "", "plain": "plain", "{{A}}-{{N}}": "x-3", "{{B}}!": "!", "{{A": "{{A", "a{{A}}}}": "ax}}"} {
		if got := Expand(in, idx, row); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEventTimesFromAggregates(t *testing.T) {
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(40 * time.Minute)
	a := &Alert{StartTime: t1.Add(-14 * 24 * time.Hour), EndTime: t2.Add(time.Hour)}
	eventTimes(a, map[string]int{"DeviceName": 0, "FirstSeen": 1, "LastSeen": 2}, [][]any{{"ws1", t1, t2}, {"ws2", t1.Add(5 * time.Minute), t1.Add(6 * time.Minute)}})
	if !a.StartTime.Equal(t1) || !a.EndTime.Equal(t2) {
		t.Errorf("time range = %s .. %s, want the rows' first and last seen %s .. %s", a.StartTime, a.EndTime, t1, t2)
	}
}

// TestExtractDynamicEntity maps dynamic columns as the DuckDB store returns them (decoded
// JSON): a string without quotes, as tostring() renders it; an array as JSON text.
func TestExtractDynamicEntity(t *testing.T) {
	res := &store.Result{
		Columns: []store.Column{{Name: "User", Type: "dynamic"}, {Name: "Hosts", Type: "dynamic"}},
		Rows:    [][]any{{"alice", []any{"ws1", "ws2"}}},
	}
	r := &rule.Rule{ID: "r", EventGrouping: rule.SingleAlert, Trigger: rule.Trigger{Operator: rule.OpGreaterThan},
		EntityMappings: []rule.EntityMapping{
			{EntityType: "Account", FieldMappings: []rule.FieldMapping{{Identifier: "Name", ColumnName: "User"}}},
			{EntityType: "Host", FieldMappings: []rule.FieldMapping{{Identifier: "HostName", ColumnName: "Hosts"}}},
		}}
	as := Extract(r, res, Run{Tenant: "t1", Now: time.Now()})
	if len(as) != 1 || len(as[0].Entities) != 2 {
		t.Fatalf("alerts %+v", as)
	}
	if got := as[0].Entities[0].Identifiers["Name"]; got != "alice" {
		t.Errorf("account name %q, want alice", got)
	}
	if got := as[0].Entities[1].Identifiers["HostName"]; got != `["ws1","ws2"]` {
		t.Errorf("host name %q, want the array as JSON", got)
	}
}

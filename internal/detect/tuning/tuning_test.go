package tuning

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/meta"
)

var scanAlert = alert.Alert{
	ID: "a1", Tenant: "contoso", RuleID: "R-LSASS", RuleName: "LSASS access", Title: "LSASS access on backup01",
	Severity: rule.SeverityHigh, Tactics: []string{"CredentialAccess"}, Techniques: []string{"T1003.001"},
	Entities: []alert.Entity{
		{Type: "Host", Identifiers: map[string]string{"HostName": "backup01", "DnsDomain": "corp.local"}},
		{Type: "Account", Identifiers: map[string]string{"Name": "svc-veeam", "NTDomain": "CORP"}},
		{Type: "Host", Identifiers: map[string]string{"FullName": "ws7.corp.local"}},
		{Type: "Account", Identifiers: map[string]string{"FullName": "CORP\\pat"}},
	},
	Evidence: alert.Evidence{Columns: []string{"InitiatingProcessFileName", "FileName"}, Rows: [][]any{{"VeeamAgent.exe", "lsass.exe"}}},
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Rule
		want bool
	}{
		{"entity equals, any case", Rule{Conditions: []Condition{{Field: "entity:Account.Name", Operator: "equals", Values: []string{"SVC-VEEAM"}}}}, true},
		{"entity of another type", Rule{Conditions: []Condition{{Field: "entity:Host.Name", Operator: "equals", Values: []string{"svc-veeam"}}}}, false},
		{"any entity type", Rule{Conditions: []Condition{{Field: "entity:*.HostName", Operator: "startsWith", Values: []string{"backup"}}}}, true},
		{"evidence column", Rule{Conditions: []Condition{{Field: "evidence:InitiatingProcessFileName", Operator: "in", Values: []string{"veeamagent.exe", "backup.exe"}}}}, true},
		{"evidence column missing", Rule{Conditions: []Condition{{Field: "evidence:ProcessCommandLine", Operator: "contains", Values: []string{"x"}}}}, false},
		{"every condition must hold", Rule{Conditions: []Condition{
			{Field: "entity:Account.Name", Operator: "equals", Values: []string{"svc-veeam"}},
			{Field: "severity", Operator: "equals", Values: []string{"Low"}},
		}}, false},
		{"notEquals", Rule{Conditions: []Condition{{Field: "entity:Host.HostName", Operator: "notEquals", Values: []string{"dc01"}}}}, true},
		{"notEquals on the value", Rule{Conditions: []Condition{{Field: "entity:Host.HostName", Operator: "notEquals", Values: []string{"backup01"}}}}, false},
		{"matches", Rule{Conditions: []Condition{{Field: "title", Operator: "matches", Values: []string{`^lsass access on backup\d+$`}}}}, true},
		{"technique endsWith", Rule{Conditions: []Condition{{Field: "technique", Operator: "endsWith", Values: []string{".001"}}}}, true},
		{"rule scope", Rule{RuleIDs: []string{"r-lsass"}}, true},
		{"host name from a full name", Rule{Conditions: []Condition{{Field: "entity:Host.HostName", Operator: "equals", Values: []string{"ws7"}}}}, true},
		{"account name from a full name", Rule{Conditions: []Condition{{Field: "entity:Account.Name", Operator: "equals", Values: []string{"pat"}}}}, true},
		{"other rule", Rule{RuleIDs: []string{"R-OTHER"}, Conditions: []Condition{{Field: "tactic", Operator: "equals", Values: []string{"CredentialAccess"}}}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.r.Name, c.r.Reason, c.r.Action, c.r.Enabled = "x", "y", ActionSuppress, true
			if err := c.r.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.r.Matches(&scanAlert); got != c.want {
				t.Errorf("Matches = %v, want %v", got, c.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	r := Rule{Action: "hide", Conditions: []Condition{
		{Field: "entity:Host", Operator: "equals", Values: []string{"x"}},
		{Field: "title", Operator: "like", Values: []string{"x"}},
		{Field: "title", Operator: "matches", Values: []string{"("}},
		{Field: "severity", Operator: "equals"},
	}}
	err := r.Validate()
	for _, want := range []string{"name: required", "reason: required", `action: "hide"`, `conditions[0]: field "entity:Host"`,
		`conditions[1]: operator "like"`, "conditions[2]: regular expression", "conditions[3]: values"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to say %q", err, want)
		}
	}
	if err := (&Rule{Name: "n", Reason: "r", Action: ActionResolve}).Validate(); err == nil || !strings.Contains(err.Error(), "at least one condition") {
		t.Errorf("a rule matching everything: %v", err)
	}
}

type memSink struct {
	mu     sync.Mutex
	alerts []alert.Alert
}

func (m *memSink) Put(_ context.Context, as []alert.Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts = append(m.alerts, as...)
	return nil
}

func (m *memSink) ids() []string {
	var out []string
	for _, a := range m.alerts {
		out = append(out, a.ID+":"+a.Status)
	}
	return out
}

func openMeta(t *testing.T) *meta.Store {
	t.Helper()
	m, err := meta.Open(context.Background(), meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func TestSinkSuppressesResolvesAndCounts(t *testing.T) {
	ctx := context.Background()
	m := openMeta(t)
	svc := New(m, slog.New(slog.DiscardHandler))
	base := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	svc.now = func() time.Time { return base }
	past := base.Add(-time.Hour)
	for _, r := range []Rule{
		{ID: "veeam", Name: "Backup agent reads LSASS", Reason: "Veeam's agent does this nightly", Action: ActionSuppress, Enabled: true,
			Conditions: []Condition{{Field: "evidence:InitiatingProcessFileName", Operator: "equals", Values: []string{"VeeamAgent.exe"}}}},
		{ID: "lab", Name: "Pentest lab", Reason: "red team exercise", Action: ActionResolve, Enabled: true,
			Conditions: []Condition{{Field: "entity:Host.HostName", Operator: "startsWith", Values: []string{"lab-"}}}},
		{ID: "expired", Name: "Old", Reason: "was", Action: ActionSuppress, Enabled: true, Expires: &past,
			Conditions: []Condition{{Field: "title", Operator: "contains", Values: []string{"kept"}}}},
		{ID: "off", Name: "Off", Reason: "off", Action: ActionSuppress,
			Conditions: []Condition{{Field: "title", Operator: "contains", Values: []string{"kept"}}}},
	} {
		if _, err := svc.Put(ctx, "contoso", "alice", r); err != nil {
			t.Fatal(err)
		}
	}
	lab := scanAlert
	lab.ID, lab.Evidence, lab.Entities = "a2", alert.Evidence{}, []alert.Entity{{Type: "Host", Identifiers: map[string]string{"HostName": "lab-07"}}}
	kept := scanAlert
	kept.ID, kept.Title, kept.Evidence = "a3", "kept alert", alert.Evidence{}
	other := scanAlert
	other.ID, other.Tenant = "a4", "fabrikam" // another tenant's rules do not apply
	next, resolved := &memSink{}, &memSink{}
	sink := &Sink{Service: svc, Next: next, Resolved: resolved}
	if err := sink.Put(ctx, []alert.Alert{scanAlert, lab, kept, other}); err != nil {
		t.Fatal(err)
	}
	if got := next.ids(); !slices.Equal(got, []string{"a3:", "a4:"}) {
		t.Errorf("passed on = %v", got)
	}
	if got := resolved.ids(); !slices.Equal(got, []string{"a2:Resolved"}) || resolved.alerts[0].Properties["TuningRuleId"] != "lab" {
		t.Errorf("resolved = %v %v", got, resolved.alerts)
	}
	for id, want := range map[string]int64{"veeam": 1, "lab": 1, "expired": 0, "off": 0} {
		e, err := svc.Get(ctx, "contoso", id)
		if err != nil || e.Hits != want || (want > 0) != (e.LastHitAt != nil) {
			t.Errorf("%s: hits %d last %v (%v), want %d", id, e.Hits, e.LastHitAt, err, want)
		}
	}
}

func TestPreview(t *testing.T) {
	ctx := context.Background()
	m := openMeta(t)
	corr := incident.New(incident.MetaState{Store: m}, incident.Options{})
	now := time.Now().UTC()
	var alerts []alert.Alert
	for i, host := range []string{"backup01", "backup02", "ws1"} {
		a := scanAlert
		a.ID, a.CreatedTime, a.StartTime, a.EndTime = "p"+host, now.Add(-time.Duration(i)*time.Hour), now, now
		a.Entities = []alert.Entity{{Type: "Host", Identifiers: map[string]string{"HostName": host}}}
		alerts = append(alerts, a)
	}
	if err := corr.Put(ctx, alerts); err != nil {
		t.Fatal(err)
	}
	svc := New(m, slog.New(slog.DiscardHandler))
	p, err := svc.Preview(ctx, "contoso", Rule{Name: "n", Reason: "r", Action: ActionSuppress,
		Conditions: []Condition{{Field: "entity:Host.HostName", Operator: "startsWith", Values: []string{"backup"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range p.Matched {
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	if p.Scanned != 3 || !slices.Equal(ids, []string{"pbackup01", "pbackup02"}) {
		t.Errorf("preview scanned %d, matched %v", p.Scanned, ids)
	}
	if _, err := svc.Preview(ctx, "contoso", Rule{}); err == nil {
		t.Error("an invalid rule was previewed")
	}
}

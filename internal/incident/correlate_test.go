package incident

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/meta"
)

var t0 = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

// al builds an alert of rule at t0+minutes with entities written "Type=Identifier=value".
func al(id, ruleID string, minutes int, sev rule.Severity, ents ...string) alert.Alert {
	a := alert.Alert{ID: id, Tenant: "t1", RuleID: ruleID, Title: "Rule " + ruleID, Severity: sev,
		CreatedTime: t0.Add(time.Duration(minutes) * time.Minute)}
	for _, e := range ents {
		p := strings.SplitN(e, "=", 3)
		a.Entities = append(a.Entities, alert.Entity{Type: p[0], Identifiers: map[string]string{p[1]: p[2]}})
	}
	return a
}

func openState(t *testing.T) *meta.Store { return openStateB(t) }

// openStateB opens a SQLite state store in a temporary directory, closed when tb ends.
func openStateB(t testing.TB) *meta.Store {
	t.Helper()
	s, err := meta.Open(context.Background(), meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "m.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// groups renders the tenant's incidents, oldest first, as "alertIDs" per incident with the
// status when not active, e.g. "a1,a2" or "(redirected->1)".
func groups(t *testing.T, s *meta.Store) []string {
	t.Helper()
	ctx := context.Background()
	ins, err := s.Incidents(ctx, "t1", meta.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ins)
	var out []string
	for _, in := range ins {
		if in.MergedInto != 0 {
			out = append(out, fmt.Sprintf("(merged->%d)", in.MergedInto))
			continue
		}
		as, err := s.IncidentAlerts(ctx, "t1", in.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range as {
			ids = append(ids, a.AlertID)
		}
		g := strings.Join(ids, ",")
		if in.LinkedFrom != 0 {
			g += fmt.Sprintf(" (linked<-%d)", in.LinkedFrom)
		}
		out = append(out, g)
	}
	return out
}

func TestCorrelate(t *testing.T) {
	hi, med, low := rule.SeverityHigh, rule.SeverityMedium, rule.SeverityLow
	cases := []struct {
		name   string
		opts   Options
		alerts []alert.Alert
		want   []string
	}{
		{name: "shared host joins",
			alerts: []alert.Alert{al("a1", "r1", 0, low, "Host=HostName=WS1"), al("a2", "r2", 5, hi, "Host=FullName=ws1.corp.local")},
			want:   []string{"a1,a2"}},
		{name: "unrelated alerts stay apart",
			alerts: []alert.Alert{al("a1", "r1", 0, low, "Host=HostName=WS1"), al("a2", "r1", 5, low, "Host=HostName=WS2")},
			want:   []string{"a1", "a2"}},
		{name: "account, mailbox, hash, url and cloud app+account join",
			alerts: []alert.Alert{
				al("a1", "r1", 0, low, "Mailbox=MailboxPrimaryAddress=Bob@corp.com", "Url=Url=http://evil.example/x"),
				al("a2", "r2", 1, low, "Url=Url=HTTP://EVIL.EXAMPLE/x", "FileHash=Value=ABC123"),
				al("a3", "r3", 2, low, "FileHash=Value=abc123", "Account=AadUserId=u-1"),
				al("a4", "r4", 3, low, "Account=AadUserId=U-1"),
			},
			want: []string{"a1,a2,a3,a4"}},
		{name: "well-known account does not glue",
			alerts: []alert.Alert{al("a1", "r1", 0, low, "Account=Name=SYSTEM"), al("a2", "r2", 1, low, "Account=Name=system")},
			want:   []string{"a1", "a2"}},
		{name: "bridging alert merges smaller into larger",
			alerts: []alert.Alert{
				al("a1", "r1", 0, low, "Host=HostName=WS1"), al("a2", "r1", 1, low, "Host=HostName=WS1"),
				al("a3", "r2", 2, low, "Account=Sid=S-1-5-21-9"),
				al("a4", "r3", 3, low, "Host=HostName=WS1", "Account=Sid=S-1-5-21-9"),
			},
			want: []string{"a1,a2,a3,a4", "(merged->1)"}},
		{name: "window expiry opens a new incident",
			alerts: []alert.Alert{al("a1", "r1", 0, low, "Host=HostName=WS1"), al("a2", "r1", 25*60, low, "Host=HostName=WS1")},
			want:   []string{"a1", "a2"}},
		{name: "short window",
			opts:   Options{Window: time.Hour},
			alerts: []alert.Alert{al("a1", "r1", 0, low, "IP=Address=10.1.1.1"), al("a2", "r1", 61, low, "IP=Address=10.1.1.1")},
			want:   []string{"a1", "a2"}},
		{name: "size cap opens a linked incident",
			opts: Options{MaxAlerts: 2},
			alerts: []alert.Alert{
				al("a1", "r1", 0, low, "Host=HostName=WS1"), al("a2", "r1", 1, low, "Host=HostName=WS1"),
				al("a3", "r1", 2, low, "Host=HostName=WS1"), al("a4", "r1", 3, low, "Host=HostName=WS1"),
			},
			want: []string{"a1,a2", "a3,a4 (linked<-1)"}},
		{name: "retried alerts are skipped",
			alerts: []alert.Alert{al("a1", "r1", 0, med, "Host=HostName=WS1"), al("a1", "r1", 0, med, "Host=HostName=WS1")},
			want:   []string{"a1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openState(t)
			c := New(MetaState{s}, tc.opts)
			for _, a := range tc.alerts { // one Put per alert, as separate scheduler runs
				if err := c.Put(context.Background(), []alert.Alert{a}); err != nil {
					t.Fatal(err)
				}
			}
			if got := groups(t, s); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("incidents = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOverCommonIPDoesNotGlue(t *testing.T) {
	s := openState(t)
	c := New(MetaState{s}, Options{CommonShare: 0.3, CommonMinAlerts: 4, CommonMinHosts: 3})
	scanner := "IP=Address=203.0.113.9"
	var batch []alert.Alert
	for i := range 4 { // the scanner shows up in every alert on different hosts
		batch = append(batch, al(fmt.Sprintf("a%d", i), "scan", i, rule.SeverityLow, scanner, fmt.Sprintf("Host=HostName=H%d", i)))
	}
	batch = append(batch, al("a9", "other", 10, rule.SeverityLow, scanner, "Host=HostName=H9"))
	if err := c.Put(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	got := groups(t, s)
	want := []string{"a0,a1,a2,a3", "a9"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("incidents = %q, want %q", got, want)
	}
	ins, _ := s.Incidents(context.Background(), "t1", meta.IncidentFilter{Top: 1})
	wantNote := "not correlated on ip:203.0.113.9: too common (in 4 of 4 recent alerts, on 4 hosts)"
	if !slices.Contains(ins[0].Notes, wantNote) {
		t.Errorf("notes = %q, want %q", ins[0].Notes, wantNote)
	}
}

func TestDerivedTitleAndSeverity(t *testing.T) {
	s := openState(t)
	c := New(MetaState{s}, Options{})
	a1 := al("a1", "r1", 0, rule.SeverityLow, "Host=HostName=WS1")
	a1.Tactics = []string{"InitialAccess"}
	a2 := al("a2", "r2", 1, rule.SeverityHigh, "Host=HostName=WS1")
	a2.Tactics = []string{"Execution", "InitialAccess"}
	ctx := context.Background()
	if err := c.Put(ctx, []alert.Alert{a1}); err != nil {
		t.Fatal(err)
	}
	ins, _ := s.Incidents(ctx, "t1", meta.IncidentFilter{})
	if ins[0].Title != "Rule r1" || ins[0].Severity != "low" {
		t.Fatalf("one alert: title %q severity %q", ins[0].Title, ins[0].Severity)
	}
	if err := c.Put(ctx, []alert.Alert{a2}); err != nil {
		t.Fatal(err)
	}
	ins, _ = s.Incidents(ctx, "t1", meta.IncidentFilter{})
	if ins[0].Title != "Multi-stage incident involving Initial access & Execution" || ins[0].Severity != "high" || ins[0].AlertCount != 2 {
		t.Fatalf("two detections: %+v", ins[0])
	}
	a3 := al("a3", "r3", 2, rule.SeverityLow, "Host=HostName=WS1")
	a3.Tactics = []string{"CredentialAccess", "LateralMovement", "Exfiltration"}
	if err := c.Put(ctx, []alert.Alert{a3}); err != nil {
		t.Fatal(err)
	}
	ins, _ = s.Incidents(ctx, "t1", meta.IncidentFilter{})
	if want := "Multi-stage incident involving Initial access, Execution, Credential access & 2 other tactics"; ins[0].Title != want {
		t.Errorf("five tactics: title %q, want %q", ins[0].Title, want)
	}
}

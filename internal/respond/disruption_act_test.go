package respond

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
)

// incidentBook holds incidents' alerts and records the tags and comments disruption adds.
type incidentBook struct {
	mu       sync.Mutex
	alerts   map[int64][]alert.Alert
	tags     map[int64][]string
	comments map[int64][]string
}

func (b *incidentBook) IncidentAlerts(_ context.Context, _ string, id int64) ([]alert.Alert, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.alerts[id]), nil
}

func (b *incidentBook) TagIncident(_ context.Context, _ string, id int64, tag, why string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if tag != "" {
		b.tags[id] = append(b.tags[id], tag)
	}
	b.comments[id] = append(b.comments[id], why)
	return nil
}

func TestDisruptionActsByPolicy(t *testing.T) {
	ctx := context.Background()
	s := New(openMeta(t), Options{})
	ransomware := []alert.Alert{
		{Title: "Files encrypted on ws1", Techniques: []string{"T1486"}, Entities: []alert.Entity{host("ws1.corp"), upn("jo@corp.example")}},
		{Title: "Files encrypted on ws2", Techniques: []string{"T1486"}, Entities: []alert.Entity{host("ws2.corp"), upn("jo@corp.example")}},
	}
	book := &incidentBook{alerts: map[int64][]alert.Alert{1: ransomware, 2: ransomware, 3: ransomware}, tags: map[int64][]string{}, comments: map[int64][]string{}}
	d := &Disruption{Service: s, Incidents: book}
	admin := Actor{Name: "admin", Kind: auth.KindUser}
	actions := func(id int64) []string {
		list, err := s.List(ctx, "t1", meta.ActionFilter{IncidentID: id})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range list {
			if a.Requester.Type != ByDisruption || a.Status != Approved {
				t.Errorf("action %+v: want approved at once, by disruption", a)
			}
			out = append(out, string(a.Type)+" "+TargetKey(a.Type, a.Target))
		}
		slices.Sort(out)
		return out
	}

	// Dry run: a comment says what would have been done; no action, no tag.
	if _, err := s.SetPolicy(ctx, "t1", admin, Policy{Level: Semi, AttackDisruption: true, DisruptionDryRun: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.evaluate(ctx, "t1", 1); err != nil {
		t.Fatal(err)
	}
	if got := actions(1); len(got) != 0 || len(book.tags[1]) != 0 || len(book.comments[1]) != 1 ||
		!strings.HasPrefix(book.comments[1][0], "Attack disruption (dry run) would have isolated ws1.corp, ws2.corp and disabled jo@corp.example: ransomware on several devices: ") {
		t.Errorf("dry run: actions %v, tags %v, comments %q", got, book.tags[1], book.comments[1])
	}

	// Live, with a policy exclusion: ws2 is never isolated.
	if _, err := s.SetPolicy(ctx, "t1", admin, Policy{Level: Semi, AttackDisruption: true, DisruptionExclusions: &DisruptionExclusions{Devices: []string{"WS2"}}}); err != nil {
		t.Fatal(err)
	}
	if err := d.evaluate(ctx, "t1", 2); err != nil {
		t.Fatal(err)
	}
	if got, want := actions(2), []string{"disableAccount jo@corp.example", "isolateDevice ws1.corp"}; !slices.Equal(got, want) || !slices.Equal(book.tags[2], []string{DisruptedTag}) {
		t.Errorf("excluded ws2: actions %v, want %v; tags %v", got, want, book.tags[2])
	}
	// Once per incident.
	if err := d.evaluate(ctx, "t1", 2); err != nil || len(actions(2)) != 2 || len(book.comments[2]) != 1 {
		t.Errorf("second evaluation acted again: %v, %v", actions(2), err)
	}

	// Automation off: nothing may be requested, the error says so and the incident is not tagged.
	if _, err := s.SetPolicy(ctx, "t1", admin, Policy{Level: None, AttackDisruption: true}); err != nil {
		t.Fatal(err)
	}
	if err := d.evaluate(ctx, "t1", 3); !errors.Is(err, ErrAutomationOff) || len(book.tags[3])+len(book.comments[3]) != 0 {
		t.Errorf("automation off: %v, tags %v, comments %q", err, book.tags[3], book.comments[3])
	}

	// An invalid exclusion is refused with its position.
	bad := Policy{Level: Semi, DisruptionExclusions: &DisruptionExclusions{Accounts: []string{"ok", ""}}}
	if _, err := s.SetPolicy(ctx, "t1", admin, bad); err == nil || err.Error() != "invalid: disruptionExclusions.accounts[1]: empty name" {
		t.Errorf("bad exclusions: %v", err)
	}
	// The policy reads back as stored, exclusions included.
	stored := Policy{Level: Full, DisruptionDryRun: true, DisruptionExclusions: &DisruptionExclusions{Devices: []string{"WS2"}, Accounts: []string{"bg"}}}
	if _, err := s.SetPolicy(ctx, "t1", admin, stored); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Policy(ctx, "t1"); err != nil || p.Level != Full || !p.DisruptionDryRun || p.DisruptionExclusions == nil ||
		!slices.Equal(p.DisruptionExclusions.Devices, []string{"WS2"}) || !slices.Equal(p.DisruptionExclusions.Accounts, []string{"bg"}) {
		t.Errorf("policy: %+v, %v", p, err)
	}
}

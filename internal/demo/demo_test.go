package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/content"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/respond/investigate"
)

// TestScenario replays the demo scenario through the real server, receivers and normalizers
// and checks its outcome: one attack incident with alerts from at least four domains, holding
// the victim's device and account, the file server and the attacker's address, with the
// attack's techniques; and no incident from the benign noise.
func TestScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server and the whole scenario")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	opts := Options{Data: filepath.Join(t.TempDir(), "demo"), Listen: "127.0.0.1:0", Seed: 7, NoBrowser: true, Out: &out,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg, err := config(opts)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, opts.Log)
	if err != nil {
		t.Fatal(err)
	}
	ready, errc := make(chan string, 1), make(chan error, 1)
	go func() { errc <- a.Run(ctx, func(addr string) { ready <- addr }) }()
	d := &driver{a: a, base: "http://" + <-ready, out: &out}
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}()
	if err := d.play(ctx, opts); err != nil {
		t.Fatal(err)
	}
	d.tell(ctx, time.Now(), opts)
	t.Log(out.String())

	incidents, err := a.Incidents(ctx, meta.DefaultTenantID)
	if err != nil {
		t.Fatal(err)
	}
	var open []meta.Incident
	for _, in := range incidents {
		if in.MergedInto == 0 {
			open = append(open, in)
		}
	}
	if len(open) != 1 {
		t.Fatalf("%d incidents, want exactly one (the attack): %s", len(open), out.String())
	}
	alerts, err := a.IncidentAlerts(ctx, meta.DefaultTenantID, open[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if doms := domains(alerts); len(doms) < 4 {
		t.Errorf("alerts from %v, want at least four domains", doms)
	}
	entities, techniques := incidentFacts(t, alerts)
	for _, want := range []string{d.gen.Actor("victim.host"), d.gen.Actor("target.host"), d.gen.Actor("attacker.ip"), d.gen.Actor("victim.upn")} {
		if !slices.ContainsFunc(entities, func(e string) bool {
			return strings.EqualFold(e, want) || strings.HasPrefix(strings.ToLower(e), strings.ToLower(want)+".")
		}) {
			t.Errorf("the incident does not name %q; it names %v", want, entities)
		}
	}
	for _, want := range []string{"T1566", "T1059", "T1003", "T1558"} {
		if !slices.ContainsFunc(techniques, func(x string) bool { return strings.HasPrefix(x, want) }) {
			t.Errorf("the incident lacks technique %s; it has %v", want, techniques)
		}
	}
	// Every hunting template of content/hunting finds the attack in the demo's data.
	templates, err := fs.Glob(content.FS, "hunting/*.kql")
	if err != nil || len(templates) < 8 {
		t.Fatalf("hunting templates: %v %v", templates, err)
	}
	for _, name := range templates {
		q, _ := content.FS.ReadFile(name)
		res, err := a.Hunt(ctx, meta.DefaultTenantID, string(q))
		if err != nil || len(res.Rows) == 0 {
			t.Errorf("%s: %v rows, %v", name, res, err)
		}
	}
	// Automated investigations ran on the incident's alerts, and found the threat.
	if err := a.SettleInvestigations(ctx); err != nil {
		t.Fatal(err)
	}
	invs, err := a.Investigations(ctx, meta.DefaultTenantID, open[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	threats := 0
	for _, inv := range invs {
		if inv.State != meta.InvestigationCompleted {
			t.Errorf("investigation %s of %q: %s %s", inv.ID, inv.Alert.Title, inv.State, inv.Error)
		}
		threats += inv.Verdicts[investigate.Malicious] + inv.Verdicts[investigate.Suspicious]
		t.Logf("investigation of %q: %s, verdicts %v", inv.Alert.Title, inv.Status, inv.Verdicts)
	}
	if len(invs) == 0 || threats == 0 {
		t.Errorf("%d investigations with %d threats, want the attack's evidence judged", len(invs), threats)
	}
	// Attack disruption contained the first device and disabled the account, and said so.
	acts, err := a.SettleActions(ctx, meta.DefaultTenantID)
	if err != nil {
		t.Fatal(err)
	}
	var done []string
	for _, x := range acts {
		if x.Status == respond.Completed && x.Requester.Type == respond.ByDisruption && x.IncidentID == open[0].ID {
			done = append(done, string(x.Type)+" "+strings.ToLower(x.Target.Device+x.Target.Account))
		}
	}
	slices.Sort(done)
	// The account disabled is the one seen used after the theft: the victim's in a sign-in, or
	// the stolen admin account when the lateral movement's alert is in the incident first.
	accounts := []string{d.gen.Actor("victim.upn"), d.gen.Actor("admin.upn"), d.gen.Actor("admin.sam")}
	if len(done) != 2 || !slices.ContainsFunc(accounts, func(a string) bool { return done[0] == "disableAccount "+strings.ToLower(a) }) ||
		!strings.HasPrefix(done[1], "isolateDevice "+strings.ToLower(d.gen.Actor("victim.host"))) {
		t.Errorf("disruption actions completed = %v, want isolateDevice %s and disableAccount of one of %v", done, d.gen.Actor("victim.host"), accounts)
	}
	if in, _ := a.Incident(ctx, meta.DefaultTenantID, open[0].ID); !slices.Contains(in.Tags, respond.DisruptedTag) {
		t.Errorf("incident tags = %v, want %q", in.Tags, respond.DisruptedTag)
	}
}

// incidentFacts returns the entity identifier values and the techniques of alerts.
func incidentFacts(t *testing.T, alerts []meta.IncidentAlert) (entities, techniques []string) {
	t.Helper()
	for _, ia := range alerts {
		var a alert.Alert
		if err := json.Unmarshal(ia.Data, &a); err != nil {
			t.Fatal(err)
		}
		for _, e := range a.Entities {
			for _, v := range e.Identifiers {
				entities = append(entities, v)
			}
		}
		techniques = append(techniques, a.Techniques...)
	}
	return entities, techniques
}

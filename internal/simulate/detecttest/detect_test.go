package detecttest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/ruletest"
	"github.com/vigilsec/vigil/internal/detect/ti"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/simulate"
)

const rulesDir = "../../../content/rules"

// rowsJSON normalizes records with the real normalizers and renders each row as the JSON
// object the ingest API would take, grouped by table.
func rowsJSON(t testing.TB, recs []simulate.Record) map[string][]string {
	t.Helper()
	reg := schema.NewRegistry()
	win, err := normalize.NewWinMapper(reg)
	if err != nil {
		t.Fatal(err)
	}
	js, err := normalize.NewNormalizer(reg)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := normalize.NewParser(reg)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	add := func(tb *schema.Table, row []schema.Value) {
		obj := map[string]any{}
		for i, c := range tb.Columns {
			switch v := row[i].(type) {
			case nil:
			case schema.Dynamic:
				obj[c.Name] = json.RawMessage(v)
			case time.Time:
				obj[c.Name] = v.UTC().Format(time.RFC3339Nano)
			default:
				obj[c.Name] = v
			}
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		out[tb.Name] = append(out[tb.Name], string(b))
	}
	for _, rec := range recs {
		var nrecs []normalize.Record
		switch rec.Format {
		case simulate.FormatWinEventXML:
			ev, err := normalize.ParseWinEventXML(rec.Payload)
			if err != nil {
				t.Fatal(err)
			}
			nrecs = win.Map(&ev)
		case simulate.FormatCEF, simulate.FormatSyslog:
			nrecs = []normalize.Record{sl.Parse(rec.Payload, "10.20.0.1", rec.Time)}
		case simulate.FormatIdentityInfo:
			tb, _ := reg.Table("IdentityInfo")
			d, err := ingest.Decode(tb, rec.Payload)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range d.Rows {
				add(tb, r)
			}
		default:
			items, err := js.Normalize(rec.Format, rec.Payload)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				nrecs = append(nrecs, it.Records...)
			}
		}
		for _, r := range nrecs {
			if r.Err != nil {
				t.Fatalf("%s: %v", r.Table.Name, r.Err)
			}
			add(r.Table, r.Row)
		}
	}
	return out
}

// script loads rows and every content rule, evaluated hourly at the given offsets from base.
func script(t testing.TB, base time.Time, rows map[string][]string, evals []time.Duration, matchers []ruletest.Matcher) *ruletest.Script {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(rulesDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rules: %v", err)
	}
	s := &ruletest.Script{File: filepath.Join(rulesDir, "tests", "simulate.test"), Base: base}
	for i, f := range files {
		s.Rules = append(s.Rules, ruletest.RuleRef{Line: i + 1, Path: filepath.Join("..", filepath.Base(f))})
	}
	tables := ruleTables(t, files)
	for tb := range rows {
		if !contains(tables, tb) {
			tables = append(tables, tb)
		}
	}
	sort.Strings(tables)
	for _, tb := range tables {
		l := &ruletest.Load{Line: 1000, Table: tb}
		for _, js := range rows[tb] {
			l.Rows = append(l.Rows, ruletest.Row{Line: 1000, Repeat: 1, JSON: js})
		}
		s.Steps = append(s.Steps, l)
	}
	for i, at := range evals {
		e := &ruletest.Eval{Line: 2000 + i, At: at}
		if i == len(evals)-1 && matchers != nil {
			e.Alerts = matchers
		} else if matchers == nil {
			e.Count = &ruletest.Count{Line: 2000 + i, N: 0}
		}
		s.Steps = append(s.Steps, e)
	}
	return s
}

// ruleTables lists the registry's tables the rule files name, so that each exists in the
// store even when nothing is loaded into it.
func ruleTables(t testing.TB, files []string) []string {
	t.Helper()
	var text strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text.Write(b)
	}
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(text.String(), func(r rune) bool {
		word := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		return !word
	}) {
		words[w] = true
	}
	reg := schema.NewRegistry()
	var out []string
	for w := range words {
		if _, ok := reg.Table(w); ok {
			out = append(out, w)
		}
	}
	return out
}

var ruleName = regexp.MustCompile(`rule="([^"]+)"`)

// displayName reads a rule file's name.
func displayName(t testing.TB, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(rulesDir, file+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "name:"); ok {
			return strings.Trim(strings.TrimSpace(v), `'"`)
		}
	}
	t.Fatalf("%s has no name", file)
	return ""
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func newEnv(t *testing.T) *ruletest.Env {
	t.Helper()
	env, err := ruletest.NewEnv(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return env
}

// TestNoiseRaisesNoAlert replays a working morning of noise and evaluates every rule hourly.
func TestNoiseRaisesNoAlert(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a morning of noise into DuckDB")
	}
	g := simulate.New(11, simulate.Options{})
	base := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) // a Tuesday
	recs := append(g.Identities(base), g.Noise(base.Add(time.Hour), base.Add(12*time.Hour))...)
	evals := []time.Duration{2 * time.Hour, 9 * time.Hour, 10 * time.Hour, 11 * time.Hour, 12 * time.Hour}
	for _, f := range newEnv(t).Run(context.Background(), script(t, base, rowsJSON(t, recs), evals, nil)) {
		t.Error(f.String())
	}
}

// TestAttackRaisesAlerts replays the demo attack over noise and expects its alerts.
func TestAttackRaisesAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo into DuckDB")
	}
	sc, err := simulate.LoadScenarioFile("../../../content/scenarios/phish-to-exfil.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g := simulate.New(11, simulate.Options{})
	if err := g.Scenario(sc); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	start := base.Add(9 * time.Hour)
	attack, err := g.Attack(start)
	if err != nil {
		t.Fatal(err)
	}
	recs := append(g.Identities(base), g.Noise(start.Add(-30*time.Minute), start.Add(time.Hour))...)
	recs = append(recs, attack...)
	rows := rowsJSON(t, recs)
	rows["ThreatIntelligenceIndicator"] = append(rows["ThreatIntelligenceIndicator"],
		`{"TimeGenerated":"`+base.Format(time.RFC3339)+`","NetworkIP":"203.0.113.66","Active":true,"ThreatType":"C2","Description":"demo","ConfidenceScore":90}`)
	// Every 15 minutes from the first step to past the last, so that each rule's window
	// sees its part of the story; every alert is a failure of the "no alerts" count, whose
	// description names its rule.
	var evals []time.Duration
	for at := 9*time.Hour + 15*time.Minute; at <= 10*time.Hour+30*time.Minute; at += 15 * time.Minute {
		evals = append(evals, at)
	}
	fired := map[string]bool{}
	for _, f := range newEnv(t).Run(context.Background(), script(t, base, rows, evals, nil)) {
		for _, m := range ruleName.FindAllStringSubmatch(f.String(), -1) {
			fired[m[1]] = true
		}
	}
	for _, r := range []string{"encoded_powershell", "office_spawns_shell", "credential_dumping_commands", "lsass_handle_open",
		"kerberoasting_rc4_tickets", "service_installed_suspicious_path", "service_creation_sc", "registry_run_key_persistence",
		"signin_mfa_fatigue", "signin_impossible_travel", "signin_from_ti_ip", "mailbox_forwarding_rule", "sharepoint_mass_download",
		"email_phishing_url_clicked", "network_connection_to_ti_ip"} {
		if name := displayName(t, r); !fired[name] {
			t.Errorf("rule %s (%s) raised no alert", r, name)
		}
	}
	t.Logf("alerts from %d rules: %v", len(fired), sortedNames(fired))
}

// TestIndicatorsImport reads the scenario's STIX bundle with the threat-intelligence importer.
func TestIndicatorsImport(t *testing.T) {
	b, err := os.ReadFile("../../../content/scenarios/phish-to-exfil.stix.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ti.ParseBundle(b, "t1", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if p.Objects != 1 || len(p.Errors) != 0 || len(p.Indicators) != 1 {
		t.Fatalf("bundle: %d objects, %d indicators, errors %v", p.Objects, len(p.Indicators), p.Errors)
	}
	if s := fmt.Sprintf("%+v", p.Indicators[0]); !strings.Contains(s, "203.0.113.66") {
		t.Fatalf("indicator %s lacks the attacker's address", s)
	}
}

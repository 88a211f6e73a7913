package incident

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/meta"
)

// scenario is a scripted correlation case read from testdata/scenarios (format in the
// README there): alerts in order, analyst steps between them, and the incidents expected.
type scenario struct {
	opts    Options
	rules   map[string]rule.IncidentConfiguration
	steps   []step
	expect  map[string][]string // tenant -> incidents, oldest first
	checks  []check
	tenants []string
}

// step is an alert to correlate or an incident to resolve (the one holding alert id).
type step struct {
	line    int
	alert   *alert.Alert
	resolve string
	class   string
}

// check is a note or history action expected on the incident holding an alert, or an
// alert expected without incident.
type check struct {
	line        int
	kind, alert string
	text        string
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) < 15 {
		t.Fatalf("scenarios: %d files, %v", len(files), err)
	}
	for _, f := range files {
		sc, err := parseScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, s *meta.Store) { runScenario(t, s, sc) })
		})
	}
}

func runScenario(t *testing.T, s *meta.Store, sc *scenario) {
	ctx := context.Background()
	c := New(MetaState{s}, sc.opts)
	for _, st := range sc.steps {
		if st.alert != nil {
			if err := c.Put(ctx, []alert.Alert{*st.alert}); err != nil {
				t.Fatalf("line %d: %v", st.line, err)
			}
			continue
		}
		a, err := s.Alert(ctx, "t1", st.resolve)
		if err != nil {
			t.Fatalf("line %d: %v", st.line, err)
		}
		status, class := meta.IncidentResolved, st.class
		if _, err := s.UpdateIncident(ctx, "t1", a.IncidentID, meta.IncidentPatch{Status: &status, Classification: &class}, "analyst"); err != nil {
			t.Fatalf("line %d: %v", st.line, err)
		}
	}
	for _, tenant := range sc.tenants {
		got := renderIncidents(t, s, tenant)
		if !slices.Equal(got, sc.expect[tenant]) {
			t.Errorf("tenant %s incidents:\n got  %q\n want %q", tenant, got, sc.expect[tenant])
		}
	}
	for _, ch := range sc.checks {
		runCheck(t, s, ch)
	}
}

// renderIncidents renders tenant's incidents, oldest first, as "status alertIDs" with
// " linked" when the incident continues a full one; a merged incident is "redirected -".
func renderIncidents(t *testing.T, s *meta.Store, tenant string) []string {
	ctx := context.Background()
	ins, err := s.Incidents(ctx, tenant, meta.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ins)
	out := []string{}
	for _, in := range ins {
		as, err := s.IncidentAlerts(ctx, tenant, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, a := range as {
			ids = append(ids, a.AlertID)
		}
		r := in.Status + " " + strings.Join(ids, ",")
		if len(ids) == 0 {
			r = in.Status + " -"
		}
		if in.LinkedFrom != 0 {
			r += " linked"
		}
		out = append(out, r)
	}
	return out
}

func runCheck(t *testing.T, s *meta.Store, ch check) {
	ctx := context.Background()
	a, err := s.Alert(ctx, "t1", ch.alert)
	if err != nil {
		t.Fatalf("line %d: %v", ch.line, err)
	}
	switch ch.kind {
	case "unassigned":
		if a.IncidentID != 0 {
			t.Errorf("line %d: alert %s is in incident %d, want none", ch.line, ch.alert, a.IncidentID)
		}
	case "note":
		in, err := s.Incident(ctx, "t1", a.IncidentID)
		if err != nil || !slices.ContainsFunc(in.Notes, func(n string) bool { return strings.Contains(n, ch.text) }) {
			t.Errorf("line %d: notes of incident of %s = %q (%v), want one containing %q", ch.line, ch.alert, in.Notes, err, ch.text)
		}
	case "history":
		hs, err := s.IncidentHistory(ctx, "t1", a.IncidentID)
		if err != nil || !slices.ContainsFunc(hs, func(h meta.HistoryEntry) bool { return h.Action == ch.text }) {
			t.Errorf("line %d: history of incident of %s = %+v (%v), want action %q", ch.line, ch.alert, hs, err, ch.text)
		}
	}
}

func parseScenario(path string) (*scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := &scenario{rules: map[string]rule.IncidentConfiguration{}, expect: map[string][]string{}}
	sn := bufio.NewScanner(f)
	for n := 1; sn.Scan(); n++ {
		line := strings.TrimSpace(sn.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := sc.parseLine(n, strings.Fields(line), line); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	return sc, sn.Err()
}

func (sc *scenario) parseLine(n int, w []string, line string) error {
	switch w[0] {
	case "options":
		return sc.parseOptions(w[1:])
	case "rule":
		return sc.parseRule(w[1:])
	case "alert":
		a, err := sc.parseAlert(w[1:])
		sc.steps = append(sc.steps, step{line: n, alert: a})
		return err
	case "resolve":
		if len(w) != 3 {
			return fmt.Errorf("want: resolve <alert> <classification>")
		}
		sc.steps = append(sc.steps, step{line: n, resolve: w[1], class: w[2]})
	case "expect":
		if len(w) < 3 {
			return fmt.Errorf("want: expect <tenant> <status> <alerts> [linked]")
		}
		if !slices.Contains(sc.tenants, w[1]) {
			sc.tenants = append(sc.tenants, w[1])
		}
		sc.expect[w[1]] = append(sc.expect[w[1]], strings.Join(w[2:], " "))
	case "none":
		if !slices.Contains(sc.tenants, w[1]) {
			sc.tenants = append(sc.tenants, w[1])
		}
		sc.expect[w[1]] = []string{}
	case "unassigned", "note", "history":
		_, rest, _ := strings.Cut(line, " ")
		_, text, _ := strings.Cut(strings.TrimSpace(rest), " ")
		sc.checks = append(sc.checks, check{line: n, kind: w[0], alert: w[1], text: strings.TrimSpace(text)})
	default:
		return fmt.Errorf("unknown directive %q", w[0])
	}
	return nil
}

func (sc *scenario) parseOptions(w []string) error {
	for _, kv := range w {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "window":
			sc.opts.Window, err = time.ParseDuration(v)
		case "cap":
			sc.opts.MaxAlerts, err = strconv.Atoi(v)
		case "share":
			sc.opts.CommonShare, err = strconv.ParseFloat(v, 64)
		case "min":
			sc.opts.CommonMinAlerts, err = strconv.Atoi(v)
		case "hosts":
			sc.opts.CommonMinHosts, err = strconv.Atoi(v)
		case "noreopen":
			sc.opts.NoReopen = true
		default:
			return fmt.Errorf("unknown option %q", k)
		}
		if err != nil {
			return fmt.Errorf("option %s: %w", k, err)
		}
	}
	return nil
}

func (sc *scenario) parseRule(w []string) error {
	ic := rule.IncidentConfiguration{CreateIncident: true,
		Grouping: rule.GroupingConfiguration{LookbackDuration: rule.Duration(defaultLookback), MatchingMethod: rule.MatchAllEntities}}
	for _, kv := range w[1:] {
		k, v, _ := strings.Cut(kv, "=")
		g := &ic.Grouping
		switch k {
		case "create":
			ic.CreateIncident = v != "false"
		case "group":
			g.Enabled, g.MatchingMethod = true, rule.MatchingMethod(v)
		case "reopen":
			g.ReopenClosedIncident = true
		case "lookback":
			d, err := time.ParseDuration(v)
			if err != nil {
				return err
			}
			g.LookbackDuration = rule.Duration(d)
		case "entities":
			g.GroupByEntities = strings.Split(v, ",")
		case "details":
			g.GroupByAlertDetails = strings.Split(v, ",")
		case "custom":
			g.GroupByCustomDetails = strings.Split(v, ",")
		default:
			return fmt.Errorf("unknown rule setting %q", k)
		}
	}
	sc.rules[w[0]] = ic
	return nil
}

var scenarioStart = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)

// parseAlert reads "<id> <minutes> <rule> <severity> [tenant=x] [tactic=X] Type:Id=value... custom:Key=value".
func (sc *scenario) parseAlert(w []string) (*alert.Alert, error) {
	if len(w) < 4 {
		return nil, errors.New("want: alert <id> <minutes> <rule> <severity> [entities]")
	}
	mins, err := strconv.Atoi(w[1])
	if err != nil {
		return nil, fmt.Errorf("minutes %q: %w", w[1], err)
	}
	a := &alert.Alert{ID: w[0], Tenant: "t1", RuleID: w[2], Title: "Rule " + w[2], Severity: rule.Severity(w[3]),
		CreatedTime: scenarioStart.Add(time.Duration(mins) * time.Minute), Incident: sc.rules[w[2]]}
	for _, f := range w[4:] {
		k, v, _ := strings.Cut(f, "=")
		switch {
		case k == "tenant":
			a.Tenant = v
		case k == "tactic":
			a.Tactics = append(a.Tactics, v)
		case strings.HasPrefix(k, "custom:"):
			if a.CustomDetails == nil {
				a.CustomDetails = map[string][]any{}
			}
			a.CustomDetails[strings.TrimPrefix(k, "custom:")] = []any{v}
		default:
			typ, id, ok := strings.Cut(k, ":")
			if !ok {
				return nil, fmt.Errorf("entity %q: want Type:Identifier=value", f)
			}
			a.Entities = append(a.Entities, alert.Entity{Type: typ, Identifiers: map[string]string{id: v}})
		}
	}
	return a, nil
}

package ruletest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// Failure is an expectation that did not hold, or a problem running a script, at a line of
// the test file.
type Failure struct {
	File string
	Line int
	Rule string // the rule's file name, when the failure is about one rule
	Msg  string
}

func (f Failure) String() string {
	if f.Rule != "" {
		return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Rule, f.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Msg)
}

// loaded is a rule under test with the state the scheduler keeps between its runs.
type loaded struct {
	r               *rule.Rule
	name            string // file name, for reports
	mark            uint64 // NRT: the last bus sequence the previous evaluation read
	suppressedUntil time.Time
}

// run is one script's run.
type run struct {
	env    *Env
	s      *Script
	tenant string
	rules  []*loaded
	fails  []Failure
}

func (r *run) fail(line int, ruleName, format string, args ...any) {
	r.fails = append(r.fails, Failure{File: r.s.File, Line: line, Rule: ruleName, Msg: fmt.Sprintf(format, args...)})
}

// Run runs s: it lints the rules (a lint error fails the script), then loads and evaluates
// in file order. It returns every failure; none means the script passed.
func (e *Env) Run(ctx context.Context, s *Script) []Failure {
	e.scripts++
	r := &run{env: e, s: s, tenant: "ruletest" + strconv.Itoa(e.scripts)}
	r.loadRules()
	if len(r.fails) > 0 {
		return r.fails
	}
	for _, st := range s.Steps {
		switch x := st.(type) {
		case *Load:
			r.load(ctx, x)
		case *Eval:
			r.eval(ctx, x)
		}
	}
	return r.fails
}

func (r *run) loadRules() {
	for _, ref := range r.s.Rules {
		path := filepath.Join(filepath.Dir(r.s.File), ref.Path)
		rules, findings, err := rule.Load([]string{path})
		if err != nil {
			r.fail(ref.Line, "", "load rule: %v", err)
			continue
		}
		for _, x := range rules {
			findings = append(findings, rule.Lint(x, r.env.Registry)...)
		}
		for _, f := range findings {
			if f.Level == rule.LevelError {
				r.fail(ref.Line, "", "rule does not lint: %s", f)
			}
		}
		if len(rules) == 0 {
			r.fail(ref.Line, "", "no rule in %s", path)
		}
		for _, x := range rules {
			r.rules = append(r.rules, &loaded{r: x, name: filepath.Base(path)})
		}
	}
}

// load decodes the block's rows as ingest does and writes them to the store.
func (r *run) load(ctx context.Context, l *Load) {
	t, err := r.env.table(ctx, l.Table)
	if err != nil {
		r.fail(l.Line, "", "load: %v", err)
		return
	}
	at := r.s.Base.Add(l.At)
	var rows [][]schema.Value
	for _, row := range l.Rows {
		for k := range row.Repeat {
			when := at.Add(row.Offset + time.Duration(k)*row.Every)
			body := strings.ReplaceAll(row.JSON, "{{i}}", strconv.Itoa(k+1))
			v, err := decodeRow(t, body, when)
			if err != nil {
				r.fail(row.Line, "", "%s row: %v", t.Name, err)
				return
			}
			rows = append(rows, v)
		}
	}
	if len(rows) == 0 {
		return
	}
	if err := r.env.write(ctx, r.tenant, t, at, rows); err != nil {
		r.fail(l.Line, "", "%v", err)
	}
}

// decodeRow converts one JSON object with ingest's decoder, stamping TimeGenerated with when
// unless the row sets its own time.
func decodeRow(t *schema.Table, body string, when time.Time) ([]schema.Value, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &obj); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	_, hasTG := obj[schema.ColTimeGenerated]
	_, hasET := obj[t.Columns[t.EventTimeColumn()].Name]
	if !hasTG && !hasET {
		stamp := fmt.Sprintf(`{"%s":%q`, schema.ColTimeGenerated, when.UTC().Format(time.RFC3339Nano))
		rest := strings.TrimSpace(body)[1:]
		if strings.TrimSpace(rest) != "}" {
			stamp += ","
		}
		body = stamp + rest
	}
	dec, err := ingest.Decode(t, []byte(body))
	if err != nil {
		return nil, err
	}
	if len(dec.Errors) > 0 {
		e := dec.Errors[0]
		if e.Column != "" {
			return nil, fmt.Errorf("column %s: %s", e.Column, e.Reason)
		}
		return nil, fmt.Errorf("%s", e.Reason)
	}
	return dec.Rows[0], nil
}

// eval runs every rule for the slot at the eval's time, as the scheduler's run does, and
// checks the alerts against the expectations.
func (r *run) eval(ctx context.Context, e *Eval) {
	at := r.s.Base.Add(e.At)
	var alerts []alert.Alert
	for _, l := range r.rules {
		as, err := r.evalRule(ctx, l, at)
		if err != nil {
			r.fail(e.Line, l.name, "evaluate: %v", err)
			continue
		}
		alerts = append(alerts, as...)
	}
	r.check(e, alerts)
}

// evalRule mirrors one scheduler run for a tenant: the window [at-queryPeriod, at), now()
// at the slot, suppression after an alert. An NRT rule reads the rows stored since its
// previous evaluation, by ingest order as the scheduler does (all rows before its first:
// the rule counts as existing from the start of the script).
func (r *run) evalRule(ctx context.Context, l *loaded, at time.Time) ([]alert.Alert, error) {
	if at.Before(l.suppressedUntil) {
		return nil, nil
	}
	w := schedule.Window{Tenant: r.tenant, From: at.Add(-l.r.Period.Std()), To: at, Now: at}
	from, to := w.From, w.To
	if l.r.Kind == rule.KindNRT {
		w = schedule.Window{Tenant: r.tenant, Now: at, IngestAfter: l.mark, IngestThrough: r.env.seq}
		from, to = at.Add(-schedule.NRTFrequency), at
		if w.IngestThrough == w.IngestAfter {
			return nil, nil // nothing stored since the previous run
		}
		l.mark = w.IngestThrough
	}
	k := schedule.KQL{Registry: r.env.Registry, Store: r.env.Store}
	res, err := k.Evaluate(ctx, l.r, w)
	if err != nil {
		return nil, err
	}
	as := alert.Extract(l.r, res, alert.Run{Tenant: w.Tenant, From: from, To: to, Now: at})
	if len(as) > 0 && l.r.SuppressionEnabled && l.r.SuppressionDuration > 0 {
		l.suppressedUntil = at.Add(l.r.SuppressionDuration.Std())
	}
	return as, nil
}

// RunFile parses and runs the test file at path; a parse error is its one failure.
func (e *Env) RunFile(ctx context.Context, path string) []Failure {
	data, err := os.ReadFile(path)
	if err != nil {
		return []Failure{{File: path, Line: 0, Msg: err.Error()}}
	}
	s, err := Parse(path, data)
	if err != nil {
		var perr *Error
		if errors.As(err, &perr) {
			return []Failure{{File: perr.File, Line: perr.Line, Msg: perr.Msg}}
		}
		return []Failure{{File: path, Msg: err.Error()}}
	}
	return e.Run(ctx, s)
}

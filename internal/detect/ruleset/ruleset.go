package ruleset

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// Origins of a rule.
const (
	OriginContent = "content" // a file under the configured content paths: read-only
	OriginAPI     = "api"     // created through the API, kept in the state store
)

// ErrReadOnly is a change to a rule that comes from a content file.
var ErrReadOnly = errors.New("rule comes from a content file")

// InvalidError is a rule document that does not parse or lint clean.
type InvalidError struct{ Findings []rule.Finding }

func (e *InvalidError) Error() string {
	msgs := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings {
		if f.Level == rule.LevelError {
			msgs = append(msgs, f.String())
		}
	}
	return "invalid rule: " + strings.Join(msgs, "; ")
}

// Store is the state the set keeps its rules, switches and runs in (*meta.Store).
type Store interface {
	DetectionRules(ctx context.Context) ([]meta.StoredRule, error)
	PutDetectionRule(ctx context.Context, r meta.StoredRule, actor string, ifVersion int) (meta.StoredRule, error)
	DeleteDetectionRule(ctx context.Context, tenant, id string) error
	SetRuleEnabled(ctx context.Context, tenant, id string, enabled bool, actor string) error
	RuleSwitches(ctx context.Context) ([]meta.RuleSwitch, error)
	RuleRuns(ctx context.Context, tenant string) ([]meta.RuleRun, error)
}

// Entry is a rule as one tenant sees it.
type Entry struct {
	Rule      *rule.Rule
	Origin    string
	Enabled   bool   // for this tenant, after switches
	NotRun    string // why the scheduler does not run it; empty when it does
	Version   int
	CreatedBy string
	CreatedAt time.Time
	UpdatedBy string
	UpdatedAt time.Time
	Findings  []rule.Finding
	LastRun   *meta.RuleRun
	// Source is the document the rule was read from, as written (comments and field order
	// kept), in the rule's format: what an API rule was last created or replaced with, or a
	// content file that holds this rule alone. It is empty when the rule shares its file with
	// others (an ARM export of several rules).
	Source string
}

// Options configure a Set.
type Options struct {
	Registry *schema.Registry
	Store    Store
	// Content are the rule files and directories loaded at start (read-only rules).
	Content []string
	// Tenants are those every content rule runs for.
	Tenants []string
	// Evaluator runs dry runs (Test).
	Evaluator schedule.Evaluator
	// OnChange receives the scheduler's jobs after every change (Scheduler.Replace).
	OnChange func([]schedule.Job) error
}

// Set is the detection rules of every tenant: content files plus rules created through the
// API, with per-tenant switches. It is safe for concurrent use.
type Set struct {
	opts     Options
	content  []*rule.Rule
	findings []rule.Finding    // of the content files
	sources  map[string]string // content file -> its text, for the files that hold one rule
	mu       sync.Mutex        // serializes changes and the reloads they cause
}

// New loads the content rules.
func New(opts Options) (*Set, error) {
	if len(opts.Tenants) == 0 {
		opts.Tenants = []string{"default"}
	}
	s := &Set{opts: opts, sources: map[string]string{}}
	if len(opts.Content) > 0 {
		if err := s.loadContent(opts.Content); err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
	}
	return s, nil
}

// loadContent reads the content rule files as rule.Load does, keeping the text of each file
// that holds one rule so that the API can show a rule's source as it was loaded (the file
// may change on disk later; what runs is what was read).
func (s *Set) loadContent(paths []string) error {
	files, err := rule.Files(paths)
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		rs, fs := rule.Parse(f, data)
		if len(rs) == 1 {
			s.sources[f] = string(data)
		}
		s.content, s.findings = append(s.content, rs...), append(s.findings, fs...)
	}
	return nil
}

// ContentFindings returns the lint findings of the content files, for logging at start.
func (s *Set) ContentFindings() []rule.Finding {
	_, _, all := schedule.Select(s.content, s.findings, s.opts.Registry)
	return all
}

// Jobs returns what the scheduler runs: every lint-clean enabled rule with the tenants it is
// enabled for, and the rules it skips with the reason.
func (s *Set) Jobs(ctx context.Context) ([]schedule.Job, []schedule.Skipped, error) {
	stored, switches, err := s.state(ctx)
	if err != nil {
		return nil, nil, err
	}
	ok, skipped, _ := schedule.Select(s.content, s.findings, s.opts.Registry)
	var jobs []schedule.Job
	for _, r := range ok {
		if ts := s.enabledTenants(r, switches); len(ts) > 0 {
			jobs = append(jobs, schedule.Job{Rule: r, Tenants: ts})
		}
	}
	for _, sr := range stored {
		r, findings := parseStored(sr)
		if r == nil {
			skipped = append(skipped, schedule.Skipped{RuleID: sr.ID, File: storedName(sr), Reason: (&InvalidError{findings}).Error()})
			continue
		}
		good, sk, _ := schedule.Select([]*rule.Rule{r}, findings, s.opts.Registry)
		skipped = append(skipped, sk...)
		if len(good) == 1 && switchFor(switches, sr.Tenant, sr.ID, r.Enabled) {
			jobs = append(jobs, schedule.Job{Rule: r, Tenants: []string{sr.Tenant}})
		}
	}
	return jobs, skipped, nil
}

func (s *Set) enabledTenants(r *rule.Rule, switches []meta.RuleSwitch) []string {
	var out []string
	for _, t := range s.opts.Tenants {
		if switchFor(switches, t, r.ID, true) {
			out = append(out, t)
		}
	}
	return out
}

// switchFor returns the switch for the rule in tenant, or def when there is none.
func switchFor(switches []meta.RuleSwitch, tenant, id string, def bool) bool {
	for _, w := range switches {
		if w.Tenant == tenant && w.ID == id {
			return w.Enabled
		}
	}
	return def
}

func (s *Set) state(ctx context.Context) ([]meta.StoredRule, []meta.RuleSwitch, error) {
	stored, err := s.opts.Store.DetectionRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	switches, err := s.opts.Store.RuleSwitches(ctx)
	if err != nil {
		return nil, nil, err
	}
	return stored, switches, nil
}

func storedName(sr meta.StoredRule) string {
	ext := ".yaml"
	if sr.Format != string(rule.FormatSentinelYAML) {
		ext = ".json"
	}
	return "api/" + sr.Tenant + "/" + sr.ID + ext
}

func parseStored(sr meta.StoredRule) (*rule.Rule, []rule.Finding) {
	rules, findings := rule.Parse(storedName(sr), []byte(sr.Document))
	if len(rules) != 1 {
		return nil, findings
	}
	return rules[0], findings
}

// Reload recomputes the jobs and hands them to OnChange.
func (s *Set) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reload(ctx)
}

func (s *Set) reload(ctx context.Context) error {
	if s.opts.OnChange == nil {
		return nil
	}
	jobs, _, err := s.Jobs(ctx)
	if err != nil {
		return err
	}
	return s.opts.OnChange(jobs)
}

// List returns the rules tenant sees, content rules first, each in id order.
func (s *Set) List(ctx context.Context, tenant string) ([]Entry, error) {
	stored, switches, err := s.state(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := s.opts.Store.RuleRuns(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, r := range s.content {
		e := Entry{Rule: r, Origin: OriginContent, Version: 1, Enabled: r.Enabled && switchFor(switches, tenant, r.ID, true), Source: s.sources[r.Source.File]}
		e.Findings = s.findingsOf(r)
		out = append(out, e)
	}
	for _, sr := range stored {
		if sr.Tenant != tenant {
			continue
		}
		r, findings := parseStored(sr)
		if r == nil {
			continue // stored rules parsed when they were saved; a newer parser refusing one shows in Jobs' skipped list
		}
		out = append(out, Entry{Rule: r, Origin: OriginAPI, Version: sr.Version, Enabled: switchFor(switches, tenant, sr.ID, r.Enabled),
			CreatedBy: sr.CreatedBy, CreatedAt: sr.CreatedAt, UpdatedBy: sr.UpdatedBy, UpdatedAt: sr.UpdatedAt, Findings: findings, Source: sr.Document})
	}
	for i := range out {
		out[i].NotRun = s.notRun(out[i])
		if j := slices.IndexFunc(runs, func(r meta.RuleRun) bool { return r.ID == out[i].Rule.ID }); j >= 0 {
			out[i].LastRun = &runs[j]
		}
	}
	return out, nil
}

func (s *Set) findingsOf(r *rule.Rule) []rule.Finding {
	fs := rule.Lint(r, s.opts.Registry)
	for _, f := range s.findings {
		if f.File == r.Source.File && (f.RuleID == "" || f.RuleID == r.ID) {
			fs = append(fs, f)
		}
	}
	return fs
}

func (s *Set) notRun(e Entry) string {
	if !e.Enabled {
		return "disabled"
	}
	_, skipped, _ := schedule.Select([]*rule.Rule{e.Rule}, e.Findings, s.opts.Registry)
	if len(skipped) > 0 {
		return skipped[0].Reason
	}
	return ""
}

// Get returns one rule as tenant sees it, or an error wrapping meta.ErrNotFound.
func (s *Set) Get(ctx context.Context, tenant, id string) (Entry, error) {
	all, err := s.List(ctx, tenant)
	if err != nil {
		return Entry{}, err
	}
	for _, e := range all {
		if e.Rule.ID == id {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("rule %s: %w", id, meta.ErrNotFound)
}

// Create is Put for a rule that must not exist yet: a rule of the same id is an error wrapping
// meta.ErrConflict.
func (s *Set) Create(ctx context.Context, tenant, actor, name string, doc []byte) (Entry, error) {
	return s.put(ctx, tenant, actor, name, doc, 0, true)
}

// Put creates or replaces a tenant's rule from a document in any supported format (the name
// hint chooses YAML or JSON as rule.Parse does). A rule with errors is refused with an
// *InvalidError; a content rule's id with ErrReadOnly. ifVersion, when not 0, must match the
// stored version.
func (s *Set) Put(ctx context.Context, tenant, actor, name string, doc []byte, ifVersion int) (Entry, error) {
	return s.put(ctx, tenant, actor, name, doc, ifVersion, false)
}

func (s *Set) put(ctx context.Context, tenant, actor, name string, doc []byte, ifVersion int, create bool) (Entry, error) {
	rules, findings := rule.Parse(name, doc)
	if len(rules) != 1 {
		if len(rules) > 1 {
			findings = append(findings, rule.Finding{File: name, Level: rule.LevelError, Message: fmt.Sprintf("the document holds %d rules; send one at a time", len(rules))})
		}
		return Entry{}, &InvalidError{findings}
	}
	r := rules[0]
	findings = append(findings, rule.Lint(r, s.opts.Registry)...)
	if slices.ContainsFunc(findings, func(f rule.Finding) bool { return f.Level == rule.LevelError }) {
		return Entry{}, &InvalidError{findings}
	}
	if slices.ContainsFunc(s.content, func(c *rule.Rule) bool { return c.ID == r.ID }) {
		return Entry{}, fmt.Errorf("rule %s: %w", r.ID, ErrReadOnly)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if create {
		if _, err := s.Get(ctx, tenant, r.ID); err == nil {
			return Entry{}, fmt.Errorf("rule %s exists; replace it with PUT: %w", r.ID, meta.ErrConflict)
		}
	}
	if _, err := s.opts.Store.PutDetectionRule(ctx, meta.StoredRule{Tenant: tenant, ID: r.ID, Format: string(r.Format), Document: string(doc)}, actor, ifVersion); err != nil {
		return Entry{}, err
	}
	if err := s.reload(ctx); err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, tenant, r.ID)
}

// Delete removes a tenant's API rule.
func (s *Set) Delete(ctx context.Context, tenant, id string) error {
	if slices.ContainsFunc(s.content, func(c *rule.Rule) bool { return c.ID == id }) {
		return fmt.Errorf("rule %s: %w", id, ErrReadOnly)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.opts.Store.DeleteDetectionRule(ctx, tenant, id); err != nil {
		return err
	}
	return s.reload(ctx)
}

// SetEnabled switches a rule on or off for tenant.
func (s *Set) SetEnabled(ctx context.Context, tenant, id string, enabled bool, actor string) (Entry, error) {
	if _, err := s.Get(ctx, tenant, id); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.opts.Store.SetRuleEnabled(ctx, tenant, id, enabled, actor); err != nil {
		return Entry{}, err
	}
	if err := s.reload(ctx); err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, tenant, id)
}

// TestResult is what a dry run found.
type TestResult struct {
	Rows   int
	Alerts []alert.Alert
}

// Test runs a tenant's rule over [from, to) of stored data without storing alerts: the
// alerts it would have raised had it run at to.
func (s *Set) Test(ctx context.Context, tenant, id string, from, to time.Time) (TestResult, error) {
	e, err := s.Get(ctx, tenant, id)
	if err != nil {
		return TestResult{}, err
	}
	return s.test(ctx, tenant, e.Rule, from, to)
}

func (s *Set) test(ctx context.Context, tenant string, r *rule.Rule, from, to time.Time) (TestResult, error) {
	if !from.Before(to) {
		return TestResult{}, errors.New("test window: from must be before to")
	}
	w := schedule.Window{Tenant: tenant, From: from, To: to, Now: to}
	res, err := s.opts.Evaluator.Evaluate(ctx, r, w)
	if err != nil {
		return TestResult{}, err
	}
	alerts := alert.Extract(r, res, alert.Run{Tenant: tenant, From: from, To: to, Now: to})
	return TestResult{Rows: len(res.Rows), Alerts: alerts}, nil
}

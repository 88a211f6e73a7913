package sigma

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/schema"
)

// Config is what compiling a rule set needs besides the rules.
type Config struct {
	Registry *schema.Registry
	Mapping  *Mapping            // nil means DefaultMapping
	Vars     map[string][]string // expand placeholders (%name% -> values)
	// MaxCorrelationState caps the groups each correlation rule keeps (0: DefaultMaxState).
	MaxCorrelationState int
}

// RuleSet is a compiled, immutable set of rules. Build it with Compile.
type RuleSet struct {
	tables   map[string]*tableSet // by lower-case table name
	rules    []*compiled
	corrs    []*corrRule
	maxState int
}

// tableSet is the rules of one table with their shared accessors and prefilter.
type tableSet struct {
	table  *schema.Table
	rules  []*compiled
	accs   []*accessor // by id
	slots  []string    // columns the accessors read, by slot
	pre    []prefield  // prefilter per field
	always []int32     // rules without a necessary literal, always evaluated
	full   []uint8     // per rule: the mask of all its anchor groups
	byExpr map[string]*accessor

	mu      sync.Mutex
	layouts map[string][]int // batch column list -> slot positions
}

// prefield is the prefilter of one field: an automaton over the literals some rules need.
type prefield struct {
	acc  *accessor
	ac   *acAutomaton
	hits [][]ruleBit // pattern id -> the rules and anchor groups it satisfies
}

// ruleBit is an anchor group (a bit) of a rule (an index in the table).
type ruleBit struct {
	rule int32
	bit  uint8
}

// compiled is one detection rule ready to run.
type compiled struct {
	rule       *Rule
	source     *Source
	table      *tableSet
	index      int // in table.rules
	root       node
	where      node
	severity   rule.Severity
	tactics    []string
	techniques []string
	corrs      []*corrRule // correlation rules fed by this rule
	silent     bool        // referenced by a correlation without generate: no own alert
}

// RuleError is a rule that failed to compile.
type RuleError struct {
	Rule *Rule
	Err  error
}

func (e *RuleError) Error() string {
	var le *LoadError
	if errors.As(e.Err, &le) {
		return le.Error()
	}
	return (&LoadError{File: e.Rule.File, Line: e.Rule.Line, Msg: e.Err.Error()}).Error()
}

func (e *RuleError) Unwrap() error { return e.Err }

// Compile compiles rules. It returns the set of the rules that compiled and an error per rule
// that did not (as *RuleError, joined); a caller that wants all or nothing checks the error.
func Compile(rules []*Rule, cfg Config) (*RuleSet, error) {
	if cfg.Mapping == nil {
		m, err := DefaultMapping()
		if err != nil {
			return nil, err
		}
		cfg.Mapping = m
	}
	if cfg.Registry == nil {
		return nil, errors.New("sigma: compile needs a schema registry")
	}
	rs := &RuleSet{tables: map[string]*tableSet{}, maxState: cfg.MaxCorrelationState}
	if rs.maxState <= 0 {
		rs.maxState = DefaultMaxState
	}
	var errs []error
	var corrRules []*Rule
	for _, r := range rules {
		if r.Correlation != nil {
			corrRules = append(corrRules, r)
			continue
		}
		if err := rs.add(r, cfg); err != nil {
			errs = append(errs, &RuleError{Rule: r, Err: err})
		}
	}
	errs = append(errs, rs.addCorrelations(corrRules, cfg)...)
	for _, t := range rs.tables {
		t.buildPrefilter()
	}
	return rs, errors.Join(errs...)
}

// CompileRule compiles one rule alone, reporting its error.
func CompileRule(r *Rule, cfg Config) (*RuleSet, error) { return Compile([]*Rule{r}, cfg) }

func (rs *RuleSet) add(r *Rule, cfg Config) error {
	src, ok := cfg.Mapping.Source(r.LogSource)
	if !ok {
		return fmt.Errorf("logsource %s is not mapped to a table", r.LogSource)
	}
	t, ok := cfg.Registry.Table(src.Table)
	if !ok {
		return fmt.Errorf("logsource %s maps to table %s, which the schema registry lacks", r.LogSource, src.Table)
	}
	ts := rs.tableSet(t)
	b := &builder{ts: ts, src: src, rule: r, vars: cfg.Vars, searches: map[string]node{}}
	c, err := b.build()
	if err != nil {
		return err
	}
	c.index = len(ts.rules)
	ts.rules = append(ts.rules, c)
	rs.rules = append(rs.rules, c)
	return nil
}

func (rs *RuleSet) tableSet(t *schema.Table) *tableSet {
	k := strings.ToLower(t.Name)
	ts, ok := rs.tables[k]
	if !ok {
		ts = &tableSet{table: t, byExpr: map[string]*accessor{}, layouts: map[string][]int{}}
		rs.tables[k] = ts
	}
	return ts
}

// intern gives a an id in the table, sharing an existing accessor of the same expression.
func (ts *tableSet) intern(a *accessor) *accessor {
	if old, ok := ts.byExpr[a.expr]; ok {
		return old
	}
	for _, s := range a.subs {
		ts.intern(s)
	}
	for i, s := range a.subs {
		a.subs[i] = ts.byExpr[s.expr]
	}
	a.id = len(ts.accs)
	ts.accs = append(ts.accs, a)
	ts.byExpr[a.expr] = a
	if a.kind == aCol || a.kind == aJSON {
		a.slot = ts.slot(a.col)
	}
	return a
}

func (ts *tableSet) slot(col string) int {
	for i, s := range ts.slots {
		if s == col {
			return i
		}
	}
	ts.slots = append(ts.slots, col)
	return len(ts.slots) - 1
}

// Rules returns the number of detection rules and correlation rules in the set.
func (rs *RuleSet) Rules() (detections, correlations int) { return len(rs.rules), len(rs.corrs) }

// Tables lists the tables the set has rules for, sorted.
func (rs *RuleSet) Tables() []string {
	out := make([]string, 0, len(rs.tables))
	for _, t := range rs.tables {
		out = append(out, t.table.Name)
	}
	sort.Strings(out)
	return out
}

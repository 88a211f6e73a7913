package sigma

import (
	"container/list"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
)

// DefaultMaxState is how many groups one correlation rule keeps by default.
const DefaultMaxState = 10000

// corrRule is a compiled correlation rule.
type corrRule struct {
	rule       *Rule
	corr       *Correlation
	refs       []*compiled
	groupBy    map[*compiled][]*accessor
	field      map[*compiled]*accessor // value_count
	severity   rule.Severity
	tactics    []string
	techniques []string
}

func (rs *RuleSet) addCorrelations(rules []*Rule, cfg Config) []error {
	byRef := map[string]*compiled{}
	for _, c := range rs.rules {
		if c.rule.ID != "" {
			byRef[c.rule.ID] = c
		}
		if c.rule.Name != "" {
			byRef[c.rule.Name] = c
		}
	}
	var errs []error
	for _, r := range rules {
		cr, err := rs.correlation(r, byRef)
		if err != nil {
			errs = append(errs, &RuleError{Rule: r, Err: err})
			continue
		}
		rs.corrs = append(rs.corrs, cr)
		for _, ref := range cr.refs {
			ref.corrs = append(ref.corrs, cr)
			ref.silent = ref.silent || !r.Correlation.Generate
		}
	}
	return errs
}

func (rs *RuleSet) correlation(r *Rule, byRef map[string]*compiled) (*corrRule, error) {
	cr := &corrRule{rule: r, corr: r.Correlation, groupBy: map[*compiled][]*accessor{}, field: map[*compiled]*accessor{}, severity: severity(r.Level)}
	cr.tactics, cr.techniques = attackTags(r.Tags)
	if cr.corr.Op == "" { // temporal types: every referenced rule within the timespan
		cp := *cr.corr
		cp.Op, cp.Count = "gte", int64(len(cp.Rules))
		cr.corr = &cp
	}
	for _, name := range r.Correlation.Rules {
		c, ok := byRef[name]
		if !ok {
			return nil, fmt.Errorf("correlation references unknown rule %q (give its id or name, and load it in the same set)", name)
		}
		cr.refs = append(cr.refs, c)
		for _, g := range r.Correlation.GroupBy {
			a, err := c.source.resolveField(aliasField(r.Correlation, g, name, c.rule), c.table.table)
			if err != nil {
				return nil, fmt.Errorf("group-by in rule %q: %w", name, err)
			}
			cr.groupBy[c] = append(cr.groupBy[c], c.table.intern(a))
		}
		if r.Correlation.Field != "" {
			a, err := c.source.resolveField(r.Correlation.Field, c.table.table)
			if err != nil {
				return nil, fmt.Errorf("value_count field in rule %q: %w", name, err)
			}
			cr.field[c] = c.table.intern(a)
		}
	}
	return cr, nil
}

// corrState is the mutable state of one correlation rule: groups, oldest first.
type corrState struct {
	groups    map[string]*list.Element
	lru       *list.List
	evictions uint64
}

type corrGroup struct {
	key     string
	start   time.Time           // window start
	times   []time.Time         // event_count
	values  map[string]struct{} // value_count
	seen    map[int]time.Time   // temporal: ref index -> last time
	next    int                 // temporal_ordered: next ref expected
	updated time.Time
}

// corrEngine holds every correlation rule's state, kept by rule id across reloads.
type corrEngine struct {
	mu     sync.Mutex
	states map[string]*corrState
}

func corrKey(r *Rule) string {
	if r.ID != "" {
		return r.ID
	}
	return r.File + "\x00" + r.Title
}

// corrHit is one correlation that fired.
type corrHit struct {
	cr    *corrRule
	group string
	start time.Time
	count int
}

// observe feeds a match of ref at time t in group key (tenant-qualified) to cr and reports
// whether the correlation fires.
func (e *corrEngine) observe(cr *corrRule, refIdx int, key, value string, t time.Time, maxState int) (corrHit, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.state(cr)
	g := st.group(key, t, maxState)
	c := cr.corr
	if t.Sub(g.start) > c.Timespan {
		if h, ok := closeWindow(cr, g); ok {
			g.reset(t)
			return h, true
		}
		g.reset(t)
	}
	g.updated = t
	st.lru.MoveToBack(st.groups[key])
	n := g.add(cr, refIdx, value, t)
	if fires(c.Op, c.Count, n) {
		h := corrHit{cr: cr, group: key, start: g.start, count: n}
		g.reset(t)
		return h, true
	}
	return corrHit{}, false
}

// closeWindow fires lt/lte/eq conditions, which hold only once the window is over.
func closeWindow(cr *corrRule, g *corrGroup) (corrHit, bool) {
	c := cr.corr
	if c.Op != "lt" && c.Op != "lte" && c.Op != "eq" {
		return corrHit{}, false
	}
	n := g.count(c.Type)
	if n > 0 && compare(c.Op, int64(n), c.Count) {
		return corrHit{cr: cr, group: g.key, start: g.start, count: n}, true
	}
	return corrHit{}, false
}

func (e *corrEngine) state(cr *corrRule) *corrState {
	if e.states == nil {
		e.states = map[string]*corrState{}
	}
	k := corrKey(cr.rule)
	st, ok := e.states[k]
	if !ok {
		st = &corrState{groups: map[string]*list.Element{}, lru: list.New()}
		e.states[k] = st
	}
	return st
}

// group returns the group for key, evicting the least recently updated one when full.
func (st *corrState) group(key string, t time.Time, maxState int) *corrGroup {
	if el, ok := st.groups[key]; ok {
		return el.Value.(*corrGroup)
	}
	for len(st.groups) >= maxState {
		old := st.lru.Front()
		st.lru.Remove(old)
		delete(st.groups, old.Value.(*corrGroup).key)
		st.evictions++
	}
	g := &corrGroup{key: key}
	g.reset(t)
	st.groups[key] = st.lru.PushBack(g)
	return g
}

func (g *corrGroup) reset(t time.Time) {
	g.start, g.times, g.values, g.seen, g.next = t, g.times[:0], nil, nil, 0
}

// add records one match and returns the measure the condition compares.
func (g *corrGroup) add(cr *corrRule, refIdx int, value string, t time.Time) int {
	switch cr.corr.Type {
	case CorrEventCount:
		g.times = append(g.times, t)
	case CorrValueCount:
		if g.values == nil {
			g.values = map[string]struct{}{}
		}
		if value != "" && len(g.values) < 1<<16 {
			g.values[strings.ToLower(value)] = struct{}{}
		}
	case CorrTemporal:
		if g.seen == nil {
			g.seen = map[int]time.Time{}
		}
		g.seen[refIdx] = t
	case CorrTemporalOrdered:
		switch refIdx {
		case g.next:
			g.next++
		case 0:
			g.start, g.next = t, 1
		}
	}
	return g.count(cr.corr.Type)
}

func (g *corrGroup) count(typ string) int {
	switch typ {
	case CorrEventCount:
		return len(g.times)
	case CorrValueCount:
		return len(g.values)
	case CorrTemporal:
		return len(g.seen)
	default:
		return g.next
	}
}

// fires decides gt/gte at once; temporal types without a condition need every rule.
func fires(op string, want int64, n int) bool {
	return (op == "gt" || op == "gte") && compare(op, int64(n), want)
}

func compare(op string, n, want int64) bool {
	switch op {
	case "gt":
		return n > want
	case "gte":
		return n >= want
	case "lt":
		return n < want
	case "lte":
		return n <= want
	case "eq":
		return n == want
	}
	return false
}

// Evictions returns how many correlation groups were dropped to respect the state cap.
func (e *corrEngine) Evictions() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var n uint64
	for _, st := range e.states {
		n += st.evictions
	}
	return n
}

// aliasField is the field a referenced rule groups by: its alias entry (by the reference, id
// or name) or the group-by field itself.
func aliasField(c *Correlation, field, ref string, r *Rule) string {
	m, ok := c.Aliases[field]
	if !ok {
		return field
	}
	for _, k := range []string{ref, r.ID, r.Name} {
		if f, ok := m[k]; ok && k != "" {
			return f
		}
	}
	return field
}

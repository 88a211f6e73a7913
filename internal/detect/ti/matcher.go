package ti

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// Options configure a Matcher.
type Options struct {
	Registry *schema.Registry
	// Fields are the columns to check; nil means DefaultFields.
	Fields []Field
	// MinConfidence is the lowest indicator confidence that matches (indicators without a
	// confidence always match).
	MinConfidence int
	// HighConfidence and MediumConfidence are where alert severity turns High and Medium
	// (defaults 80 and 50); below Medium it is Low.
	HighConfidence, MediumConfidence int
	// Source, when set, is read by Load at start.
	Source Source
	// Now stamps alerts' CreatedTime; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
	// Quiet is how long after an alert for an indicator in a table the same indicator in the
	// same table raises no new alert (by event time): an attacker's address in a thousand
	// sign-in rows is one alert, not a thousand. Default one hour; negative turns it off.
	Quiet time.Duration
}

// Matcher is the threat-intelligence stream.Detector. Detect runs on the consumer's goroutine;
// Add and Load may run on others: the index is an immutable value swapped atomically.
type Matcher struct {
	opts   Options
	fields fieldSet
	idx    atomic.Pointer[Index]
	// recent holds, by tenant, indicator and table, the event time of the last alert; only
	// Detect's goroutine touches it.
	recent map[string]time.Time
}

// maxRecent bounds recent; past it, entries older than the quiet period are dropped.
const maxRecent = 100_000

var _ stream.Detector = (*Matcher)(nil)

// NewMatcher checks the fields against the registry and returns a matcher with an empty index.
func NewMatcher(opts Options) (*Matcher, error) {
	if opts.Registry == nil {
		return nil, fmt.Errorf("threat intelligence matcher: no schema registry")
	}
	if opts.Fields == nil {
		opts.Fields = defaultFields
	}
	if opts.HighConfidence == 0 {
		opts.HighConfidence = 80
	}
	if opts.MediumConfidence == 0 {
		opts.MediumConfidence = 50
	}
	if opts.Quiet == 0 {
		opts.Quiet = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	fs, err := newFieldSet(opts.Registry, opts.Fields)
	if err != nil {
		return nil, err
	}
	m := &Matcher{opts: opts, fields: fs}
	m.idx.Store(NewIndex(nil))
	return m, nil
}

// Name implements stream.Detector.
func (m *Matcher) Name() string { return "ti" }

// Index returns the current index.
func (m *Matcher) Index() *Index { return m.idx.Load() }

// Add files indicators in a new index and swaps it in.
func (m *Matcher) Add(ins []Indicator) {
	if len(ins) == 0 {
		return
	}
	for {
		old := m.idx.Load()
		if m.idx.CompareAndSwap(old, old.With(ins)) {
			return
		}
	}
}

// Load reads the indicators stored since since from the Source, if there is one, and adds them.
func (m *Matcher) Load(ctx context.Context, since time.Time) error {
	if m.opts.Source == nil {
		return nil
	}
	ins, err := m.opts.Source.Load(ctx, since)
	if err != nil {
		return fmt.Errorf("load threat intelligence: %w", err)
	}
	m.Add(ins)
	m.opts.Log.Info("threat intelligence loaded", "observables", len(ins))
	return nil
}

// Detect implements stream.Detector: batches of the indicator tables update the index, and
// rows of the tables in the field list are matched against it.
func (m *Matcher) Detect(b *stream.Batch, emit func(alert.Alert)) error {
	if IsIndicatorTable(b.Table) {
		m.Add(batchIndicators(b))
		return nil
	}
	fields := m.fields[strings.ToLower(b.Table)]
	if len(fields) == 0 {
		return nil
	}
	ti := m.idx.Load().tenants[b.Tenant]
	if ti == nil || ti.size == 0 {
		return nil
	}
	s := m.newScan(b, ti, fields)
	for i, row := range b.Rows {
		s.row(i, row)
	}
	for _, key := range s.order {
		a := s.groups[key]
		if m.quiet(key, a.StartTime, a.EndTime) {
			continue
		}
		emit(*a)
	}
	return nil
}

// quiet reports whether an alert for key (tenant, indicator, table) was raised within the
// quiet period before start, and records end as the last alert time when it was not.
func (m *Matcher) quiet(key string, start, end time.Time) bool {
	if m.opts.Quiet < 0 {
		return false
	}
	if m.recent == nil {
		m.recent = map[string]time.Time{}
	}
	if last, ok := m.recent[key]; ok && !start.After(last.Add(m.opts.Quiet)) {
		if end.After(last) {
			m.recent[key] = end
		}
		return true
	}
	if len(m.recent) >= maxRecent {
		for k, t := range m.recent {
			if end.Sub(t) > m.opts.Quiet {
				delete(m.recent, k)
			}
		}
	}
	m.recent[key] = end
	return false
}

// batchIndicators reads the indicators of a batch of an indicator table.
func batchIndicators(b *stream.Batch) []Indicator {
	var out []Indicator
	for _, row := range b.Rows {
		get := func(col string) any {
			if i := b.Index(col); i >= 0 && i < len(row) {
				return row[i]
			}
			return nil
		}
		out = append(out, ReadRow(b.Table, b.Tenant, get)...)
	}
	return out
}

// scan matches the rows of one batch.
type scan struct {
	m      *Matcher
	b      *stream.Batch
	ti     *tenantIndex
	fields []Field
	cols   []int
	timeAt int
	seen   []string     // indicator ids already matched in the current row
	hits   []*Indicator // reused lookup results
	// groups gathers the batch's matches into one alert per indicator (in first-match order),
	// the rows as its evidence.
	groups map[string]*alert.Alert
	order  []string
}

func (m *Matcher) newScan(b *stream.Batch, ti *tenantIndex, fields []Field) *scan {
	s := &scan{m: m, b: b, ti: ti, fields: fields, cols: make([]int, len(fields)), groups: map[string]*alert.Alert{}}
	for i, f := range fields {
		s.cols[i] = b.Index(f.Column)
	}
	s.timeAt = b.Index(schema.ColTimestamp)
	if s.timeAt < 0 {
		s.timeAt = b.Index(schema.ColTimeGenerated)
	}
	return s
}

func (s *scan) eventTime(row []schema.Value) time.Time {
	if s.timeAt >= 0 && s.timeAt < len(row) {
		if t, ok := row[s.timeAt].(time.Time); ok {
			return t
		}
	}
	return s.b.IngestTime
}

func (s *scan) row(i int, row []schema.Value) {
	s.seen = s.seen[:0]
	var at time.Time
	for fi, c := range s.cols {
		if c < 0 || c >= len(row) {
			continue
		}
		v, ok := row[c].(string)
		if !ok || v == "" {
			continue
		}
		f := &s.fields[fi]
		s.hits = lookup(s.ti, f.Check, v, s.hits[:0])
		for _, in := range s.hits {
			if at.IsZero() {
				at = s.eventTime(row)
			}
			if in.usable(at, s.m.opts.MinConfidence) && !s.alerted(in.ID) {
				s.add(i, row, f, v, in, at)
			}
		}
	}
}

func (s *scan) alerted(id string) bool {
	for _, x := range s.seen {
		if x == id {
			return true
		}
	}
	s.seen = append(s.seen, id)
	return false
}

// lookupFunc appends the indicators a column value matches to out.
type lookupFunc func(t *tenantIndex, v string, out []*Indicator) []*Indicator

// checks look a column value up in the index, by Check.
var checks = [...]lookupFunc{
	CheckIP: func(t *tenantIndex, v string, out []*Indicator) []*Indicator {
		if a, ok := parseIP(v); ok {
			return t.lookupIP(a, out)
		}
		return out
	},
	CheckURL: lookupURL,
	CheckDomain: func(t *tenantIndex, v string, out []*Indicator) []*Indicator {
		if d := normalizeDomain(v); d != "" {
			return t.lookupDomain(d, out)
		}
		return out
	},
	CheckMD5:    hashCheck(HashMD5),
	CheckSHA1:   hashCheck(HashSHA1),
	CheckSHA256: hashCheck(HashSHA256),
	CheckEmail: func(t *tenantIndex, v string, out []*Indicator) []*Indicator {
		return t.lookupKey(KindEmail, strings.ToLower(strings.TrimSpace(v)), out)
	},
}

// lookupURL matches a URL or bare host: the whole URL (parsed only when its host is one a URL
// indicator names), then its host as an address or a domain.
func lookupURL(t *tenantIndex, v string, out []*Indicator) []*Indicator {
	h := strings.ToLower(fastHost(v))
	if h == "" {
		return out
	}
	if t.urlHosts[h] > 0 {
		if u := normalizeURL(v); u != "" {
			out = t.lookupKey(KindURL, u, out)
		}
	}
	if mayBeIP(h) {
		if a, err := netip.ParseAddr(h); err == nil {
			return t.lookupIP(a.Unmap(), out)
		}
	}
	return t.lookupDomain(normalizeDomain(h), out)
}

// mayBeIP is a cheap test that spares parsing (and its error) for most domain names: an
// address starts with a digit or holds a colon.
func mayBeIP(h string) bool {
	return h[0] >= '0' && h[0] <= '9' || strings.IndexByte(h, ':') >= 0
}

func hashCheck(typ string) lookupFunc {
	return func(t *tenantIndex, v string, out []*Indicator) []*Indicator {
		if len(t.byKey[KindFileHash]) == 0 {
			return out
		}
		return t.lookupKey(KindFileHash, typ+":"+strings.ToLower(strings.TrimSpace(v)), out)
	}
}

func lookup(t *tenantIndex, c Check, v string, out []*Indicator) []*Indicator {
	if int(c) < len(checks) && checks[c] != nil {
		return checks[c](t, v, out)
	}
	return out
}

// fastHost returns the host of a URL or bare host without parsing it whole: the text after
// any scheme, before the path, without user info and port. IPv6 literals keep no brackets.
func fastHost(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#\\"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			return s[1:i]
		}
		return ""
	}
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		s = s[:i]
	}
	return s
}

// add files a match of row i under its indicator's alert for the batch: the first match makes
// the alert, later ones add their row as evidence (up to alert.DefaultMaxEvidence), widen its
// time range and bring their host and account.
func (s *scan) add(i int, row []schema.Value, f *Field, v string, in *Indicator, at time.Time) {
	key := s.b.Tenant + "\x00" + in.ID + "\x00" + s.b.Table
	a, ok := s.groups[key]
	if !ok {
		na := s.m.alert(s.b, i, row, f, v, in, at)
		s.groups[key] = &na
		s.order = append(s.order, key)
		return
	}
	if at.Before(a.StartTime) {
		a.StartTime = at
	}
	if at.After(a.EndTime) {
		a.EndTime = at
	}
	if len(a.Evidence.Rows) >= alert.DefaultMaxEvidence {
		a.Evidence.Truncated = true
	} else {
		appendEvidence(&a.Evidence, evidence(s.b, row))
	}
	for _, e := range contextEntities(s.b, row) {
		if !hasEntity(a.Entities, e) {
			a.Entities = append(a.Entities, e)
		}
	}
}

package sigma

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// Detector runs a RuleSet on the ingest stream. It implements stream.Detector. Swap replaces
// the rule set atomically: a batch runs entirely on the set it started with.
type Detector struct {
	set   atomic.Pointer[RuleSet]
	corr  corrEngine
	pool  sync.Pool
	now   func() time.Time
	stats struct {
		rows, matches, panics atomic.Uint64
	}
}

var _ stream.Detector = (*Detector)(nil)

// NewDetector returns a detector running rs (which may be nil: no rules).
func NewDetector(rs *RuleSet) *Detector {
	d := &Detector{now: time.Now}
	d.pool.New = func() any { return &rowCtx{} }
	d.set.Store(rs)
	return d
}

// Name implements stream.Detector.
func (d *Detector) Name() string { return "sigma" }

// Swap installs a new rule set; correlation state of rules kept by id carries over.
func (d *Detector) Swap(rs *RuleSet) { d.set.Store(rs) }

// RuleSet returns the running rule set.
func (d *Detector) RuleSet() *RuleSet { return d.set.Load() }

// Stats are the detector's counters.
type Stats struct {
	Rows                 uint64 // rows tested
	Matches              uint64 // rule matches
	Panics               uint64 // rows skipped after an internal error
	CorrelationEvictions uint64 // correlation groups dropped at the state cap
}

// Stats returns the counters.
func (d *Detector) Stats() Stats {
	return Stats{Rows: d.stats.rows.Load(), Matches: d.stats.matches.Load(), Panics: d.stats.panics.Load(), CorrelationEvictions: d.corr.Evictions()}
}

// Detect implements stream.Detector: it tests every row of b against the rules of b's table.
func (d *Detector) Detect(b *stream.Batch, emit func(alert.Alert)) error {
	rs := d.set.Load()
	if rs == nil {
		return nil
	}
	ts := rs.tables[strings.ToLower(b.Table)]
	if ts == nil || len(ts.rules) == 0 {
		return nil
	}
	pos := ts.layout(b)
	c := d.pool.Get().(*rowCtx)
	defer d.pool.Put(c)
	for i := range b.Rows {
		d.detectRow(rs, ts, b, i, pos, c, emit)
	}
	d.stats.rows.Add(uint64(len(b.Rows)))
	return nil
}

// detectRow tests one row; an internal error skips the row rather than stop the stream.
func (d *Detector) detectRow(rs *RuleSet, ts *tableSet, b *stream.Batch, i int, pos []int, c *rowCtx, emit func(alert.Alert)) {
	defer func() {
		if r := recover(); r != nil {
			d.stats.panics.Add(1)
		}
	}()
	c.reset(b.Rows[i], pos, len(ts.accs), len(ts.rules))
	for _, ri := range ts.candidates(c) {
		r := ts.rules[ri]
		if (r.where != nil && !r.where.eval(c)) || !r.root.eval(c) {
			continue
		}
		d.stats.matches.Add(1)
		if !r.silent {
			emit(d.alert(r.rule, r, b, i, "", 0))
		}
		for _, cr := range r.corrs {
			d.correlate(rs, cr, r, b, i, c, emit)
		}
	}
}

// layout resolves the table's column slots in b, cached by b's column list.
func (ts *tableSet) layout(b *stream.Batch) []int {
	var kb strings.Builder
	for _, c := range b.Columns {
		kb.WriteString(c.Name)
		kb.WriteByte(0)
	}
	k := kb.String()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if pos, ok := ts.layouts[k]; ok {
		return pos
	}
	pos := make([]int, len(ts.slots))
	for i, s := range ts.slots {
		pos[i] = b.Index(s)
	}
	if len(ts.layouts) >= 256 {
		clear(ts.layouts)
	}
	ts.layouts[k] = pos
	return pos
}

func (d *Detector) correlate(rs *RuleSet, cr *corrRule, r *compiled, b *stream.Batch, i int, c *rowCtx, emit func(alert.Alert)) {
	refIdx := 0
	for j, ref := range cr.refs {
		if ref == r {
			refIdx = j
			break
		}
	}
	var key strings.Builder
	key.WriteString(b.Tenant)
	for _, a := range cr.groupBy[r] {
		v, _ := c.raw(a)
		key.WriteByte(0x1f)
		key.Write(appendLowerBytes(nil, v))
	}
	value := ""
	if a := cr.field[r]; a != nil {
		v, _ := c.raw(a)
		value = string(v)
	}
	h, ok := d.corr.observe(cr, refIdx, key.String(), value, rowTime(b, i, d.now), rs.maxState)
	if !ok {
		return
	}
	a := d.alert(cr.rule, nil, b, i, h.group, h.start.UnixNano())
	a.Severity, a.Tactics, a.Techniques = cr.severity, cr.tactics, cr.techniques
	a.Properties["correlationType"] = cr.corr.Type
	a.Properties["correlationCount"] = fmt.Sprint(h.count)
	a.StartTime = h.start
	emit(a)
}

// rowTime is the row's Timestamp or TimeGenerated, else the current time.
func rowTime(b *stream.Batch, i int, now func() time.Time) time.Time {
	for _, col := range []string{schema.ColTimestamp, schema.ColTimeGenerated} {
		if j := b.Index(col); j >= 0 && j < len(b.Rows[i]) {
			if t, ok := b.Rows[i][j].(time.Time); ok {
				return t
			}
		}
	}
	return now().UTC()
}

// alertID is a UUID-shaped hash of the rule, tenant, batch and row (and correlation group),
// so that a replayed batch yields the same ids.
func alertID(ruleID, tenant string, seq uint64, row int, group string, start int64) string {
	h := sha256.New()
	var n [8]byte
	h.Write([]byte(ruleID + "\x00" + tenant + "\x00"))
	binary.BigEndian.PutUint64(n[:], seq)
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(row))
	h.Write(n[:])
	if group != "" {
		binary.BigEndian.PutUint64(n[:], uint64(start))
		h.Write(n[:])
		h.Write([]byte(group))
	}
	s := hex.EncodeToString(h.Sum(nil))
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

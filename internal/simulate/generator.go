package simulate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Sink receives records: payload is one or more records of format joined by newlines (a
// batch of <Event> elements, NDJSON objects, or syslog messages). Format is a format name of
// the server's format route (winevent-xml, entra-signin, o365-audit, email-trace,
// url-click), "table:IdentityInfo" for plain rows, or "cef"/"syslog" for lines to the syslog
// receiver. The generator calls Send from one goroutine and does not reuse payload.
type Sink interface {
	Send(ctx context.Context, format string, payload []byte) error
}

// Options tune a Generator; zero values take the defaults.
type Options struct {
	Users       int           // people in the organization (60)
	NoiseBefore time.Duration // benign activity replayed before the attack starts (1h)
	NoiseAfter  time.Duration // and after its last step (5m)
	PerHour     int           // benign activities per user per working hour (30)
	BatchSize   int           // records per Send (500)
}

func (o *Options) defaults() {
	if o.NoiseBefore == 0 {
		o.NoiseBefore = time.Hour
	}
	if o.NoiseAfter == 0 {
		o.NoiseAfter = 5 * time.Minute
	}
	if o.PerHour <= 0 {
		o.PerHour = 30
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
}

// Generator makes the organization's records: identities, benign noise and the attack.
// Everything it emits is determined by the seed (and the start time given). Not safe for
// concurrent use.
type Generator struct {
	seed int64
	opts Options
	org  *Org
	sc   *Scenario
	vars vars
}

// New returns a generator for seed.
func New(seed int64, opts Options) *Generator {
	opts.defaults()
	return &Generator{seed: seed, opts: opts, org: NewOrg(seed, opts.Users)}
}

// Org returns the simulated organization.
func (g *Generator) Org() *Org { return g.org }

// Scenario binds an attack scenario to the organization: it resolves the actors and builds
// every step once, so that a bad selector, placeholder or parameter is an error here.
func (g *Generator) Scenario(sc *Scenario) error {
	v, err := resolveActors(g.org, sc)
	if err != nil {
		return err
	}
	g.sc, g.vars = sc, v
	if _, err := g.Attack(time.Unix(0, 0)); err != nil {
		g.sc, g.vars = nil, nil
		return err
	}
	return nil
}

// Duration is the time from the first to the last step of the scenario (0 without one).
func (g *Generator) Duration() time.Duration {
	if g.sc == nil {
		return 0
	}
	var d time.Duration
	for _, st := range g.sc.Steps {
		if end := st.At + time.Duration(st.Repeat-1)*st.Every; end > d {
			d = end
		}
	}
	return d
}

// maxAttackRecords bounds what one scenario may emit.
const maxAttackRecords = 200_000

// StartFor is the start to pass to Replay so that the replay's last record (the noise after
// the attack) is at end: the scenario plays in the past, ending now.
func (g *Generator) StartFor(end time.Time) time.Time {
	return end.Add(-g.Duration() - g.opts.NoiseAfter)
}

// Attack returns the scenario's records with its steps starting at start, in time order.
func (g *Generator) Attack(start time.Time) ([]Record, error) {
	if g.sc == nil {
		return nil, errors.New("no scenario")
	}
	e := newEmitter(g.org, newRand(g.seed, 3))
	kinds := stepKinds()
	var out []Record
	for _, st := range g.sc.Steps {
		for i := 0; i < st.Repeat; i++ {
			run := &stepRun{e: e, t: start.Add(st.At + time.Duration(i)*st.Every), p: make(map[string]string, len(st.With))}
			for k, val := range st.With {
				x, err := g.vars.expand(val, i+1)
				if err != nil {
					return nil, &ScenarioError{File: g.sc.Name, Line: st.lines[k], Col: 1, Msg: err.Error()}
				}
				run.p[k] = x
			}
			recs := kinds[st.Kind].build(run)
			if run.err != nil {
				return nil, &ScenarioError{File: g.sc.Name, Line: st.Line, Col: 1, Msg: st.Kind + ": " + run.err.Error()}
			}
			out = append(out, recs...)
			if len(out) > maxAttackRecords {
				return nil, &ScenarioError{File: g.sc.Name, Line: st.Line, Col: 1, Msg: fmt.Sprintf("the scenario makes more than %d records", maxAttackRecords)}
			}
		}
	}
	sortRecords(out)
	return out, nil
}

// Identities returns an IdentityInfo row for every user, admin and service account at t.
func (g *Generator) Identities(t time.Time) []Record {
	e := newEmitter(g.org, newRand(g.seed, 4))
	var out []Record
	for _, list := range [][]*User{g.org.Users, g.org.Admins, g.org.Services} {
		for _, u := range list {
			out = append(out, e.identityInfo(t, u))
		}
	}
	return out
}

// Noise returns the benign records from from to to, in time order.
func (g *Generator) Noise(from, to time.Time) []Record {
	return newNoise(g.org, newRand(g.seed, 2)).between(from, to, g.opts.PerHour)
}

// Indicators returns the scenario's indicators as a STIX 2.1 bundle (nil without a scenario).
func (g *Generator) Indicators() []byte {
	if g.sc == nil {
		return nil
	}
	ins := make([]Indicator, 0, len(g.sc.Indicators))
	for _, in := range g.sc.Indicators {
		in.Value, _ = g.vars.expand(in.Value, 1)
		ins = append(ins, in)
	}
	return stixBundleOf(g.sc.Name, ins)
}

// Decoys returns the decoys the scenario asks to register, placeholders resolved.
func (g *Generator) Decoys() []Decoy {
	if g.sc == nil {
		return nil
	}
	out := make([]Decoy, 0, len(g.sc.Decoys))
	for _, d := range g.sc.Decoys {
		d.Value, _ = g.vars.expand(d.Value, 1)
		out = append(out, d)
	}
	return out
}

// Replay sends the identities, then the noise from NoiseBefore before start to NoiseAfter
// after the attack's end, with the attack's steps from start, all in time order. To replay
// an attack that has just ended, pass StartFor(time.Now()).
func (g *Generator) Replay(ctx context.Context, start time.Time, sink Sink) error {
	b := newBatcher(sink, g.opts.BatchSize)
	for _, r := range g.Identities(start.Add(-g.opts.NoiseBefore)) {
		if err := b.add(ctx, r); err != nil {
			return err
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	recs := g.Noise(start.Add(-g.opts.NoiseBefore), start.Add(g.Duration()+g.opts.NoiseAfter))
	if g.sc != nil {
		attack, err := g.Attack(start)
		if err != nil {
			return err
		}
		recs = append(recs, attack...)
		sortRecords(recs)
	}
	for _, r := range recs {
		if err := b.add(ctx, r); err != nil {
			return err
		}
	}
	return b.flush(ctx)
}

// Stream sends benign records at rate per second for duration (until ctx ends when duration
// is 0), timestamped from the moment it starts as if they happened at that rate. A ticker
// paces it every 100ms; each tick's records are batched per format. What it sends is
// determined by the seed and the start time.
func (g *Generator) Stream(ctx context.Context, rate int, duration time.Duration, sink Sink) error {
	if rate <= 0 {
		return fmt.Errorf("rate %d must be positive", rate)
	}
	const tick = 100 * time.Millisecond
	n := newNoise(g.org, newRand(g.seed, 5))
	b := newBatcher(sink, g.opts.BatchSize)
	start, sent := time.Now().UTC(), 0
	tk := time.NewTicker(tick)
	defer tk.Stop()
	for k := 1; duration == 0 || time.Duration(k-1)*tick < duration; k++ {
		due := int(int64(rate) * int64(k) * int64(tick) / int64(time.Second))
		for sent < due {
			t := start.Add(time.Duration(int64(sent) * int64(time.Second) / int64(rate)))
			for _, r := range n.next(t) {
				if err := b.add(ctx, r); err != nil {
					return err
				}
				sent++
			}
		}
		if err := b.flush(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tk.C:
		}
	}
	return nil
}

// sortRecords orders records by time, keeping the order of equal times.
func sortRecords(rs []Record) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
}

// batcher gathers records per format and sends a format's batch when it is full.
type batcher struct {
	sink  Sink
	size  int
	order []string
	bufs  map[string]*bytes.Buffer
	count map[string]int
}

func newBatcher(s Sink, size int) *batcher {
	return &batcher{sink: s, size: size, bufs: map[string]*bytes.Buffer{}, count: map[string]int{}}
}

func (b *batcher) add(ctx context.Context, r Record) error {
	buf, ok := b.bufs[r.Format]
	if !ok {
		buf = &bytes.Buffer{}
		b.bufs[r.Format] = buf
		b.order = append(b.order, r.Format)
	}
	if buf.Len() > 0 {
		buf.WriteByte('\n')
	}
	buf.Write(r.Payload)
	b.count[r.Format]++
	if b.count[r.Format] >= b.size {
		return b.send(ctx, r.Format)
	}
	return nil
}

func (b *batcher) send(ctx context.Context, format string) error {
	buf := b.bufs[format]
	if buf.Len() == 0 {
		return nil
	}
	payload := bytes.Clone(buf.Bytes())
	buf.Reset()
	b.count[format] = 0
	if err := b.sink.Send(ctx, format, payload); err != nil {
		return fmt.Errorf("send %s: %w", format, err)
	}
	return nil
}

func (b *batcher) flush(ctx context.Context) error {
	for _, f := range b.order {
		if err := b.send(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// Actor returns a resolved actor field of the scenario, such as "victim.upn", "victim.host",
// "target.host" or "attacker.ip" ("" when there is none): what a test of the scenario's
// outcome expects to see in alerts.
func (g *Generator) Actor(field string) string { return g.vars[field] }

package deception

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/stream"
	"github.com/vigilsec/vigil/internal/schema"
)

// Options configure a Detector.
type Options struct {
	Registry *schema.Registry
	Source   Source
	// Fields are the columns checked; nil means DefaultFields.
	Fields []Field
	// Excluded are tables never checked; nil means DefaultExcluded.
	Excluded []string
	// PollInterval is how often Run checks the source's version (default 5s).
	PollInterval time.Duration
	// Now stamps alerts' CreatedTime; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Detector is the deception stream.Detector. Detect runs on the consumer's goroutine; Reload
// and Run on others: the decoy index is an immutable value swapped atomically.
type Detector struct {
	opts     Options
	excluded map[string]bool
	idx      atomic.Pointer[index]
}

var _ stream.Detector = (*Detector)(nil)

// New checks the fields against the registry and returns a detector with no decoys; call
// Reload (or Run) to load them.
func New(opts Options) (*Detector, error) {
	if opts.Registry == nil || opts.Source == nil {
		return nil, fmt.Errorf("deception detector: registry and source are required")
	}
	if opts.Fields == nil {
		opts.Fields = defaultFields
	}
	if opts.Excluded == nil {
		opts.Excluded = defaultExcluded
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if err := checkFields(opts.Registry, opts.Fields); err != nil {
		return nil, err
	}
	d := &Detector{opts: opts, excluded: map[string]bool{}}
	for _, t := range opts.Excluded {
		d.excluded[strings.ToLower(t)] = true
	}
	d.idx.Store(newIndex(nil, -1))
	return d, nil
}

// Name implements stream.Detector.
func (d *Detector) Name() string { return "deception" }

// Reload reads the decoys again if the source's version differs from the one held, and
// swaps them in. It reports whether it did.
func (d *Detector) Reload(ctx context.Context) (bool, error) {
	v, err := d.opts.Source.Version(ctx)
	if err != nil {
		return false, fmt.Errorf("decoys version: %w", err)
	}
	if v == d.idx.Load().version {
		return false, nil
	}
	ds, v, err := d.opts.Source.Decoys(ctx)
	if err != nil {
		return false, fmt.Errorf("load decoys: %w", err)
	}
	d.idx.Store(newIndex(ds, v))
	d.opts.Log.Info("decoys loaded", "decoys", len(ds), "version", v)
	return true, nil
}

// Run reloads the decoys at once and then every PollInterval until ctx ends. A failed reload
// is logged and the old decoys kept.
func (d *Detector) Run(ctx context.Context) error {
	t := time.NewTicker(d.opts.PollInterval)
	defer t.Stop()
	for {
		if _, err := d.Reload(ctx); err != nil && ctx.Err() == nil {
			d.opts.Log.Warn("reload decoys", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Detect implements stream.Detector.
func (d *Detector) Detect(b *stream.Batch, emit func(alert.Alert)) error {
	if d.excluded[strings.ToLower(b.Table)] {
		return nil
	}
	td := d.idx.Load().tenants[b.Tenant]
	if td == nil {
		return nil
	}
	var cols []int
	var fields []Field
	for _, f := range d.opts.Fields {
		if td.count[f.Kind] == 0 {
			continue
		}
		if i := b.Index(f.Column); i >= 0 {
			cols, fields = append(cols, i), append(fields, f)
		}
	}
	if len(cols) == 0 {
		return nil
	}
	var hits []*Decoy
	var seen []int64
	for ri, row := range b.Rows {
		seen = seen[:0]
		for fi, c := range cols {
			v := text(row, c)
			if v == "" {
				continue
			}
			hits = matchers[fields[fi].Kind].match(td, v, hits[:0])
			for _, dc := range hits {
				if !contains(seen, dc.ID) {
					seen = append(seen, dc.ID)
					emit(d.alert(b, ri, row, fields[fi].Column, v, dc))
				}
			}
		}
	}
	return nil
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// text returns cell c of row as text when it is a string or dynamic value.
func text(row []schema.Value, c int) string {
	if c >= len(row) {
		return ""
	}
	switch x := row[c].(type) {
	case string:
		return x
	case schema.Dynamic:
		return string(x)
	}
	return ""
}

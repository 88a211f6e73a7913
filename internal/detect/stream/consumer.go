package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/detect/alert"
)

// ConsumerName is the durable bus consumer name of the stream detectors.
const ConsumerName = "stream-detect"

// Source is the bus side of the consumer (a *bus.Consumer). The consumer calls it from its
// Run goroutine only.
type Source interface {
	Fetch(ctx context.Context, max, maxBytes int, wait time.Duration) ([]bus.Msg, error)
	Ack(ctx context.Context, m bus.Msg) error
	Pending(ctx context.Context) (uint64, error)
}

// Offsets keeps the last bus sequence whose alerts the sink stored, so that a restart resumes
// after it (the state store's settings in the server).
type Offsets interface {
	StreamOffset(ctx context.Context, name string) (uint64, error)
	SetStreamOffset(ctx context.Context, name string, seq uint64) error
}

// Options tunes the consumer.
type Options struct {
	Name        string        // consumer name, for the offset; ConsumerName when empty
	MaxMessages int           // most bus messages per step
	MaxBytes    int           // most bytes per step
	MaxWait     time.Duration // longest wait for a first message
	Retry       time.Duration // first pause after a failed step; doubles up to 30 s
	// Decode turns a bus message into a batch (ingest.DecodeBatch in the server).
	Decode func(data []byte) (*Batch, error)
	// Skip says which tables the detectors never see: the tables alerts and incidents are
	// written to, so that an alert cannot raise alerts on itself.
	Skip    func(table string) bool
	Log     *slog.Logger
	Metrics *Metrics
}

// Consumer runs the detectors over the ingest stream. Delivery of alerts is at least once:
// after a crash the batches after the stored offset are tested again and raise the same
// alerts with the same ids, which the sinks recognise.
type Consumer struct {
	src       Source
	offsets   Offsets
	sink      alert.Sink
	detectors []Detector
	opts      Options
	offset    uint64
	held      []bus.Msg
	alerts    []alert.Alert
}

// New returns a consumer that resumes after offset (read from offsets when the source was
// created). Call Run to start it.
func New(src Source, offsets Offsets, offset uint64, sink alert.Sink, detectors []Detector, opts Options) *Consumer {
	if opts.Name == "" {
		opts.Name = ConsumerName
	}
	if opts.MaxMessages <= 0 {
		opts.MaxMessages = 256
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 16 << 20
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 100 * time.Millisecond
	}
	if opts.Retry <= 0 {
		opts.Retry = 200 * time.Millisecond
	}
	if opts.Skip == nil {
		opts.Skip = func(string) bool { return false }
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(nil)
	}
	return &Consumer{src: src, offsets: offsets, offset: offset, sink: sink, detectors: detectors, opts: opts}
}

// Offset returns the last sequence whose alerts are stored. Only for the Run goroutine's
// caller after Run returned, and for tests.
func (c *Consumer) Offset() uint64 { return c.offset }

// Run consumes until ctx ends. A failing step (a detector fault, the sink or the offset store
// refusing) is retried with backoff, keeping the same messages, so nothing is skipped.
func (c *Consumer) Run(ctx context.Context) error {
	pause := c.opts.Retry
	for ctx.Err() == nil {
		err := c.step(ctx)
		if err == nil {
			pause = c.opts.Retry
			continue
		}
		if ctx.Err() != nil {
			break
		}
		c.opts.Metrics.Failures.Inc()
		c.opts.Log.Warn("stream detection step failed; retrying", "err", err, "pause", pause)
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
	return nil
}

func (c *Consumer) step(ctx context.Context) error {
	if len(c.held) == 0 {
		msgs, err := c.src.Fetch(ctx, c.opts.MaxMessages, c.opts.MaxBytes, c.opts.MaxWait)
		if len(msgs) == 0 {
			c.updateLag(ctx)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil
			}
			return err
		}
		c.held = msgs
	}
	last := c.held[len(c.held)-1]
	if last.Seq > c.offset {
		if err := c.detect(ctx, c.held); err != nil {
			return err
		}
		if err := c.offsets.SetStreamOffset(context.WithoutCancel(ctx), c.opts.Name, last.Seq); err != nil {
			return fmt.Errorf("store offset: %w", err)
		}
		c.offset = last.Seq
	}
	c.held = nil
	if err := c.src.Ack(context.WithoutCancel(ctx), last); err != nil {
		c.opts.Log.Warn("ack failed; messages will be redelivered and skipped", "seq", last.Seq, "err", err)
	}
	c.updateLag(ctx)
	return nil
}

// detect runs every detector over the messages not yet processed and hands their alerts to
// the sink.
func (c *Consumer) detect(ctx context.Context, msgs []bus.Msg) error {
	c.alerts = c.alerts[:0]
	start := time.Now()
	rows := 0
	for _, m := range msgs {
		if m.Seq <= c.offset {
			continue
		}
		b, err := c.opts.Decode(m.Data)
		if err != nil {
			// The store writer dead-letters it; there is nothing to test.
			c.opts.Log.Warn("undecodable bus message skipped by stream detection", "seq", m.Seq, "err", err)
			continue
		}
		if c.opts.Skip(b.Table) {
			continue
		}
		b.Seq = m.Seq
		rows += len(b.Rows)
		if err := c.run(b); err != nil {
			return err
		}
	}
	c.opts.Metrics.Events.Add(float64(rows))
	c.opts.Metrics.Duration.Observe(time.Since(start).Seconds())
	if len(c.alerts) == 0 {
		return nil
	}
	if err := c.sink.Put(context.WithoutCancel(ctx), c.alerts); err != nil {
		return fmt.Errorf("store %d alerts: %w", len(c.alerts), err)
	}
	c.opts.Metrics.Alerts.Add(float64(len(c.alerts)))
	return nil
}

func (c *Consumer) run(b *Batch) error {
	emit := func(a alert.Alert) {
		c.alerts = append(c.alerts, a)
		if !b.IngestTime.IsZero() {
			c.opts.Metrics.Latency.Observe(time.Since(b.IngestTime).Seconds())
		}
	}
	for _, d := range c.detectors {
		if err := d.Detect(b, emit); err != nil {
			return fmt.Errorf("detector %s on %s (seq %d): %w", d.Name(), b.Table, b.Seq, err)
		}
	}
	return nil
}

func (c *Consumer) updateLag(ctx context.Context) {
	if p, err := c.src.Pending(ctx); err == nil {
		c.opts.Metrics.Lag.Set(float64(p))
	}
}

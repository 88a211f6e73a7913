package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// WriterConsumer is the durable bus consumer name of the store writer.
const WriterConsumer = "store-writer"

// Consumer is the bus side of the writer.
type Consumer interface {
	Fetch(ctx context.Context, max, maxBytes int, wait time.Duration) ([]bus.Msg, error)
	Ack(ctx context.Context, m bus.Msg) error
	Pending(ctx context.Context) (uint64, error)
}

// WriterOptions tunes the writer.
type WriterOptions struct {
	MaxMessages  int           // most bus messages per store transaction
	MaxBytes     int           // most bytes per store transaction; DuckDB writes a transaction of more than one row group (122,880 rows) straight to its file instead of through its WAL, so large runs pay off
	MaxWait      time.Duration // longest wait for a first message
	DrainTimeout time.Duration // how long Run keeps writing after its context ends
}

// Writer moves batches from the bus into the event store, exactly once: each store transaction
// holds the rows of a run of messages and the sequence of the last, and messages at or below
// the stored sequence are skipped when the bus delivers them again.
type Writer struct {
	cons    Consumer
	st      store.Writer
	reg     *schema.Registry
	opts    WriterOptions
	log     *slog.Logger
	metrics *Metrics
	offset  uint64
	written atomic.Uint64 // offset, for other goroutines
	held    []bus.Msg     // a fetched run not yet written, kept across a failed step
	ready   chan struct{}
}

// NewWriter returns a writer; call Run to start it.
func NewWriter(cons Consumer, st store.Writer, reg *schema.Registry, opts WriterOptions, log *slog.Logger, m *Metrics) *Writer {
	if opts.MaxMessages <= 0 {
		opts.MaxMessages = 512
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 128 << 20
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 200 * time.Millisecond
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 30 * time.Second
	}
	return &Writer{cons: cons, st: st, reg: reg, opts: opts, log: log, metrics: m, ready: make(chan struct{})}
}

// Written returns the last bus sequence stored in the event store. Safe for concurrent use.
func (w *Writer) Written() uint64 { return w.written.Load() }

// Ready is closed once the writer has read its offset and is consuming.
func (w *Writer) Ready() <-chan struct{} { return w.ready }

// Run writes until ctx ends, then drains what the bus still holds (up to DrainTimeout) and
// returns.
func (w *Writer) Run(ctx context.Context) error {
	off, err := w.st.Offset(context.WithoutCancel(ctx), WriterConsumer)
	if err != nil {
		return fmt.Errorf("read writer offset: %w", err)
	}
	w.offset = off
	w.written.Store(off)
	close(w.ready)
	for ctx.Err() == nil {
		if _, err := w.step(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("store writer", "err", err)
			w.sleep(ctx, time.Second)
		}
	}
	return w.drain()
}

// drain writes what the bus holds once receivers have stopped.
func (w *Writer) drain() error {
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.DrainTimeout)
	defer cancel()
	for {
		n, err := w.step(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("drain: %w", err)
			}
			w.log.Error("store writer drain", "err", err)
			w.sleep(ctx, time.Second)
			continue
		}
		if n == 0 {
			pending, err := w.cons.Pending(ctx)
			if err != nil || pending == 0 {
				return err
			}
		}
	}
}

func (w *Writer) sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// step fetches one run of messages (or retries the run a failed step left) and writes it; it
// returns how many messages it took. Once fetched, a run is written and acknowledged even if
// ctx ends meanwhile.
func (w *Writer) step(ctx context.Context) (int, error) {
	if len(w.held) == 0 {
		msgs, err := w.fetch(ctx)
		if len(msgs) == 0 {
			w.updateLag(ctx)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return 0, nil
			}
			return 0, err
		}
		w.held = msgs
	}
	msgs := w.held
	wctx := context.WithoutCancel(ctx)
	start := time.Now()
	batches, rows := w.decode(msgs)
	last := msgs[len(msgs)-1]
	if last.Seq > w.offset {
		if err := w.write(wctx, msgs, batches); err != nil {
			return 0, err
		}
		w.offset = last.Seq
	}
	w.written.Store(w.offset)
	w.held = nil
	if err := w.cons.Ack(wctx, last); err != nil {
		// The rows are stored; a redelivery is skipped by offset.
		w.log.Warn("ack after write failed; messages will be redelivered and skipped", "seq", last.Seq, "err", err)
	}
	if w.metrics != nil {
		w.metrics.WrittenRows.Add(float64(rows))
		w.metrics.WriteDuration.Observe(time.Since(start).Seconds())
	}
	w.updateLag(ctx)
	return len(msgs), nil
}

// fetchChunkBytes bounds one pull from the bus: a bigger one could outrun the bus's limit on
// what it holds for a slow client.
const fetchChunkBytes = 16 << 20

// fetch gathers a run of up to MaxMessages and MaxBytes: it waits up to MaxWait for the first
// messages, then keeps taking what is already waiting, in chunks, until the run is full or the
// bus has no more.
func (w *Writer) fetch(ctx context.Context) ([]bus.Msg, error) {
	var run []bus.Msg
	size := 0
	wait := w.opts.MaxWait
	for len(run) < w.opts.MaxMessages && size < w.opts.MaxBytes {
		want := min(w.opts.MaxMessages-len(run), 256)
		msgs, err := w.cons.Fetch(ctx, want, min(fetchChunkBytes, w.opts.MaxBytes-size), wait)
		run = append(run, msgs...)
		for _, m := range msgs {
			size += len(m.Data)
		}
		if err != nil || len(msgs) == 0 {
			return run, err
		}
		wait = 20 * time.Millisecond
	}
	return run, nil
}

func (w *Writer) updateLag(ctx context.Context) {
	if w.metrics == nil {
		return
	}
	if p, err := w.cons.Pending(ctx); err == nil {
		w.metrics.Lag.Set(float64(p))
	}
}

// write stores batches with the offset of the last message. When the whole run fails it
// writes message by message, and a message the store refuses alone goes to IngestionErrors so
// that one bad message cannot stop ingestion.
func (w *Writer) write(ctx context.Context, msgs []bus.Msg, batches []store.Batch) error {
	last := msgs[len(msgs)-1].Seq
	err := w.st.Write(ctx, WriterConsumer, last, batches)
	if err == nil || len(msgs) == 1 && len(batches) == 0 {
		return err
	}
	if w.metrics != nil {
		w.metrics.WriteErrors.Inc()
	}
	w.log.Warn("store write failed; retrying message by message", "err", err, "messages", len(msgs))
	for _, m := range msgs {
		if m.Seq <= w.offset {
			continue
		}
		one, _ := w.decode([]bus.Msg{m})
		if err := w.st.Write(ctx, WriterConsumer, m.Seq, one); err != nil {
			dl := w.deadLetterMsg(m, fmt.Sprintf("event store refused the batch: %v", err))
			if err := w.st.Write(ctx, WriterConsumer, m.Seq, []store.Batch{dl}); err != nil {
				return fmt.Errorf("write dead letter for seq %d: %w", m.Seq, err)
			}
		}
		w.offset = m.Seq
	}
	return nil
}

// decode turns messages (skipping those already written) into store batches; a message that
// cannot be decoded or no longer fits its table becomes an IngestionErrors row.
func (w *Writer) decode(msgs []bus.Msg) ([]store.Batch, int) {
	var out []store.Batch
	rows := 0
	for _, m := range msgs {
		if m.Seq <= w.offset {
			continue
		}
		b, err := w.toStore(m)
		if err != nil {
			b = w.deadLetterMsg(m, err.Error())
		}
		rows += len(b.Rows)
		out = append(out, b)
	}
	return out, rows
}

func (w *Writer) toStore(m bus.Msg) (store.Batch, error) {
	b, err := DecodeBatch(m.Data)
	if err != nil {
		return store.Batch{}, fmt.Errorf("bus message %d: %w", m.Seq, err)
	}
	t, ok := w.reg.Table(b.Table)
	if !ok {
		return store.Batch{}, fmt.Errorf("bus message %d: table %s no longer exists", m.Seq, b.Table)
	}
	cols := make([]int, len(b.Columns))
	for i, c := range b.Columns {
		j, ok := t.Column(c.Name)
		if !ok || t.Columns[j].Type != c.Type {
			return store.Batch{}, fmt.Errorf("bus message %d: column %s (%s) no longer in table %s", m.Seq, c.Name, c.Type, t.Name)
		}
		cols[i] = j
	}
	return store.Batch{Seq: m.Seq, Tenant: b.Tenant, Table: t, IngestTime: b.IngestTime, Columns: cols, Rows: b.Rows}, nil
}

// deadLetterMsg makes a one-row IngestionErrors batch for a message that cannot be stored.
func (w *Writer) deadLetterMsg(m bus.Msg, reason string) store.Batch {
	dl, _ := w.reg.Table(DeadLetterTable)
	tenant, table := "default", ""
	if b, err := DecodeBatch(m.Data); err == nil {
		tenant, table = b.Tenant, b.Table
	}
	row := deadLetterRow(dl, table, "store-writer", time.Now().UTC(), RowError{Reason: reason, Raw: m.Data}, 256<<10)
	cols := make([]int, len(dl.Columns))
	for i := range cols {
		cols[i] = i
	}
	return store.Batch{Seq: m.Seq, Tenant: tenant, Table: dl, IngestTime: time.Now().UTC(), Columns: cols, Rows: [][]schema.Value{row}}
}

package syslog

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// batchKey is what a batch is for: one tenant's table.
type batchKey struct {
	tenant string
	t      *schema.Table
}

// pending is one batch.
type pending struct {
	rows    [][]schema.Value
	rejects []ingest.RowError
}

// batch collects queued messages per table and publishes them every BatchSize messages or
// BatchWait, until the queue is closed; then it publishes the rest. Publication uses pubCtx,
// which outlives Run's context by the drain timeout.
func (r *Receiver) batch(pubCtx context.Context) {
	byTable := map[batchKey]*pending{}
	n := 0
	tick := time.NewTicker(r.cfg.BatchWait)
	defer tick.Stop()
	flush := func() {
		for k, p := range byTable {
			if len(p.rows)+len(p.rejects) > 0 {
				r.publish(pubCtx, k, p)
			}
			delete(byTable, k)
		}
		n = 0
	}
	add := func(tenant string, rec normalize.Record, raw []byte) {
		k := batchKey{tenant, rec.Table}
		p := byTable[k]
		if p == nil {
			p = &pending{}
			byTable[k] = p
		}
		if rec.Err != nil {
			p.rejects = append(p.rejects, ingest.RowError{
				Row: len(p.rows) + len(p.rejects), Line: 1, Offset: rec.Err.Offset, Reason: rec.Err.Error(), Raw: raw,
			})
			return
		}
		p.rows = append(p.rows, rec.Row)
	}
	for {
		select {
		case it, ok := <-r.queue:
			if !ok {
				flush()
				return
			}
			add(it.tenant, it.rec, it.raw)
			for _, d := range it.derived {
				add(it.tenant, d, nil) // a derived row's message is in its Syslog row
			}
			if n++; n >= r.cfg.BatchSize {
				flush()
			}
		case <-tick.C:
			if n > 0 {
				flush()
			}
		}
	}
}

// publish stores one batch, retrying with backoff while the bus refuses it. While it retries
// the queue fills and TCP senders are no longer read. It gives up only when pubCtx ends
// (the drain timeout after shutdown), counting the batch as dropped.
func (r *Receiver) publish(pubCtx context.Context, k batchKey, p *pending) {
	t := k.t
	backoff := 50 * time.Millisecond
	for {
		_, err := r.ing.IngestRows(pubCtx, k.tenant, Source, t, p.rows, p.rejects)
		if err == nil {
			return
		}
		if pubCtx.Err() != nil {
			r.m.dropped.WithLabelValues("shutdown").Add(float64(len(p.rows) + len(p.rejects)))
			r.log.Error("syslog batch lost at shutdown", "table", t.Name, "messages", len(p.rows)+len(p.rejects), "err", err)
			return
		}
		r.m.retries.Inc()
		if isBusFull(err) {
			r.log.Warn("syslog receiver paused: bus full", "table", t.Name, "retryIn", backoff)
		} else {
			r.log.Error("syslog batch publish failed; retrying", "table", t.Name, "retryIn", backoff, "err", err)
		}
		select {
		case <-time.After(backoff):
		case <-pubCtx.Done():
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

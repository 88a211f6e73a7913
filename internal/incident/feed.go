package incident

import (
	"context"
	"sync"
)

// DefaultFeedSize is how many recent changes the feed keeps per tenant for resuming.
const DefaultFeedSize = 1024

// subscriberBuffer is how many events a subscriber may lag before it is dropped.
const subscriberBuffer = 256

// Event is a change with its position in the feed.
type Event struct {
	ID uint64 `json:"id"`
	Change
}

// Feed is the live feed of changes: it numbers each change, keeps the last Size per tenant
// in a ring so that a client can resume after a reconnect (Last-Event-ID), and hands new
// ones to subscribers. It lives in one process's memory: after a restart numbering starts
// over and clients resynchronize. It is safe for concurrent use.
type Feed struct {
	mu    sync.Mutex
	size  int
	seq   uint64
	rings map[string]*ring
	subs  map[string]map[chan Event]struct{}
}

// ring holds a tenant's most recent events, and the highest ID it dropped.
type ring struct {
	events  []Event
	start   int
	dropped uint64
}

var _ Notifier = (*Feed)(nil)

// NewFeed returns a feed keeping size events per tenant (DefaultFeedSize when <= 0).
func NewFeed(size int) *Feed {
	if size <= 0 {
		size = DefaultFeedSize
	}
	return &Feed{size: size, rings: map[string]*ring{}, subs: map[string]map[chan Event]struct{}{}}
}

// Notify implements Notifier. A subscriber too slow to take an event is closed; it
// resumes from its last event on reconnect.
func (f *Feed) Notify(_ context.Context, changes []Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range changes {
		f.seq++
		ev := Event{ID: f.seq, Change: c}
		f.ringOf(c.Tenant).add(ev, f.size)
		for ch := range f.subs[c.Tenant] {
			select {
			case ch <- ev:
			default:
				delete(f.subs[c.Tenant], ch)
				close(ch)
			}
		}
	}
}

func (f *Feed) ringOf(tenant string) *ring {
	r, ok := f.rings[tenant]
	if !ok {
		r = &ring{}
		f.rings[tenant] = r
	}
	return r
}

func (r *ring) add(ev Event, size int) {
	if len(r.events) < size {
		r.events = append(r.events, ev)
		return
	}
	r.dropped = r.events[r.start].ID
	r.events[r.start] = ev
	r.start = (r.start + 1) % size
}

// since returns the events after id, oldest first.
func (r *ring) since(id uint64) []Event {
	var out []Event
	for i := range r.events {
		ev := r.events[(r.start+i)%len(r.events)]
		if ev.ID > id {
			out = append(out, ev)
		}
	}
	return out
}

// Subscribe returns tenant's retained events after after and a channel of the new ones;
// complete is false when events after after were already dropped (or after is from
// before a restart), so that the client should reload. The channel is closed when the
// subscriber falls behind or cancel is called.
func (f *Feed) Subscribe(tenant string, after uint64) (backlog []Event, events <-chan Event, cancel func(), complete bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.ringOf(tenant)
	complete = after <= f.seq && after >= r.dropped
	backlog = r.since(after)
	ch := make(chan Event, subscriberBuffer)
	if f.subs[tenant] == nil {
		f.subs[tenant] = map[chan Event]struct{}{}
	}
	f.subs[tenant][ch] = struct{}{}
	cancel = func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[tenant][ch]; ok {
			delete(f.subs[tenant], ch)
			close(ch)
		}
	}
	return backlog, ch, cancel, complete
}

// Last returns the ID of the newest event.
func (f *Feed) Last() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}

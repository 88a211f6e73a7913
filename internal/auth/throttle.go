package auth

import (
	"sync"
	"time"
)

// backoff returns how long to refuse sign-ins after failures failed ones:
// nothing for the first free, then base doubling with every failure, up to max.
func backoff(failures, free int, base, maxWait time.Duration) time.Duration {
	if failures < free {
		return 0
	}
	d := base
	for i := free; i < failures && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}

// addrThrottle counts failed sign-ins per source address, in memory: an
// address that fails again and again waits longer and longer, whichever
// accounts it tries. It holds at most maxAddrs addresses.
type addrThrottle struct {
	mu    sync.Mutex
	addrs map[string]*addrState
	free  int
	base  time.Duration
	max   time.Duration
}

type addrState struct {
	failures int
	until    time.Time
}

const maxAddrs = 100_000

func newAddrThrottle(free int, base, maxWait time.Duration) *addrThrottle {
	return &addrThrottle{addrs: map[string]*addrState{}, free: free, base: base, max: maxWait}
}

// wait returns how long addr must still wait before trying again.
func (t *addrThrottle) wait(addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.addrs[addr]; ok && now.Before(st.until) {
		return st.until.Sub(now)
	}
	return 0
}

// fail records a failure from addr.
func (t *addrThrottle) fail(addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.addrs[addr]
	if !ok {
		if len(t.addrs) >= maxAddrs {
			t.prune(now)
		}
		st = &addrState{}
		t.addrs[addr] = st
	}
	st.failures++
	st.until = now.Add(backoff(st.failures, t.free, t.base, t.max))
}

// succeed forgets addr's failures.
func (t *addrThrottle) succeed(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.addrs, addr)
}

// prune drops addresses not currently blocked; if all are, it drops all.
func (t *addrThrottle) prune(now time.Time) {
	for a, st := range t.addrs {
		if !now.Before(st.until) {
			delete(t.addrs, a)
		}
	}
	if len(t.addrs) >= maxAddrs {
		clear(t.addrs)
	}
}

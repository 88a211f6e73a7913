package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
	"github.com/vigilsec/vigil/internal/schema"
)

// Source is how the receiver names itself in IngestionErrors.
const Source = "syslog"

// Config configures a Receiver. Zero numeric fields take the defaults noted.
type Config struct {
	UDP              string        // UDP listen address; empty: no UDP
	TCP              string        // TCP listen address; empty: no TCP
	TLS              string        // TLS listen address (RFC 5425); empty: no TLS
	TLSConfig        *tls.Config   // the server side of TLS; required with TLS
	HandshakeTimeout time.Duration // longest a TLS handshake may take (default 10s)
	Tenant           string        // tenant the messages of UDP, TCP and TLS are stored for
	Listeners        []Listener    // more listeners, each with its own tenant (a port per customer)
	MaxMessageBytes  int           // larger messages go to IngestionErrors, cut (default 64KiB)
	MaxConnections   int           // open TCP connections; more are closed at once (default 1024)
	BatchSize        int           // messages per publication (default 1000)
	BatchWait        time.Duration // longest a message waits for its batch to fill (default 100ms)
	DrainTimeout     time.Duration // how long publication is retried at shutdown (default 10s)
	Metrics          prometheus.Registerer
	Receivers        *ingest.ReceiverMetrics // shared receiver metrics; nil: created and registered with Metrics
}

func (c *Config) setDefaults() {
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = 64 << 10
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = 1024
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 1000
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 100 * time.Millisecond
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = 10 * time.Second
	}
}

// ingester publishes rows; *ingest.Service is the one used outside tests.
type ingester interface {
	IngestRows(ctx context.Context, tenant, source string, t *schema.Table, rows [][]schema.Value, rejects []ingest.RowError) (*ingest.Result, error)
}

// Receiver is the syslog receiver component. Its listeners are open from New on.
type Receiver struct {
	cfg    Config
	ing    ingester
	parser *normalize.Parser
	log    *slog.Logger
	m      *metrics
	now    func() time.Time
	ls     []*listener // the one of UDP, TCP and TLS first, when they are set
	queue  chan item
	sem    chan struct{}

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// item is one received message on its way to a batch.
type item struct {
	tenant  string
	rec     normalize.Record
	derived []normalize.Record // rows the message also implies (sshd logons, sudo commands)
	raw     []byte             // the message, kept only when it is rejected
}

// Addr is where a receiver listens; an empty field is a transport not enabled.
type Addr struct {
	UDP    string
	TCP    string
	TLS    string
	Tenant string
}

// New parses messages for svc's tables and opens the configured listeners.
func New(cfg Config, svc *ingest.Service, log *slog.Logger) (*Receiver, error) {
	return newReceiver(cfg, svc, svc.Registry(), log)
}

func newReceiver(cfg Config, ing ingester, reg *schema.Registry, log *slog.Logger) (*Receiver, error) {
	cfg.setDefaults()
	all := cfg.Listeners
	if cfg.UDP != "" || cfg.TCP != "" || cfg.TLS != "" {
		all = append([]Listener{{UDP: cfg.UDP, TCP: cfg.TCP, TLS: cfg.TLS, Tenant: cfg.Tenant}}, all...)
	}
	if len(all) == 0 {
		return nil, errors.New("syslog receiver: no udp, tcp or tls address")
	}
	p, err := normalize.NewParser(reg)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Metrics, cfg.Receivers)
	if err != nil {
		return nil, err
	}
	r := &Receiver{
		cfg: cfg, ing: ing, parser: p, log: log, m: m, now: time.Now,
		queue: make(chan item, 4*cfg.BatchSize), sem: make(chan struct{}, cfg.MaxConnections),
		conns: map[net.Conn]struct{}{},
	}
	for _, lc := range all {
		l, err := openListener(lc, cfg.TLSConfig != nil)
		if l != nil {
			r.ls = append(r.ls, l)
		}
		if err != nil {
			r.closeListeners() // those opened so far
			return nil, err
		}
	}
	return r, nil
}

// Addr returns the bound addresses (with the ports chosen for ":0") of the first listener:
// the one of Config.UDP, TCP and TLS when they are set.
func (r *Receiver) Addr() Addr { return r.ls[0].addr() }

// Addrs returns the bound addresses of every listener, in the order of Addr then
// Config.Listeners.
func (r *Receiver) Addrs() []Addr {
	out := make([]Addr, len(r.ls))
	for i, l := range r.ls {
		out[i] = l.addr()
	}
	return out
}

// Run receives until ctx ends, then closes the listeners and connections, publishes what it
// holds (retrying for up to DrainTimeout) and returns.
func (r *Receiver) Run(ctx context.Context) error {
	pubCtx, cancelPub := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelPub()
	batcherDone := make(chan struct{})
	go func() {
		defer close(batcherDone)
		r.batch(pubCtx)
	}()
	var producers sync.WaitGroup
	for _, l := range r.ls {
		if l.udp != nil {
			producers.Go(func() { r.serveUDP(l.udp, origin{ingest.ProtoUDP, l.tenant}) })
		}
		if l.tcp != nil {
			producers.Go(func() { r.serveTCP(l.tcp, origin{ingest.ProtoTCP, l.tenant}, &producers) })
		}
		if l.tls != nil {
			producers.Go(func() { r.serveTCP(l.tls, origin{ingest.ProtoTLS, l.tenant}, &producers) })
		}
	}
	<-ctx.Done()
	stopDrain := time.AfterFunc(r.cfg.DrainTimeout, cancelPub)
	defer stopDrain.Stop()
	r.closeListeners()
	r.closeConns()
	producers.Wait()
	close(r.queue)
	<-batcherDone
	return nil
}

func (r *Receiver) closeListeners() {
	for _, l := range r.ls {
		l.close()
	}
}

// handle parses one message and queues it; UDP messages that find the queue full are dropped.
func (r *Receiver) handle(msg []byte, peer string, o origin) {
	rec, derived := r.parse(msg, peer)
	r.enqueue(item{rec: rec, derived: derived}, msg, o)
}

// parse runs the parser and the rows it derives; a panic (a parser bug) rejects the message
// instead of ending the process, and logs the stack.
func (r *Receiver) parse(msg []byte, peer string) (rec normalize.Record, derived []normalize.Record) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("syslog parser panic", "panic", p, "stack", string(debug.Stack()))
			rec = normalize.Record{Table: r.parser.SyslogTable(), Err: &normalize.ParseError{Format: "syslog", Reason: "internal error: parser panic"}}
			derived = nil
		}
	}()
	rec = r.parser.Parse(msg, peer, r.now())
	return rec, r.parser.Derive(rec)
}

// reject queues a message refused before parsing (too large, bad framing).
func (r *Receiver) reject(msg []byte, o origin, reason string) {
	it := item{rec: normalize.Record{Table: r.parser.SyslogTable(), Err: &normalize.ParseError{Format: "syslog", Reason: reason}}}
	r.enqueue(it, msg, o)
}

func (r *Receiver) enqueue(it item, msg []byte, o origin) {
	it.tenant = o.tenant
	rc := r.m.recv[o.transport]
	rc.Received(1, len(msg))
	if it.rec.Err != nil {
		rc.ParseError()
		rc.Rejected(1)
		it.raw = append([]byte(nil), msg...)
	}
	if o.transport == ingest.ProtoUDP {
		select {
		case r.queue <- it:
		default:
			r.m.dropped.WithLabelValues("queue_full").Inc()
			rc.Backpressure(ingest.BackpressureDrop)
		}
		return
	}
	select {
	case r.queue <- it:
	default:
		rc.Backpressure(ingest.BackpressureReadPause)
		r.queue <- it // TCP and TLS: wait, which stops reading from the connection
	}
}

// isBusFull says whether err is the bus pushing back.
func isBusFull(err error) bool { return errors.Is(err, bus.ErrFull) }

package syslog

import (
	"context"
	"errors"
	"fmt"
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
	UDP             string        // UDP listen address; empty: no UDP
	TCP             string        // TCP listen address; empty: no TCP
	Tenant          string        // tenant every message is stored for
	MaxMessageBytes int           // larger messages go to IngestionErrors, cut (default 64KiB)
	MaxConnections  int           // open TCP connections; more are closed at once (default 1024)
	BatchSize       int           // messages per publication (default 1000)
	BatchWait       time.Duration // longest a message waits for its batch to fill (default 100ms)
	DrainTimeout    time.Duration // how long publication is retried at shutdown (default 10s)
	Metrics         prometheus.Registerer
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
	udp    *net.UDPConn
	tcp    net.Listener
	queue  chan item
	sem    chan struct{}

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// item is one received message on its way to a batch.
type item struct {
	rec normalize.Record
	raw []byte // the message, kept only when it is rejected
}

// Addr is where a receiver listens; an empty field is a transport not enabled.
type Addr struct {
	UDP string
	TCP string
}

// New parses messages for svc's tables and opens the configured listeners.
func New(cfg Config, svc *ingest.Service, log *slog.Logger) (*Receiver, error) {
	return newReceiver(cfg, svc, svc.Registry(), log)
}

func newReceiver(cfg Config, ing ingester, reg *schema.Registry, log *slog.Logger) (r *Receiver, err error) {
	cfg.setDefaults()
	if cfg.UDP == "" && cfg.TCP == "" {
		return nil, errors.New("syslog receiver: no udp or tcp address")
	}
	p, err := normalize.NewParser(reg)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	r = &Receiver{
		cfg: cfg, ing: ing, parser: p, log: log, m: m, now: time.Now,
		queue: make(chan item, 4*cfg.BatchSize), sem: make(chan struct{}, cfg.MaxConnections),
		conns: map[net.Conn]struct{}{},
	}
	defer func() {
		if err != nil {
			r.closeListeners()
		}
	}()
	if cfg.UDP != "" {
		ua, err := net.ResolveUDPAddr("udp", cfg.UDP)
		if err != nil {
			return nil, fmt.Errorf("syslog udp %s: %w", cfg.UDP, err)
		}
		if r.udp, err = net.ListenUDP("udp", ua); err != nil {
			return nil, fmt.Errorf("syslog udp: %w", err)
		}
		_ = r.udp.SetReadBuffer(4 << 20)
	}
	if cfg.TCP != "" {
		if r.tcp, err = net.Listen("tcp", cfg.TCP); err != nil {
			return nil, fmt.Errorf("syslog tcp: %w", err)
		}
	}
	return r, nil
}

// Addr returns the bound addresses (with the ports chosen for ":0").
func (r *Receiver) Addr() Addr {
	var a Addr
	if r.udp != nil {
		a.UDP = r.udp.LocalAddr().String()
	}
	if r.tcp != nil {
		a.TCP = r.tcp.Addr().String()
	}
	return a
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
	if r.udp != nil {
		producers.Go(r.serveUDP)
	}
	if r.tcp != nil {
		producers.Go(func() { r.serveTCP(&producers) })
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
	if r.udp != nil {
		_ = r.udp.Close()
	}
	if r.tcp != nil {
		_ = r.tcp.Close()
	}
}

// handle parses one message and queues it; UDP messages that find the queue full are dropped.
func (r *Receiver) handle(msg []byte, peer, transport string) {
	r.m.bytes.WithLabelValues(transport).Add(float64(len(msg)))
	it := item{rec: r.parse(msg, peer)}
	r.enqueue(it, msg, transport)
}

// parse runs the parser; a panic (a parser bug) rejects the message instead of ending the
// process, and logs the stack.
func (r *Receiver) parse(msg []byte, peer string) (rec normalize.Record) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("syslog parser panic", "panic", p, "stack", string(debug.Stack()))
			rec = normalize.Record{Table: r.parser.SyslogTable(), Err: &normalize.ParseError{Format: "syslog", Reason: "internal error: parser panic"}}
		}
	}()
	return r.parser.Parse(msg, peer, r.now())
}

// reject queues a message refused before parsing (too large, bad framing).
func (r *Receiver) reject(msg []byte, transport, reason string) {
	r.m.bytes.WithLabelValues(transport).Add(float64(len(msg)))
	it := item{rec: normalize.Record{Table: r.parser.SyslogTable(), Err: &normalize.ParseError{Format: "syslog", Reason: reason}}}
	r.enqueue(it, msg, transport)
}

func (r *Receiver) enqueue(it item, msg []byte, transport string) {
	r.m.messages.WithLabelValues(transport, it.rec.Table.Name).Inc()
	if it.rec.Err != nil {
		r.m.parseErrors.WithLabelValues(transport).Inc()
		it.raw = append([]byte(nil), msg...)
	}
	if transport == "udp" {
		select {
		case r.queue <- it:
		default:
			r.m.dropped.WithLabelValues("queue_full").Inc()
		}
		return
	}
	r.queue <- it // TCP: wait, which stops reading from the connection
}

// isBusFull says whether err is the bus pushing back.
func isBusFull(err error) bool { return errors.Is(err, bus.ErrFull) }

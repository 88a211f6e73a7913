package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream is the name of the JetStream stream that carries ingested batches.
const Stream = "VIGIL_INGEST"

// IngestSubjectPrefix starts every ingest subject: vigil.ingest.<tenant>.<table>.
const IngestSubjectPrefix = "vigil.ingest."

// MaxMessageBytes is the largest message the embedded server accepts.
const MaxMessageBytes = 8 << 20

// ErrFull is returned by Publish when the stream holds as much unconsumed data as it may:
// consumers are behind. Receivers answer it with backpressure (HTTP 503 and Retry-After).
var ErrFull = errors.New("bus is full: consumers are behind")

// Config configures the bus.
type Config struct {
	URL      string        // an external NATS server; empty runs one embedded
	StoreDir string        // where the embedded server keeps its files
	MaxBytes int64         // most bytes the ingest stream may hold before publishes are refused
	MaxAge   time.Duration // oldest message kept even if a consumer has not taken it (0 = no limit)
	// SyncInterval is how often the embedded server fsyncs its files; 0 keeps NATS's default
	// (2 minutes). Acknowledged data survives a process crash either way, being in the OS's
	// files; SyncAlways fsyncs every write, which also survives power loss, at a cost.
	SyncInterval time.Duration
	SyncAlways   bool
	Replicas     int // stream replicas on an external cluster (1 when embedded)
	// Agents, when set, makes the embedded server listen for endpoint agents.
	Agents *AgentListener
}

// Bus is a connection to JetStream with the ingest stream in place.
type Bus struct {
	srv    *server.Server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	log    *slog.Logger

	opts      *server.Options // the embedded server's, as last applied
	agentAuth *agentAuth      // nil without an agent listener
	reloadMu  sync.Mutex      // serializes SetAgents
}

// Open starts the embedded server (when cfg.URL is empty), connects, and creates or updates
// the ingest stream.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Bus, error) {
	b := &Bus{log: log}
	var opts []nats.Option
	url := cfg.URL
	if url == "" {
		srv, so, auth, err := startEmbedded(cfg)
		if err != nil {
			return nil, err
		}
		b.srv, b.opts, b.agentAuth = srv, so, auth
		opts = append(opts, nats.InProcessServer(srv))
		if auth != nil {
			opts = append(opts, nats.UserInfo("vigil", auth.password))
		}
	} else if cfg.Agents != nil {
		return nil, errors.New("bus: the agent listener needs the embedded server; with an external NATS cluster agents are not supported yet")
	}
	opts = append(opts, nats.Name("vigil"), nats.MaxReconnects(-1))
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	b.nc = nc
	if b.js, err = jetstream.New(nc); err != nil {
		b.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := b.ensureStream(ctx, cfg); err != nil {
		b.Close()
		return nil, err
	}
	if b.agentAuth != nil {
		if err := b.ensureAgentStream(ctx); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

func startEmbedded(cfg Config) (*server.Server, *server.Options, *agentAuth, error) {
	if cfg.StoreDir == "" {
		return nil, nil, nil, errors.New("bus: an embedded server needs a store directory")
	}
	so := &server.Options{
		ServerName: "vigil-embedded",
		DontListen: true,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		MaxPayload: MaxMessageBytes,
		MaxPending: 256 << 20, // what the server holds for a slow in-process client

		SyncInterval: cfg.SyncInterval,
		SyncAlways:   cfg.SyncAlways,
		NoSigs:       true,
		NoLog:        true,
	}
	var auth *agentAuth
	if cfg.Agents != nil {
		var err error
		if auth, err = configureAgentListener(so, cfg.Agents); err != nil {
			return nil, nil, nil, err
		}
	}
	srv, err := server.NewServer(so)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("embedded nats: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, nil, nil, errors.New("embedded nats did not start within 30s")
	}
	return srv, so, auth, nil
}

func (b *Bus) ensureStream(ctx context.Context, cfg Config) error {
	maxBytes := cfg.MaxBytes
	if maxBytes <= 0 {
		maxBytes = -1
	}
	sc := jetstream.StreamConfig{
		Name:        Stream,
		Description: "Vigil ingest write-ahead log",
		Subjects:    []string{IngestSubjectPrefix + ">"},
		Storage:     jetstream.FileStorage,
		// Interest retention drops a message once every consumer has it; with DiscardNew a full
		// stream refuses new data instead of dropping acknowledged data nobody consumed yet.
		Retention:  jetstream.InterestPolicy,
		Discard:    jetstream.DiscardNew,
		MaxBytes:   maxBytes,
		MaxAge:     cfg.MaxAge,
		MaxMsgSize: MaxMessageBytes,
		Replicas:   max(cfg.Replicas, 1),
	}
	s, err := b.js.CreateOrUpdateStream(ctx, sc)
	if err != nil {
		return fmt.Errorf("create stream %s: %w", Stream, err)
	}
	b.stream = s
	return nil
}

// Publish stores msgs on subject and returns once JetStream has acknowledged all of them, with
// their stream sequences. On error some of them may be stored; callers that retry may store
// those twice.
func (b *Bus) Publish(ctx context.Context, subject string, msgs [][]byte) ([]uint64, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := b.js.PublishAsync(subject, m)
		if err != nil {
			return nil, fmt.Errorf("publish: %w", err)
		}
		futures = append(futures, f)
	}
	seqs := make([]uint64, 0, len(msgs))
	for _, f := range futures {
		select {
		case ack := <-f.Ok():
			seqs = append(seqs, ack.Sequence)
		case err := <-f.Err():
			return nil, classify(err)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return seqs, nil
}

func classify(err error) error {
	msg := err.Error()
	for _, full := range []string{"maximum bytes exceeded", "maximum messages exceeded", "resource limits exceeded", "insufficient resources"} {
		if strings.Contains(msg, full) {
			return fmt.Errorf("%w: %w", ErrFull, err)
		}
	}
	return fmt.Errorf("publish: %w", err)
}

// Close drains the connection and stops the embedded server.
func (b *Bus) Close() {
	if b.nc != nil {
		_ = b.nc.Drain()
		for b.nc.IsDraining() {
			time.Sleep(10 * time.Millisecond)
		}
		b.nc.Close()
	}
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
}

// LastSeq returns the sequence of the last message stored on the ingest stream.
func (b *Bus) LastSeq(ctx context.Context) (uint64, error) {
	info, err := b.stream.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.LastSeq, nil
}

// Healthy reports whether the connection is up.
func (b *Bus) Healthy() bool { return b.nc != nil && b.nc.IsConnected() }

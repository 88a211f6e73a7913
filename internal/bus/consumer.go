package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Msg is one delivered message.
type Msg struct {
	Seq     uint64 // stream sequence
	Subject string
	Data    []byte
	msg     jetstream.Msg
}

// Consumer is a durable pull consumer with cumulative acknowledgement: acknowledging a message
// acknowledges every earlier one.
type Consumer struct {
	c jetstream.Consumer
}

// ResumeConsumer returns a fresh durable pull consumer for name over subjects matching filter
// (a NATS subject with wildcards, under IngestSubjectPrefix) that delivers, in order, every
// message after afterSeq: the last sequence the caller has durably processed, read from its
// own store. Call it before the first publish: the stream keeps messages only for the
// consumers that exist.
//
// Each call makes a new generation of the consumer and then deletes the older ones. Resuming an
// old generation would not do: messages it had delivered but not had acknowledged when the
// process died come again only after the acknowledgement wait, after newer ones, and a caller
// that skips what it has processed by sequence would skip them. The new generation exists
// before the old ones go, so no message the caller still needs loses its last interested
// consumer.
func (b *Bus) ResumeConsumer(ctx context.Context, name, filter string, afterSeq uint64) (*Consumer, error) {
	gen := fmt.Sprintf("%s-%d", name, time.Now().UnixNano())
	cfg := jetstream.ConsumerConfig{
		Durable:       gen,
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       time.Minute,
		MaxAckPending: 100_000,
		FilterSubject: filter,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if afterSeq > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, afterSeq+1
	}
	c, err := b.stream.CreateConsumer(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", gen, err)
	}
	names := b.stream.ConsumerNames(ctx)
	var old []string
	for n := range names.Name() {
		if n != gen && (n == name || strings.HasPrefix(n, name+"-")) {
			old = append(old, n)
		}
	}
	if err := names.Err(); err != nil {
		return nil, fmt.Errorf("list consumers: %w", err)
	}
	for _, n := range old {
		if err := b.stream.DeleteConsumer(ctx, n); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, fmt.Errorf("delete old consumer %s: %w", n, err)
		}
	}
	return &Consumer{c: c}, nil
}

// Fetch returns up to max messages (and up to maxBytes), waiting at most wait for the first.
// It returns no messages and no error when none arrived in time.
func (c *Consumer) Fetch(ctx context.Context, max, maxBytes int, wait time.Duration) ([]Msg, error) {
	batch, err := c.c.Fetch(max, jetstream.FetchMaxWait(wait), jetstream.FetchMaxBytes(maxBytes))
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, fmt.Errorf("fetch: %w", err)
	}
	var out []Msg
	for m := range batch.Messages() {
		md, err := m.Metadata()
		if err != nil {
			return out, fmt.Errorf("message metadata: %w", err)
		}
		out = append(out, Msg{Seq: md.Sequence.Stream, Subject: m.Subject(), Data: m.Data(), msg: m})
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
		return out, fmt.Errorf("fetch: %w", err)
	}
	return out, ctx.Err()
}

// Ack acknowledges m and every message delivered before it, and waits for the server to
// confirm.
func (c *Consumer) Ack(ctx context.Context, m Msg) error {
	return m.msg.DoubleAck(ctx)
}

// Pending returns how many messages wait to be delivered or acknowledged: the consumer's lag.
func (c *Consumer) Pending(ctx context.Context) (uint64, error) {
	info, err := c.c.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.NumPending + uint64(info.NumAckPending), nil
}

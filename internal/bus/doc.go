// Package bus is Vigil's durable message bus and write-ahead log: NATS JetStream, either
// embedded in the process (nats-server as a library, file storage under the data directory) or
// an external NATS cluster; the same code talks to both.
//
// A publisher is told a batch is stored only after JetStream has acknowledged every message of
// it. Consumers are durable pull consumers: what was not acknowledged is delivered again after
// a crash.
package bus

// Package syslog is the syslog receiver: it listens on UDP and TCP, frames messages (RFC 6587
// octet counting or newline framing on TCP, one datagram per message on UDP), parses them
// with package normalize and publishes them in batches through ingest.Service: CEF and LEEF
// messages to CommonSecurityLog, the rest to Syslog, and messages it cannot parse to
// IngestionErrors with their raw bytes.
//
// Backpressure: parsed messages pass through a bounded queue to one batcher goroutine. When
// publishing fails (the bus is full or down) the batcher retries with backoff, the queue
// fills, and TCP connections stop reading, so senders are pushed back by TCP flow control;
// UDP cannot push back, so datagrams that find the queue full are dropped and counted.
package syslog

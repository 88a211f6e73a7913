// Package syslog is the syslog receiver: it listens on UDP, TCP and TLS (RFC 5425), frames
// messages (RFC 6587 octet counting or newline framing on TCP and TLS, as rsyslog's gtls
// sends them by default; one datagram per message on UDP), parses them with package normalize
// and publishes them in batches through ingest.Service: CEF and LEEF messages to
// CommonSecurityLog, the rest to Syslog, and messages it cannot parse to IngestionErrors with
// their raw bytes.
//
// Listeners: Config.UDP, TCP and TLS store for Config.Tenant; each of Config.Listeners stores
// for its own tenant, so that an MSSP can give every customer its own ports. TLS connections
// use Config.TLSConfig (the app serves a certificate reloaded from files); a failed handshake
// is counted (vigil_syslog_tls_handshake_errors_total) and logged, and the connection closed.
//
// Backpressure: parsed messages pass through a bounded queue to one batcher goroutine. When
// publishing fails (the bus is full or down) the batcher retries with backoff, the queue
// fills, and TCP and TLS connections stop reading, so senders are pushed back by TCP flow
// control; UDP cannot push back, so datagrams that find the queue full are dropped and counted.
//
// Metrics: the shared receiver metrics (vigil_ingest_receiver_*{receiver="syslog",protocol=
// udp|tcp|tls}: messages, bytes, parse errors, rejected rows, backpressure read pauses and UDP
// drops, open connections) and the receiver's own vigil_syslog_* counters.
package syslog

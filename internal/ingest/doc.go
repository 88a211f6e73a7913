// Package ingest takes rows in, durably: it decodes request bodies into typed rows of a schema
// table, sends rows that do not fit to the IngestionErrors dead-letter table with the reason,
// publishes accepted rows to the bus (which acknowledges only once they are stored), and runs
// the store writer that moves batches from the bus into the event store exactly once.
//
// Who calls what: receivers (internal/api today, internal/ingest/receiver later) call
// Service.Ingest from their request goroutines; Service is safe for concurrent use. Writer.Run
// is one long-running goroutine that owns its store transaction.
package ingest

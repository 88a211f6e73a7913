package store

import (
	"context"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Batch is the rows of one bus message, for one table and tenant.
type Batch struct {
	Seq        uint64 // the bus sequence; row i gets ingest id Seq<<schema.IngestIDRowBits | i
	Tenant     string
	Table      *schema.Table
	IngestTime time.Time
	Columns    []int            // for each position in a row, the index of its column in Table
	Rows       [][]schema.Value // each as wide as Columns
}

// Writer is the write side of an event store, used by the single store-writer goroutine.
type Writer interface {
	// Offset returns the last bus sequence written for consumer (0 if none).
	Offset(ctx context.Context, consumer string) (uint64, error)
	// Write stores batches and records lastSeq as consumer's offset atomically: after a crash
	// either all of it is stored or none of it.
	Write(ctx context.Context, consumer string, lastSeq uint64, batches []Batch) error
}

// Column is a result column with its Kusto type name.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Result is a query's answer.
type Result struct {
	Columns   []Column `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated,omitempty"`
}

// Store is an event store engine.
type Store interface {
	Writer
	// EnsureTables creates missing tables and adds missing columns; it never drops anything.
	EnsureTables(ctx context.Context, tables []*schema.Table) error
	// Query runs one read-only SQL statement in the engine's dialect and returns at most
	// maxRows rows (Truncated tells if there were more).
	Query(ctx context.Context, sql string, maxRows int) (*Result, error)
	// RowCounts returns the number of rows in each table that has any.
	RowCounts(ctx context.Context) (map[string]int64, error)
	// DiskBytes returns the bytes the store takes on disk.
	DiskBytes() (int64, error)
	Close() error
}

// ErrNotReadOnly is a query that is not a single read-only statement.
var ErrNotReadOnly = errors.New("only a single read-only SELECT statement is allowed")

// QueryError is an error the engine reported for a query (a syntax or binding error): the
// user's to fix, not the server's.
type QueryError struct {
	Msg string
}

func (e *QueryError) Error() string { return e.Msg }

package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
)

// ErrLocked is a database file that another process holds open for writing, such as a
// running server: DuckDB lets one writing process or several reading ones open a file.
var ErrLocked = errors.New("event store locked by another process")

// ErrReadOnly is a write to a store opened with OpenReadOnly.
var ErrReadOnly = errors.New("event store opened read-only")

// OpenReadOnly opens the existing database file at path in DuckDB's read_only access mode:
// nothing is created or written, not even the offsets table or a checkpoint, and every
// statement that would write fails. A missing file is an error wrapping os.ErrNotExist
// (DuckDB would otherwise report it in its own words); a file a writer holds is an error
// wrapping ErrLocked. The store answers Query, RowCounts and DiskBytes; Write and
// EnsureTables fail.
func OpenReadOnly(ctx context.Context, path string, opts Options) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open duckdb %s: %w", path, err)
	}
	params := []string{"access_mode=read_only"}
	if opts.Threads > 0 {
		params = append(params, fmt.Sprintf("threads=%d", opts.Threads))
	}
	if opts.MemoryLimit != "" {
		params = append(params, "memory_limit="+opts.MemoryLimit)
	}
	c, err := duck.NewConnector(path+"?"+strings.Join(params, "&"), nil)
	if err != nil {
		// DuckDB reports the conflict only in its message ("Could not set lock on file ...:
		// Conflicting lock is held in ... (PID n)"), which is kept for the user.
		if strings.Contains(err.Error(), "Conflicting lock") || strings.Contains(err.Error(), "Could not set lock") {
			return nil, fmt.Errorf("%w: %w", ErrLocked, err)
		}
		return nil, fmt.Errorf("open duckdb %s read-only: %w", path, err)
	}
	s := &Store{path: path, connector: c, db: sql.OpenDB(c), layout: map[string][]string{}}
	if err := s.db.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open duckdb %s read-only: %w", path, err)
	}
	return s, nil
}

// OpenMemory opens an in-memory database holding tables, all empty, so that queries naming
// them read no rows instead of failing: what a data directory without an event store holds.
// Nothing touches the disk.
func OpenMemory(ctx context.Context, tables []*schema.Table, opts Options) (*Store, error) {
	s, err := Open(ctx, "", opts)
	if err != nil {
		return nil, err
	}
	if err := s.EnsureTables(ctx, tables); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	duck "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

const offsetsTable = "_vigil_offsets"

// DefaultCheckpointThreshold is the write-ahead log size that triggers a checkpoint unless
// Options says otherwise. Transactions of less than a row group (122,880 rows) go through the
// WAL, and each checkpoint compresses again the row group they keep filling: with DuckDB's own
// 16MB a row group of ~1 KB rows was rewritten about ten times (BenchmarkWriteSettings). The
// price is a larger WAL to replay after a crash and more uncompressed rows held in memory.
const DefaultCheckpointThreshold = "256MB"

// Options tunes the engine; zero values keep DuckDB's defaults, except CheckpointThreshold.
type Options struct {
	Threads             int    // worker threads
	MemoryLimit         string // e.g. "4GB"
	CheckpointThreshold string // WAL size that triggers a checkpoint, e.g. "256MB"; empty means DefaultCheckpointThreshold
}

// Store is the DuckDB event store. Write is called from one goroutine (the store writer);
// everything else is safe for concurrent use.
type Store struct {
	path      string
	connector *duck.Connector
	db        *sql.DB
	wconn     driver.Conn // the writer's own connection

	mu     sync.RWMutex
	layout map[string][]string // table -> physical column names, in order
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	var params []string
	if opts.Threads > 0 {
		params = append(params, fmt.Sprintf("threads=%d", opts.Threads))
	}
	if opts.MemoryLimit != "" {
		params = append(params, "memory_limit="+opts.MemoryLimit)
	}
	if opts.CheckpointThreshold == "" {
		opts.CheckpointThreshold = DefaultCheckpointThreshold
	}
	params = append(params, "checkpoint_threshold="+opts.CheckpointThreshold)
	dsn := path
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	c, err := duck.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open duckdb %s: %w", path, err)
	}
	s := &Store{path: path, connector: c, db: sql.OpenDB(c), layout: map[string][]string{}}
	if s.wconn, err = c.Connect(ctx); err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("open duckdb writer connection: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+offsetsTable+` (consumer VARCHAR PRIMARY KEY, seq UBIGINT NOT NULL)`); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("create offsets table: %w", err)
	}
	return s, nil
}

// Close closes the database, checkpointing it.
func (s *Store) Close() error {
	var errs []error
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	errs = append(errs, s.db.Close())
	return errors.Join(errs...)
}

// EnsureTables creates missing tables and adds missing columns.
func (s *Store) EnsureTables(ctx context.Context, tables []*schema.Table) error {
	have, err := s.physical(ctx)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, t := range tables {
		cols, ok := have[t.Name]
		if !ok {
			if _, err := tx.ExecContext(ctx, createTable(t)); err != nil {
				return fmt.Errorf("create table %s: %w", t.Name, err)
			}
			continue
		}
		for _, c := range t.Columns {
			if !containsFold(cols, c.Name) {
				q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", quote(t.Name), quote(c.Name), sqlType(c.Type))
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("add column %s.%s: %w", t.Name, c.Name, err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	have, err = s.physical(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.layout = have
	s.mu.Unlock()
	return nil
}

func createTable(t *schema.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (", quote(t.Name))
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", quote(c.Name), sqlType(c.Type))
	}
	b.WriteString(")")
	return b.String()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// physical reads every table's columns in their stored order.
func (s *Store) physical(ctx context.Context) (map[string][]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND database_name = current_database() ORDER BY table_name, column_index`)
	if err != nil {
		return nil, fmt.Errorf("read table layout: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}

// DiskBytes returns the size of the database file and its write-ahead log.
func (s *Store) DiskBytes() (int64, error) {
	var n int64
	for _, p := range []string{s.path, s.path + ".wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		n += fi.Size()
	}
	return n, nil
}

// RowCounts returns the row count of every table that has rows.
func (s *Store) RowCounts(ctx context.Context) (map[string]int64, error) {
	names, err := s.nonEmptyTables(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(names))
	for _, n := range names {
		var c int64
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+quote(n)).Scan(&c); err != nil {
			return nil, err
		}
		out[n] = c
	}
	return out, nil
}

func (s *Store) nonEmptyTables(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() AND estimated_size > 0 AND table_name <> '`+offsetsTable+`'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Checkpoint writes the write-ahead log into the database file, waiting for a write in progress.
func (s *Store) Checkpoint(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "FORCE CHECKPOINT")
	return err
}

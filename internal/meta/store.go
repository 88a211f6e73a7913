package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
)

// ErrNotFound is returned when the requested object does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write clashes with an existing object.
var ErrConflict = errors.New("conflict")

// Config selects the database engine of the state store and where it lives.
type Config struct {
	// Driver is "sqlite" (embedded, the default engine) or "postgres".
	Driver string
	// DSN is a file path for sqlite (the file and its parent directories are
	// created) and a pgx connection string, URL or key=value, for postgres.
	DSN string
}

// Store is the state store. It is safe for concurrent use.
type Store struct {
	querier
	db *sql.DB
	// now is the clock stamped on created and updated objects.
	now func() time.Time
}

// SQLite connection settings: WAL lets readers run beside the writer, BEGIN
// IMMEDIATE takes the write lock up front (a deferred transaction that later
// writes fails with SQLITE_BUSY without waiting) and busy_timeout makes a
// writer wait for the lock instead of failing. synchronous=FULL keeps
// acknowledged writes across power loss.
const (
	sqliteParams   = "?_busy_timeout=10000&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"
	sqliteMaxConns = 4

	postgresMaxConns     = 16
	postgresMaxIdleConns = 4
)

// Open validates cfg, connects to the state store it describes and brings
// the schema up to date, applying the migrations the database lacks.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	return open(ctx, cfg, embeddedMigrations())
}

// Validate reports whether c names a known driver and a usable DSN.
func (c Config) Validate() error {
	if _, ok := dialects[c.Driver]; !ok {
		return fmt.Errorf("unknown driver %q (want \"sqlite\" or \"postgres\")", c.Driver)
	}
	switch {
	case c.DSN == "":
		return errors.New("dsn is empty")
	case c.Driver == sqliteDialect.name &&
		(c.DSN == ":memory:" || strings.HasPrefix(c.DSN, "file:") || strings.Contains(c.DSN, "?")):
		return fmt.Errorf("sqlite dsn %q is not a plain file path", c.DSN)
	}
	return nil
}

// open is Open with the migrations taken from fsys.
func open(ctx context.Context, cfg Config, fsys fs.FS) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("open state store: %w", err)
	}
	d := dialects[cfg.Driver]
	migrations, err := loadMigrations(fsys)
	if err != nil {
		return nil, fmt.Errorf("open state store: %w", err)
	}
	db, err := d.open(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("open %s state store: %w", d.name, err)
	}
	s := &Store{querier: querier{x: db, d: d}, db: db, now: time.Now}
	err = retryBusy(ctx, func() error {
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("open %s state store: %w", d.name, err)
		}
		if err := migrate(ctx, db, d, migrations, s.now); err != nil {
			return fmt.Errorf("migrate %s state store: %w", d.name, err)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// openBusyWindow bounds how long Open retries a SQLite file another process or
// store is creating at the same moment.
const openBusyWindow = 30 * time.Second

// retryBusy runs fn until it does not fail with SQLITE_BUSY. SQLite answers
// busy without calling the busy handler in a few places busy_timeout cannot
// cover: a connection switching a brand-new file to WAL while another does the
// same, or reading a WAL index another connection is recovering. Migrations
// are idempotent and each runs in its own transaction, so running them again
// is safe.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(openBusyWindow)
	wait := 10 * time.Millisecond
	for {
		err := fn()
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY, extended codes included.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 5
}

// openSQLite opens the database file at path, creating it and its
// directories if need be.
func openSQLite(path string) (*sql.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create directory: %w", err)
	}
	// Create the file readable by its owner only; SQLite gives the -wal and
	// -shm files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	c, err := sqlite.NewConnector(path + sqliteParams)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(sqliteMaxConns)
	db.SetMaxIdleConns(sqliteMaxConns)
	return db, nil
}

func openPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// Close closes the database connections.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state store: %w", err)
	}
	return nil
}

// clock returns the current time as the store keeps it.
func (s *Store) clock() time.Time { return dbTime(s.now()) }

// inTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise. On SQLite the transaction holds the write lock throughout.
func (s *Store) inTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(querier{x: tx, d: s.d}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqlRunner is what *sql.DB and *sql.Tx have in common.
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// querier runs queries written with ? placeholders on the database or in a
// transaction, rebinding them for the engine.
type querier struct {
	x sqlRunner
	d *dialect
}

func (q querier) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.x.ExecContext(ctx, q.d.rebind(query), args...)
}

func (q querier) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.x.QueryContext(ctx, q.d.rebind(query), args...)
}

func (q querier) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return q.x.QueryRowContext(ctx, q.d.rebind(query), args...)
}

// timeArg converts t to the value bound for a {{timestamp}} column.
func (q querier) timeArg(t time.Time) any { return q.d.timeArg(t) }

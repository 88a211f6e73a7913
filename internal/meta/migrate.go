package meta

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// migrationFiles holds the schema migrations, NNNN_short_name.sql.
//
//go:embed migrations
var migrationFiles embed.FS

func embeddedMigrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded above; this cannot happen
	}
	return sub
}

// migration is one numbered schema change.
type migration struct {
	version  int
	name     string
	text     string // as written, with {{macros}}
	checksum string // sha256 of text, hex
}

func (m migration) String() string { return fmt.Sprintf("%04d_%s", m.version, m.name) }

var migrationFileName = regexp.MustCompile(`^([0-9]{4,})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads the migrations in fsys and checks that they are
// numbered 1, 2, 3, ... without gaps or duplicates.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m := migrationFileName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("migration file %q is not named NNNN_short_name.sql", e.Name())
		}
		version, err := strconv.Atoi(m[1])
		if err != nil {
			return nil, fmt.Errorf("migration file %q: %w", e.Name(), err)
		}
		text, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration: %w", err)
		}
		sum := sha256.Sum256(text)
		ms = append(ms, migration{version: version, name: m[2], text: string(text), checksum: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d (versions must run 1, 2, 3, ... without gaps or duplicates)", m, i+1)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	applied_at {{timestamp}} NOT NULL
)`

// appliedMigration is a row of schema_migrations.
type appliedMigration struct {
	version   int
	name      string
	checksum  string
	appliedAt time.Time
}

// migrate applies the migrations the database lacks, each in a transaction
// of its own that first takes the dialect's migration lock and checks again
// that no other process has applied it meanwhile.
func migrate(ctx context.Context, db *sql.DB, d *dialect, ms []migration, now func() time.Time) error {
	bodies := make([]string, len(ms))
	for i, m := range ms {
		body, err := d.expand(m.text)
		if err != nil {
			return fmt.Errorf("migration %s: %w", m, err)
		}
		bodies[i] = body
	}
	create, err := d.expand(createMigrationsTable)
	if err != nil {
		return err
	}
	if err := migrationTx(ctx, db, d, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, create)
		return err
	}); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied, err := appliedMigrations(ctx, querier{x: db, d: d})
	if err != nil {
		return err
	}
	if err := checkApplied(applied, ms); err != nil {
		return err
	}
	for i, m := range ms {
		if _, ok := applied[m.version]; ok {
			continue
		}
		if err := applyMigration(ctx, db, d, m, bodies[i], now); err != nil {
			return fmt.Errorf("migration %s: %w", m, err)
		}
	}
	return nil
}

// migrationTx runs fn in a transaction holding the migration lock.
func migrationTx(ctx context.Context, db *sql.DB, d *dialect, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if d.migrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.migrationLock); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("take migration lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, d *dialect, m migration, body string, now func() time.Time) error {
	return migrationTx(ctx, db, d, func(tx *sql.Tx) error {
		q := querier{x: tx, d: d}
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
			return fmt.Errorf("check schema_migrations: %w", err)
		}
		if n > 0 {
			return nil // another process applied it while we waited for the lock
		}
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return err
		}
		_, err := q.exec(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)`,
			m.version, m.name, m.checksum, q.timeArg(dbTime(now())))
		if err != nil {
			return fmt.Errorf("record in schema_migrations: %w", err)
		}
		return nil
	})
}

func appliedMigrations(ctx context.Context, q querier) (map[int]appliedMigration, error) {
	rows, err := q.query(ctx, `SELECT version, name, checksum, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]appliedMigration{}
	for rows.Next() {
		var a appliedMigration
		if err := rows.Scan(&a.version, &a.name, &a.checksum, timeDest(&a.appliedAt)); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[a.version] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return applied, nil
}

// checkApplied refuses a database migrated by a newer binary or one whose
// applied migrations were since edited.
func checkApplied(applied map[int]appliedMigration, ms []migration) error {
	versions := make([]int, 0, len(applied))
	for v := range applied {
		versions = append(versions, v)
	}
	slices.Sort(versions)
	for _, v := range versions {
		a := applied[v]
		if v < 1 || v > len(ms) {
			return fmt.Errorf("database schema has migration %04d_%s, unknown to this binary (latest %d): upgrade vigil", v, a.name, len(ms))
		}
		m := ms[v-1]
		if a.name != m.name || a.checksum != m.checksum {
			return fmt.Errorf("migration %s differs from %04d_%s applied at %s: never edit an applied migration, add a new one",
				m, v, a.name, a.appliedAt.Format(time.RFC3339))
		}
	}
	return nil
}

package meta

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"time"

	"modernc.org/sqlite"
)

// OpenReadOnly opens the existing SQLite state store file at path for reading only, as a
// tool reading a data directory beside no server does (vigil query --data): it creates
// nothing, runs no migration and refuses writes. A database migrated by a newer binary is
// refused as Open refuses it; one that lacks newer migrations is read as it is. A missing
// file is an error wrapping os.ErrNotExist.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open state store: %w", err)
	}
	migrations, err := loadMigrations(embeddedMigrations())
	if err != nil {
		return nil, fmt.Errorf("open state store: %w", err)
	}
	// mode=ro alone still creates the -wal and -shm files of a WAL database. Without a -wal
	// file (a server that closed cleanly folds it into the database and deletes it) the file
	// holds everything and immutable=1 reads it without locks or side files; a -wal file left
	// by a crash holds committed data, and reading it needs the shared-memory index.
	q := "mode=ro&_busy_timeout=10000"
	if _, err := os.Stat(path + "-wal"); err != nil {
		q += "&immutable=1"
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q}
	c, err := sqlite.NewConnector(u.String())
	if err != nil {
		return nil, fmt.Errorf("open state store %s read-only: %w", path, err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(sqliteMaxConns)
	s := &Store{querier: querier{x: db, d: sqliteDialect}, db: db, now: time.Now}
	err = retryBusy(ctx, func() error {
		applied, err := appliedMigrations(ctx, s.querier)
		if err != nil {
			return err
		}
		return checkApplied(applied, migrations)
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open state store %s read-only: %w", path, err)
	}
	return s, nil
}

package meta

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// defaultTestPostgresDSN is used when VIGIL_TEST_POSTGRES_DSN is unset.
const defaultTestPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// engine makes empty databases of one kind for tests.
type engine struct {
	name string
	// fresh returns the config of an empty database that is dropped when
	// the test ends, or skips or fails the test when the engine is missing.
	fresh func(t *testing.T) Config
}

var engines = []engine{
	{name: "sqlite", fresh: sqliteConfig},
	{name: "postgres", fresh: postgresConfig},
}

// forEachEngine runs fn as a parallel subtest on an empty database of every
// engine, so that every behaviour is checked on both.
func forEachEngine(t *testing.T, fn func(t *testing.T, cfg Config)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.fresh(t))
		})
	}
}

func sqliteConfig(t *testing.T) Config {
	return Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "state", "vigil.db")}
}

func testPostgresDSN() string {
	if dsn := os.Getenv("VIGIL_TEST_POSTGRES_DSN"); dsn != "" {
		return dsn
	}
	return defaultTestPostgresDSN
}

// postgresProbe connects once per test binary to tell whether PostgreSQL is
// there at all.
var postgresProbe = sync.OnceValue(func() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testPostgresDSN())
	if err != nil {
		return err
	}
	return conn.Close(ctx)
})

// postgresConfig creates a schema with a random name, returns a config whose
// search_path selects it, and drops it when the test ends.
func postgresConfig(t *testing.T) Config {
	t.Helper()
	if err := postgresProbe(); err != nil {
		msg := "PostgreSQL is unreachable at VIGIL_TEST_POSTGRES_DSN (default " + defaultTestPostgresDSN + "): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so PostgreSQL tests must run")
		}
		t.Skip(msg)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "vigil_test_" + hex.EncodeToString(b[:])
	pgExec(t, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { pgExec(t, "DROP SCHEMA "+schema+" CASCADE") })
	return Config{Driver: "postgres", DSN: withSearchPath(t, testPostgresDSN(), schema)}
}

func pgExec(t *testing.T, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testPostgresDSN())
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// withSearchPath adds search_path to a URL or key=value DSN.
func withSearchPath(t *testing.T, dsn, schema string) string {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse VIGIL_TEST_POSTGRES_DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openStore opens cfg with the embedded migrations and closes it when the
// test ends.
func openStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// count returns the single integer query returns.
func count(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.queryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// ticker returns a clock that starts at start and advances by step on every
// call.
func ticker(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	next := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := next
		next = next.Add(step)
		return t
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown driver", Config{Driver: "mysql", DSN: "x"}, `unknown driver "mysql"`},
		{"empty driver", Config{DSN: "x"}, `unknown driver ""`},
		{"sqlite empty dsn", Config{Driver: "sqlite"}, "open state store: dsn is empty"},
		{"sqlite memory", Config{Driver: "sqlite", DSN: ":memory:"}, "not a plain file path"},
		{"sqlite uri", Config{Driver: "sqlite", DSN: "file:" + filepath.Join(dir, "a.db")}, "not a plain file path"},
		{"sqlite query", Config{Driver: "sqlite", DSN: filepath.Join(dir, "a.db") + "?mode=ro"}, "not a plain file path"},
		{"postgres bad dsn", Config{Driver: "postgres", DSN: "postgres://%zz"}, "open postgres state store"},
		{"postgres empty dsn", Config{Driver: "postgres"}, "open state store: dsn is empty"},
		{"sqlite unwritable", Config{Driver: "sqlite", DSN: filepath.Join(dir, "f", "x.db")}, "create directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.cfg)
			if err == nil {
				_ = s.Close()
				t.Fatalf("Open succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSQLiteConnectionSettings(t *testing.T) {
	cfg := sqliteConfig(t)
	s := openStore(t, cfg)
	ctx := context.Background()
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"synchronous", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			var got string
			if err := s.db.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
	fi, err := os.Stat(cfg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("database file mode = %v, want 0600", perm)
	}
}

func TestConcurrentWriters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		s := openStore(t, cfg)
		ctx := context.Background()
		const writers, writes = 12, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*writes)
		for w := range writers {
			wg.Go(func() {
				for i := range writes {
					key := fmt.Sprintf("w%d_%d", w, i)
					if err := s.PutSetting(ctx, key, "v"); err != nil {
						errs <- err
					}
					if err := s.PutSetting(ctx, "shared", key); err != nil {
						errs <- err
					}
					if _, err := s.PutCustomTable(ctx, CustomTable{Name: "T" + key + "_CL"}); err != nil {
						errs <- err
					}
					if err := s.EnsureTenant(ctx, fmt.Sprintf("tenant%d", i), "t"); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM settings`); n != writers*writes+1 {
			t.Errorf("settings = %d, want %d", n, writers*writes+1)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM custom_tables`); n != writers*writes {
			t.Errorf("custom tables = %d, want %d", n, writers*writes)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM tenants`); n != writes+1 {
			t.Errorf("tenants = %d, want %d", n, writes+1)
		}
	})
}

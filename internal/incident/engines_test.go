package incident

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// defaultPostgresDSN is the test PostgreSQL of CONTRIBUTING.md; VIGIL_TEST_POSTGRES_DSN
// (a URL) overrides it.
const defaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// engines lists the state-store engines the correlation tests run on.
var engines = []struct {
	name string
	open func(t *testing.T) *meta.Store
}{
	{"sqlite", openState},
	{"postgres", openPostgres},
}

// forEachEngine runs fn as a subtest on a fresh store of each engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, s *meta.Store)) {
	t.Helper()
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { fn(t, e.open(t)) })
	}
}

// openPostgres opens a store in a fresh schema of the test database (through the pgx
// driver meta registers), dropped when the test ends; it skips when PostgreSQL is not
// there, unless CI is set.
func openPostgres(t *testing.T) *meta.Store {
	t.Helper()
	dsn := defaultPostgresDSN
	if v := os.Getenv("VIGIL_TEST_POSTGRES_DSN"); v != "" {
		dsn = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s: %v", dsn, err)
		}
		t.Skipf("PostgreSQL unreachable at %s: %v", dsn, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "vigil_incident_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = db.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := meta.Open(ctx, meta.Config{Driver: "postgres", DSN: u.String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

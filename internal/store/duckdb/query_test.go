package duckdb

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// TestQueryOnlyOneSelect checks the guarantee of Query: only a text of exactly one SELECT runs,
// nothing of any other text runs (not even the first statements of a multi-statement text), and
// the user's mistakes come back as QueryError with DuckDB's reason.
func TestQueryOnlyOneSelect(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "q.duckdb"), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.db.ExecContext(ctx, `CREATE TABLE Q_t(a INTEGER); INSERT INTO Q_t VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, q  string
		rows     int
		notRO    bool   // want store.ErrNotReadOnly
		queryErr string // want a store.QueryError containing this
	}{
		{name: "select", q: `SELECT a FROM Q_t ORDER BY a`, rows: 3},
		{name: "with", q: `WITH x AS (SELECT a FROM Q_t) SELECT count(*) FROM x`, rows: 1},
		{name: "trailing semicolon", q: `SELECT 1;`, rows: 1},
		{name: "two selects", q: `SELECT 1; SELECT 2`, queryErr: "want one statement, got 2"},
		{name: "write then select", q: `DELETE FROM Q_t; SELECT 1`, notRO: true},
		{name: "create then select", q: `CREATE TABLE Q_new(a INTEGER); SELECT 1`, notRO: true},
		{name: "insert", q: `INSERT INTO Q_t VALUES (4)`, notRO: true},
		{name: "delete", q: `DELETE FROM Q_t`, notRO: true},
		{name: "drop", q: `DROP TABLE Q_t`, notRO: true},
		{name: "update", q: `UPDATE Q_t SET a = 0`, notRO: true},
		{name: "set", q: `SET threads = 2`, notRO: true},
		{name: "checkpoint", q: `CHECKPOINT`, notRO: true},
		{name: "explain", q: `EXPLAIN SELECT 1`, notRO: true},
		{name: "syntax", q: `SELEC 1`, queryErr: "Parser Error"},
		{name: "syntax after a write", q: `DELETE FROM Q_t; SELEC 1`, queryErr: "Parser Error"},
		{name: "unknown table", q: `SELECT * FROM Q_missing`, queryErr: "Q_missing"},
		{name: "unknown column", q: `SELECT nope FROM Q_t`, queryErr: "nope"},
		{name: "empty", q: ``, queryErr: "empty query"},
		{name: "only a comment", q: `-- nothing`, queryErr: "empty query"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := st.Query(ctx, c.q, 10)
			var qe *store.QueryError
			switch {
			case c.notRO:
				if !errors.Is(err, store.ErrNotReadOnly) {
					t.Fatalf("err = %v, want ErrNotReadOnly", err)
				}
			case c.queryErr != "":
				if !errors.As(err, &qe) || !strings.Contains(qe.Msg, c.queryErr) {
					t.Fatalf("err = %v, want a QueryError containing %q", err, c.queryErr)
				}
			case err != nil:
				t.Fatal(err)
			case len(res.Rows) != c.rows:
				t.Fatalf("rows = %v, want %d", res.Rows, c.rows)
			}
			// Nothing was written, dropped or created.
			var n int
			if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM Q_t WHERE a BETWEEN 1 AND 3`).Scan(&n); err != nil || n != 3 {
				t.Fatalf("Q_t holds %d rows of 1..3 (err %v), want 3", n, err)
			}
			if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'Q_new'`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("Q_new exists (%d, err %v)", n, err)
			}
		})
	}
}

// TestQueryResult checks the columns, values, truncation and cancellation of Query, and that a
// connection goes back to the pool usable after each (no transaction left open).
func TestQueryResult(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "q.duckdb"), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.db.SetMaxOpenConns(1) // every query reuses the one connection
	q := `SELECT range AS n, 'x' || range AS s, TIMESTAMP '2024-01-02 03:04:05' AS t FROM range(5)`
	for _, c := range []struct {
		max       int
		rows      int
		truncated bool
	}{{10, 5, false}, {5, 5, false}, {3, 3, true}, {0, 0, true}} {
		res, err := st.Query(ctx, q, c.max)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != c.rows || res.Truncated != c.truncated {
			t.Fatalf("max %d: %d rows truncated=%v, want %d truncated=%v", c.max, len(res.Rows), res.Truncated, c.rows, c.truncated)
		}
		want := []store.Column{{Name: "n", Type: "long"}, {Name: "s", Type: "string"}, {Name: "t", Type: "datetime"}}
		for i, col := range res.Columns {
			if col != want[i] {
				t.Errorf("column %d = %+v, want %+v", i, col, want[i])
			}
		}
		if c.rows > 1 {
			if got := res.Rows[1]; got[0] != int64(1) || got[1] != "x1" || got[2] != "2024-01-02T03:04:05Z" {
				t.Errorf("row 1 = %#v", got)
			}
		}
	}
	// A query cancelled while running comes back as the context's error, and the connection
	// is usable afterwards.
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = st.Query(cctx, `SELECT count(*) FROM range(10000000000) a`, 1)
	if err == nil {
		t.Fatal("a cancelled query succeeded")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Logf("cancelled query: %v", err)
	}
	if _, err := st.Query(ctx, `SELECT 1`, 1); err != nil {
		t.Fatalf("after a cancelled query: %v", err)
	}
	if _, err := st.Query(ctx, `SELEC 1`, 1); err == nil {
		t.Fatal("syntax error succeeded")
	}
	if res, err := st.Query(ctx, `SELECT 2`, 1); err != nil || res.Rows[0][0] != int32(2) {
		t.Fatalf("after a failed query: %v %v", res, err)
	}
}

package meta

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// migrationFS builds a migrations directory from file names and contents.
func migrationFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// openWith opens cfg with the migrations in fsys, closing the store when the
// test ends.
func openWith(t *testing.T, cfg Config, fsys fstest.MapFS) (*Store, error) {
	t.Helper()
	s, err := open(context.Background(), cfg, fsys)
	if err == nil {
		t.Cleanup(func() { _ = s.Close() })
	}
	return s, err
}

func TestEmbeddedMigrationsLoadAndExpand(t *testing.T) {
	ms, err := loadMigrations(embeddedMigrations())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no embedded migrations")
	}
	for _, d := range dialects {
		for _, m := range ms {
			if _, err := d.expand(m.text); err != nil {
				t.Errorf("%s: migration %s: %v", d.name, m, err)
			}
		}
	}
}

func TestLoadMigrationsRejects(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"gap", map[string]string{"0001_a.sql": "", "0003_c.sql": ""}, "migration 0003_c: want version 2"},
		{"duplicate", map[string]string{"0001_a.sql": "", "0001_b.sql": "", "0002_c.sql": ""}, "want version 2"},
		{"starts at zero", map[string]string{"0000_a.sql": ""}, "want version 1"},
		{"dash", map[string]string{"0001-a.sql": ""}, `"0001-a.sql" is not named NNNN_short_name.sql`},
		{"upper case", map[string]string{"0001_Init.sql": ""}, "is not named"},
		{"short number", map[string]string{"1_init.sql": ""}, "is not named"},
		{"not sql", map[string]string{"0001_init.sql": "", "README.md": ""}, `"README.md" is not named`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadMigrations(migrationFS(tt.files))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("loadMigrations error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		ms, err := loadMigrations(embeddedMigrations())
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var first []appliedMigration
		for i := range 3 {
			s, err := Open(ctx, cfg)
			if err != nil {
				t.Fatalf("Open #%d: %v", i+1, err)
			}
			applied, err := appliedMigrations(ctx, s.querier)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != len(ms) {
				t.Errorf("Open #%d: %d migrations recorded, want %d", i+1, len(applied), len(ms))
			}
			got := make([]appliedMigration, len(ms))
			for v, a := range applied {
				got[v-1] = a
			}
			if first == nil {
				first = got
			}
			for j := range got {
				if got[j] != first[j] {
					t.Errorf("Open #%d: migration record %+v changed from %+v", i+1, got[j], first[j])
				}
			}
			if n := count(t, s, `SELECT COUNT(*) FROM tenants WHERE id = ?`, DefaultTenantID); n != 1 {
				t.Errorf("Open #%d: %d default tenants, want 1", i+1, n)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestConcurrentMigration(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		ms, err := loadMigrations(embeddedMigrations())
		if err != nil {
			t.Fatal(err)
		}
		const openers = 4
		stores := make([]*Store, openers)
		errs := make([]error, openers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range openers {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = Open(context.Background(), cfg)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Open #%d: %v", i, err)
			}
			t.Cleanup(func() { _ = stores[i].Close() })
		}
		s := stores[0]
		if n := count(t, s, `SELECT COUNT(*) FROM schema_migrations`); n != len(ms) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
		}
		if n := count(t, s, `SELECT COUNT(*) FROM tenants`); n != 1 {
			t.Errorf("tenants has %d rows, want 1 (the seed ran more than once)", n)
		}
	})
}

func TestMigrationIsAtomic(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		good := map[string]string{"0001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);"}
		bad := map[string]string{
			"0001_a.sql": good["0001_a.sql"],
			"0002_b.sql": "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO a (id) VALUES (1);\nSELEC broken;",
		}
		if _, err := openWith(t, cfg, migrationFS(bad)); err == nil || !strings.Contains(err.Error(), "migration 0002_b") {
			t.Fatalf("Open with a broken migration: error = %v, want it to name migration 0002_b", err)
		}
		s, err := openWith(t, cfg, migrationFS(good))
		if err != nil {
			t.Fatalf("Open after the failed migration: %v", err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM schema_migrations`); n != 1 {
			t.Errorf("schema_migrations has %d rows, want 1", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM a`); n != 0 {
			t.Errorf("table a has %d rows, want the failed migration's insert rolled back", n)
		}
		if _, err := s.exec(context.Background(), `SELECT COUNT(*) FROM b`); err == nil {
			t.Error("table b exists, want the failed migration's CREATE TABLE rolled back")
		}
	})
}

func TestMigrateRefusesUnknownOrEditedMigrations(t *testing.T) {
	v1 := map[string]string{"0001_a.sql": "CREATE TABLE a (id INTEGER);"}
	v2 := map[string]string{"0001_a.sql": v1["0001_a.sql"], "0002_b.sql": "CREATE TABLE b (id INTEGER);"}
	tests := []struct {
		name        string
		first, then map[string]string
		want        string // empty: no error
	}{
		{"upgrade", v1, v2, ""},
		{"downgrade", v2, v1, "database schema has migration 0002_b, unknown to this binary (latest 1)"},
		{"edited", v1, map[string]string{"0001_a.sql": "CREATE TABLE a (id BIGINT);"}, "migration 0001_a differs from 0001_a applied at"},
		{"renamed", v1, map[string]string{"0001_aa.sql": v1["0001_a.sql"]}, "migration 0001_aa differs from 0001_a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, cfg Config) {
				if _, err := openWith(t, cfg, migrationFS(tt.first)); err != nil {
					t.Fatal(err)
				}
				_, err := openWith(t, cfg, migrationFS(tt.then))
				switch {
				case tt.want == "" && err != nil:
					t.Errorf("second Open: %v", err)
				case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
					t.Errorf("second Open error = %v, want it to contain %q", err, tt.want)
				}
			})
		})
	}
}

func TestMacros(t *testing.T) {
	forEachEngine(t, func(t *testing.T, cfg Config) {
		before := dbTime(time.Now()).Add(-time.Second)
		s, err := openWith(t, cfg, migrationFS(map[string]string{"0001_macros.sql": `
			CREATE TABLE things (
				id      {{autoid}},
				at      {{timestamp}} NOT NULL,
				made_at {{ timestamp }} NOT NULL DEFAULT ({{now}}),
				data    {{bytes}} NOT NULL,
				ok      BOOLEAN NOT NULL
			);`}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		at := time.Date(2026, 2, 3, 4, 5, 6, 123456789, time.FixedZone("X", 5*3600))
		data := []byte{0, 1, 2, 0xff}
		var ids []int64
		for range 2 {
			var id int64
			err := s.queryRow(ctx, `INSERT INTO things (at, data, ok) VALUES (?, ?, ?) RETURNING id`,
				s.timeArg(at), data, true).Scan(&id)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if ids[0] < 1 || ids[1] <= ids[0] {
			t.Errorf("autoid ids = %v, want increasing positive ids", ids)
		}
		var gotAt, madeAt time.Time
		var gotData []byte
		var ok bool
		err = s.queryRow(ctx, `SELECT at, made_at, data, ok FROM things WHERE id = ?`, ids[0]).
			Scan(timeDest(&gotAt), timeDest(&madeAt), &gotData, &ok)
		if err != nil {
			t.Fatal(err)
		}
		if want := dbTime(at); !gotAt.Equal(want) || gotAt.Location() != time.UTC {
			t.Errorf("timestamp = %v, want %v in UTC", gotAt, want)
		}
		if madeAt.Before(before) || madeAt.After(time.Now().Add(time.Second)) {
			t.Errorf("{{now}} default = %v, want about now", madeAt)
		}
		if !bytes.Equal(gotData, data) || !ok {
			t.Errorf("bytes, bool = %x, %v; want %x, true", gotData, ok, data)
		}
	})
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string // by dialect; nil when an error is wanted
		wantErr  string
	}{
		{
			name: "types",
			in:   "x {{timestamp}}, y {{bytes}}",
			want: map[string]string{"sqlite": "x TEXT, y BLOB", "postgres": "x TIMESTAMPTZ, y BYTEA"},
		},
		{name: "no macros", in: "SELECT '{' || '}'", want: map[string]string{"sqlite": "SELECT '{' || '}'", "postgres": "SELECT '{' || '}'"}},
		{name: "unknown", in: "x {{timestmap}}", wantErr: "unknown macro {{timestmap}}"},
		{name: "malformed", in: "x {{Timestamp}}", wantErr: "malformed macro at byte 2"},
		{name: "unclosed", in: "x {{timestamp", wantErr: "malformed macro"},
	}
	for _, tt := range tests {
		for _, d := range dialects {
			t.Run(tt.name+"/"+d.name, func(t *testing.T) {
				got, err := d.expand(tt.in)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Errorf("expand(%q) error = %v, want %q", tt.in, err, tt.wantErr)
					}
					return
				}
				if err != nil || got != tt.want[d.name] {
					t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want[d.name])
				}
			})
		}
	}
}

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"VALUES (?, '?', ?)", "VALUES ($1, '?', $2)"},
		{`SELECT "odd?" FROM t WHERE x = ?`, `SELECT "odd?" FROM t WHERE x = $1`},
		{"SELECT 'it''s?' , ?", "SELECT 'it''s?' , $1"},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"SELECT ? /* why? */, ?", "SELECT $1 /* why? */, $2"},
		{"SELECT ? -- trailing?", "SELECT $1 -- trailing?"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
	}
	for _, tt := range tests {
		if got := postgresDialect.rebind(tt.in); got != tt.want {
			t.Errorf("postgres rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := sqliteDialect.rebind(tt.in); got != tt.in {
			t.Errorf("sqlite rebind(%q) = %q, want it unchanged", tt.in, got)
		}
	}
}

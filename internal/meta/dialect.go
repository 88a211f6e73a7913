package meta

import (
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dialect holds everything that differs between the SQL engines, so that
// queries and migrations are written once.
type dialect struct {
	name string
	// open returns a connection pool for dsn.
	open func(dsn string) (*sql.DB, error)
	// numbered reports whether bind parameters are written $1, $2, ...
	// rather than ?.
	numbered bool
	// macros maps each {{macro}} a migration may use to this engine's SQL.
	macros map[string]string
	// migrationLock is run first in every migration transaction to
	// serialize migrating processes; empty when BEGIN already does.
	migrationLock string
	// timeArg converts a time to the value bound for a {{timestamp}} column.
	timeArg func(time.Time) any
}

// sqliteTimeLayout stores times as fixed-width UTC text, so that text order
// is time order and SQLite's date functions still understand the values.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

var sqliteDialect = &dialect{
	name: "sqlite",
	open: openSQLite,
	macros: map[string]string{
		"timestamp": "TEXT",
		"now":       "(strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))",
		"bytes":     "BLOB",
		"autoid":    "INTEGER PRIMARY KEY AUTOINCREMENT",
	},
	timeArg: func(t time.Time) any { return dbTime(t).Format(sqliteTimeLayout) },
}

// postgresMigrationLock is a transaction-scoped advisory lock keyed by the
// schema being migrated, so that tests migrating separate schemas of one
// database do not wait for each other. 1447642929 is "VIG1" in ASCII.
const postgresMigrationLock = `SELECT pg_advisory_xact_lock(1447642929, hashtext(current_schema()))`

var postgresDialect = &dialect{
	name:     "postgres",
	open:     openPostgres,
	numbered: true,
	macros: map[string]string{
		"timestamp": "TIMESTAMPTZ",
		"now":       "CURRENT_TIMESTAMP",
		"bytes":     "BYTEA",
		"autoid":    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
	},
	migrationLock: postgresMigrationLock,
	timeArg:       func(t time.Time) any { return dbTime(t) },
}

// dialects lists the engines Config.Driver may name.
var dialects = map[string]*dialect{
	sqliteDialect.name:   sqliteDialect,
	postgresDialect.name: postgresDialect,
}

// dbTime is t as the store keeps it: UTC, truncated to microseconds, without
// a monotonic clock reading.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

var macroPattern = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

// expand replaces the {{macros}} in a migration with this engine's SQL.
func (d *dialect) expand(text string) (string, error) {
	var unknown []string
	out := macroPattern.ReplaceAllStringFunc(text, func(m string) string {
		name := macroPattern.FindStringSubmatch(m)[1]
		sql, ok := d.macros[name]
		if !ok {
			unknown = append(unknown, name)
			return m
		}
		return sql
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("unknown macro {{%s}}", strings.Join(unknown, "}}, {{"))
	}
	if i := strings.Index(out, "{{"); i >= 0 {
		return "", fmt.Errorf("malformed macro at byte %d", i)
	}
	return out, nil
}

// rebind rewrites the ? placeholders of query for this engine. Question marks
// inside quoted strings, quoted identifiers and comments are left alone.
func (d *dialect) rebind(query string) string {
	if !d.numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i - 1
			}
			b.WriteString(query[i : i+end+1])
			i += end
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+4])
			i += end + 3
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// timeDest returns a scan destination for a {{timestamp}} column that stores
// the value in *t as a UTC time. It accepts the engines' native times and
// the text forms SQLite holds.
func timeDest(t *time.Time) *timeScanner { return &timeScanner{t: t} }

type timeScanner struct{ t *time.Time }

var _ sql.Scanner = (*timeScanner)(nil)

var sqliteTimeLayouts = []string{sqliteTimeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999"}

// Scan implements sql.Scanner.
func (s *timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s.t = v.UTC()
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
}

func (s *timeScanner) parse(v string) error {
	for _, layout := range sqliteTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			*s.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot parse %q as a time", v)
}

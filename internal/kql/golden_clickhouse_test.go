package kql_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
)

// The ClickHouse section of a golden file follows the DuckDB sections: either the
// ClickHouse SQL, or why the ClickHouse dialect refuses the query.
const (
	chSQLSep         = sep + "clickhouse sql\n"
	chUnsupportedSep = sep + "clickhouse unsupported\n"
	// chDiscoverySep heads a ClickHouse discovery query; its rows are the DuckDB part's.
	chDiscoverySep = sep + "clickhouse discovery\n"
)

// chAllowlistFile lists the goldens whose rows do not match on ClickHouse yet, each with
// the reason; TestGoldenOnChDB fails when a listed case matches or an unlisted one does not.
const chAllowlistFile = "testdata/clickhouse_allowlist.txt"

// splitClickHouse splits a golden file into its DuckDB part and its ClickHouse section.
func splitClickHouse(golden string) (duck, ch string) {
	for _, s := range []string{chDiscoverySep, chSQLSep, chUnsupportedSep} {
		if i := strings.Index(golden, s); i >= 0 && (i == 0 || golden[i-1] == '\n') {
			return golden[:i], golden[i:]
		}
	}
	return golden, ""
}

// clickhouseSection compiles the case (the DuckDB part of a golden file) for ClickHouse.
// Queries that do not compile at all have no section: their diagnostics are the DuckDB
// part's. The discovery queries are answered with the DuckDB part's discovered rows, in
// order: the discovery SQL of both dialects yields the same dialect-neutral rows.
func clickhouseSection(reg *schema.Registry, duck string) (section string, q *kql.Query) {
	src := strings.TrimRight(goldenSource(duck), "\n")
	replay := discoveredRows(duck)
	var disc strings.Builder
	run := func(_ context.Context, sql string) ([][]any, error) {
		disc.WriteString(chDiscoverySep + sql + "\n")
		if len(replay) == 0 {
			return nil, errors.New("the DuckDB part has no discovered rows left to replay")
		}
		rows := replay[0]
		replay = replay[1:]
		return rows, nil
	}
	q, diags, err := kql.CompileDiscover(context.Background(), src, reg, kql.Options{Tenant: "t1", Now: goldenNow, Watchlists: goldenWatchlists, Dialect: sqlgen.ClickHouse}, run)
	if err != nil {
		return disc.String() + chUnsupportedSep + err.Error() + "\n", nil
	}
	if q != nil {
		return disc.String() + chSQLSep + q.SQL + "\n", q
	}
	for _, d := range diags {
		if strings.HasPrefix(d.Message, "not supported in ClickHouse: ") {
			return chUnsupportedSep + d.Message + "\n", nil
		}
	}
	return "", nil
}

// discoveredRows are the rows of each "discovered" section of a golden file's DuckDB part.
func discoveredRows(duck string) [][][]any {
	var out [][][]any
	for _, part := range strings.Split(duck, sep+"discovered\n")[1:] {
		if i := strings.Index(part, sep); i >= 0 {
			part = part[:i]
		}
		rows := [][]any{}
		for _, line := range strings.Split(strings.TrimRight(part, "\n"), "\n") {
			var r []any
			if line != "" && json.Unmarshal([]byte(line), &r) == nil {
				rows = append(rows, r)
			}
		}
		out = append(out, rows)
	}
	return out
}

// goldenSource is the KQL of a golden file.
func goldenSource(golden string) string {
	if i := strings.Index(golden, "\n"+sep); i >= 0 {
		return golden[:i+1]
	}
	return golden
}

// TestGoldenClickHouse compares (or with -update rewrites) each golden case's ClickHouse
// section: the SQL of the ClickHouse dialect, or its "not supported in ClickHouse" reason.
// TestGoldenOnChDB runs that SQL on chDB and holds the allowlist to account.
func TestGoldenClickHouse(t *testing.T) {
	reg := schema.NewRegistry()
	files, _ := filepath.Glob("testdata/golden/*.kql")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	allow := readAllowlist(t)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".kql")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			duck, have := splitClickHouse(string(b))
			got, _ := clickhouseSection(reg, duck)
			if *update {
				if err := os.WriteFile(f, []byte(duck+got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != have {
				t.Errorf("ClickHouse golden mismatch (run with -update to accept)\n--- want\n%s\n--- got\n%s", have, got)
			}
		})
	}
	for name := range allow {
		if _, err := os.Stat(filepath.Join("testdata/golden", name+".kql")); err != nil {
			t.Errorf("%s lists %s, which is not a golden case", chAllowlistFile, name)
		}
	}
}

// readAllowlist reads chAllowlistFile: lines "case<TAB>reason", # comments.
func readAllowlist(t testing.TB) map[string]string {
	f, err := os.Open(chAllowlistFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("%s:%d: want case<TAB>reason", chAllowlistFile, n)
		}
		if _, dup := out[name]; dup {
			t.Fatalf("%s:%d: %s listed twice", chAllowlistFile, n, name)
		}
		out[name] = reason
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

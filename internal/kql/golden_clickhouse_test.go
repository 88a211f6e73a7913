package kql_test

import (
	"bufio"
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
)

// chAllowlistFile lists the goldens whose rows do not match on ClickHouse yet, each with
// the reason; TestGoldenOnChDB fails when a listed case matches or an unlisted one does not.
const chAllowlistFile = "testdata/clickhouse_allowlist.txt"

// splitClickHouse splits a golden file into its DuckDB part and its ClickHouse section.
func splitClickHouse(golden string) (duck, ch string) {
	for _, s := range []string{chSQLSep, chUnsupportedSep} {
		if i := strings.Index(golden, s); i >= 0 && (i == 0 || golden[i-1] == '\n') {
			return golden[:i], golden[i:]
		}
	}
	return golden, ""
}

// clickhouseSection compiles the case for ClickHouse. Queries that do not compile at all
// have no section: their diagnostics are the DuckDB part's.
func clickhouseSection(reg *schema.Registry, src string) (section string, q *kql.Query) {
	q, diags := kql.Compile(src, reg, kql.Options{Tenant: "t1", Now: goldenNow, Dialect: sqlgen.ClickHouse})
	if q != nil {
		return chSQLSep + q.SQL + "\n", q
	}
	for _, d := range diags {
		if strings.HasPrefix(d.Message, "not supported in ClickHouse: ") {
			return chUnsupportedSep + d.Message + "\n", nil
		}
	}
	return "", nil
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
			got, _ := clickhouseSection(reg, strings.TrimRight(goldenSource(duck), "\n"))
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

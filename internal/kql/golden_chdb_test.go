//go:build chdb

package kql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
	"github.com/vigilsec/vigil/internal/store/chdb"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// TestGoldenOnChDB runs each golden case's ClickHouse SQL on chDB over the fixture data and
// checks its rows equal the DuckDB rows of the golden file, normalized the same way. Cases in
// the allowlist must not match (so the list shrinks as the dialect grows); every other case
// with rows must.
func TestGoldenOnChDB(t *testing.T) {
	reg := schema.NewRegistry()
	s, err := chdb.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tabs, batches := fixtureData(t, reg)
	if err := s.CreateTables(tabs); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(batches); err != nil {
		t.Fatal(err)
	}
	allow := readAllowlist(t)
	files, _ := filepath.Glob("testdata/golden/*.kql")
	var total, comparable, match int
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".kql")
		total++
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			duck, _ := splitClickHouse(string(b))
			want, hasRows := goldenRows(duck)
			if !hasRows {
				if _, ok := allow[name]; ok {
					t.Errorf("%s lists it, but it has no DuckDB rows to compare", chAllowlistFile)
				}
				t.Skip("no DuckDB rows to compare (the query does not compile or fails on DuckDB)")
			}
			comparable++
			reason := chdbMismatch(s, reg, duck, want)
			if reason == "" {
				match++
			}
			listed, ok := allow[name]
			switch {
			case reason == "" && ok:
				t.Errorf("matches on chDB now: remove it from %s (listed: %s)", chAllowlistFile, listed)
			case reason != "" && !ok:
				t.Errorf("does not match on chDB: %s", reason)
			}
		})
	}
	t.Logf("rows match on chDB for %d of %d golden cases (%d have DuckDB rows: %.0f%% of those)", match, total, comparable, 100*float64(match)/float64(max(comparable, 1)))
}

// goldenRows is the rows section (header line and rows) of a golden file's DuckDB part.
func goldenRows(duck string) (string, bool) {
	i := strings.Index(duck, sep+"rows\n")
	if i < 0 {
		return "", false
	}
	return duck[i+len(sep+"rows\n"):], true
}

// chdbMismatch runs the case on chDB and says why its rows differ from want ("" when equal).
func chdbMismatch(s *chdb.Session, reg *schema.Registry, duck, want string) string {
	_, q := clickhouseSection(reg, duck)
	if q == nil {
		return "the ClickHouse dialect refuses it"
	}
	if reason := chdbDiscoveryMismatch(s, reg, duck); reason != "" {
		return reason
	}
	res, err := s.Query(q.SQL)
	if err != nil {
		return err.Error()
	}
	var out strings.Builder
	head := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		head[i] = c.Name + ":" + c.Type.String()
	}
	out.WriteString(strings.Join(head, ", ") + "\n")
	rows := make([]string, len(res.Rows))
	for i, r := range res.Rows {
		if len(r) != len(q.Columns) {
			return fmt.Sprintf("row %d has %d columns, want %d", i, len(r), len(q.Columns))
		}
		vals := make([]any, len(r))
		for j, v := range r {
			x, err := kustoValue(v, q.Columns[j].Type)
			if err != nil {
				return fmt.Sprintf("row %d column %s: %v", i, q.Columns[j].Name, err)
			}
			vals[j] = x
		}
		b, _ := json.Marshal(vals)
		rows[i] = string(b)
	}
	if !q.Ordered {
		sort.Strings(rows)
	}
	for _, r := range rows {
		out.WriteString(r + "\n")
	}
	if got := out.String(); got != want {
		return fmt.Sprintf("rows differ\n--- DuckDB\n%s--- chDB\n%s", want, got)
	}
	return ""
}

// chdbDiscoveryMismatch runs the case's ClickHouse discovery queries on chDB (clickhouseSection
// replays the DuckDB part's rows instead) and says why their rows differ from the DuckDB
// part's discovered rows ("" when equal): both dialects must discover the same columns.
func chdbDiscoveryMismatch(s *chdb.Session, reg *schema.Registry, duck string) string {
	want := discoveredRows(duck)
	n, reason := 0, ""
	run := func(_ context.Context, sql string) ([][]any, error) {
		res, err := s.Query(sql)
		if err != nil {
			return nil, err
		}
		got, exp := []byte("[]"), []byte("[]")
		if len(res.Rows) > 0 {
			got, _ = json.Marshal(res.Rows)
		}
		if n < len(want) && len(want[n]) > 0 {
			exp, _ = json.Marshal(want[n])
		}
		if string(got) != string(exp) && reason == "" {
			reason = fmt.Sprintf("discovery %d differs\n--- DuckDB\n%s\n--- chDB\n%s", n+1, exp, got)
		}
		n++
		return res.Rows, nil
	}
	src := strings.TrimRight(goldenSource(duck), "\n")
	_, _, err := kql.CompileDiscover(context.Background(), src, reg, kql.Options{Tenant: "t1", Now: goldenNow, Watchlists: goldenWatchlists, Dialect: sqlgen.ClickHouse}, run)
	if err != nil {
		return err.Error()
	}
	if reason == "" && n != len(want) {
		reason = fmt.Sprintf("%d discovery queries on chDB, %d on DuckDB", n, len(want))
	}
	return reason
}

// kustoValue renders a ClickHouse JSONCompact value as the DuckDB store renders the same
// Kusto type, so the rows compare as text.
func kustoValue(v any, t schema.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case schema.TypeDatetime:
		s, _ := v.(string)
		tm, err := time.Parse("2006-01-02 15:04:05.999999", s)
		if err != nil {
			return nil, err
		}
		return tm.UTC().Format("2006-01-02T15:04:05.9999999Z"), nil
	case schema.TypeTimespan:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("timespan %v is not a number", v)
		}
		us, err := n.Int64()
		if err != nil {
			return nil, err
		}
		return duckdb.FormatTimespan(time.Duration(us) * time.Microsecond), nil
	case schema.TypeDynamic:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("dynamic %v is not JSON text", v)
		}
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			return nil, fmt.Errorf("dynamic %q: %w", s, err)
		}
		return x, nil
	case schema.TypeReal:
		if n, ok := v.(json.Number); ok {
			return n.Float64()
		}
	case schema.TypeBool:
		// ClickHouse's comparisons and logic yield UInt8 0/1.
		if n, ok := v.(json.Number); ok {
			return n.String() != "0", nil
		}
	case schema.TypeInvalid, schema.TypeString, schema.TypeLong, schema.TypeInt, schema.TypeGUID, schema.TypeDecimal:
	}
	return v, nil
}

package kql_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var goldenNow = time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)

const sep = "---- "

// TestGolden compiles every testdata/golden/*.kql case, compares SQL and
// diagnostics, and runs the SQL on a DuckDB store holding the fixture rows.
func TestGolden(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	files, _ := filepath.Glob("testdata/golden/*.kql")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".kql"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src := string(b)
			if i := strings.Index(src, "\n"+sep); i >= 0 {
				src = src[:i+1]
			}
			// The ClickHouse section is TestGoldenClickHouse's: kept as it is here.
			want, ch := splitClickHouse(string(b))
			got := src + runCase(t, st, reg, strings.TrimRight(src, "\n"))
			if *update {
				if err := os.WriteFile(f, []byte(got+ch), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("golden mismatch (run with -update to accept)\n--- want\n%s\n--- got\n%s", want, got)
			}
		})
	}
}

func runCase(t *testing.T, st store.Store, reg *schema.Registry, src string) string {
	var out strings.Builder
	// Each discovery query is printed with its rows, which the ClickHouse harness replays.
	run := func(ctx context.Context, sql string) ([][]any, error) {
		res, err := st.Query(ctx, sql, kql.MaxDiscovered+1)
		if err != nil {
			return nil, err
		}
		out.WriteString(sep + "discovery\n" + sql + "\n" + sep + "discovered\n")
		for _, r := range res.Rows {
			b, _ := json.Marshal(r)
			out.WriteString(string(b) + "\n")
		}
		return res.Rows, nil
	}
	q, diags, err := kql.CompileDiscover(context.Background(), src, reg, kql.Options{Tenant: "t1", Now: goldenNow, Watchlists: goldenWatchlists}, run)
	if err != nil {
		out.WriteString(sep + "error\n" + err.Error() + "\n")
		return out.String()
	}
	if len(diags) > 0 {
		out.WriteString(sep + "diagnostics\n")
		for _, d := range diags {
			out.WriteString(syntax.PositionOf(src, d.Span.Start).String() + ": " + d.Severity.String() + ": " + d.Message + "\n")
		}
	}
	if q == nil {
		return out.String()
	}
	out.WriteString(sep + "sql\n" + q.SQL + "\n")
	res, err := st.Query(context.Background(), q.SQL, 1000)
	if err != nil {
		out.WriteString(sep + "error\n" + err.Error() + "\n")
		return out.String()
	}
	out.WriteString(sep + "rows\n")
	head := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		head[i] = c.Name + ":" + c.Type.String()
	}
	out.WriteString(strings.Join(head, ", ") + "\n")
	rows := make([]string, len(res.Rows))
	for i, r := range res.Rows {
		b, _ := json.Marshal(r)
		rows[i] = string(b)
	}
	if !q.Ordered {
		sort.Strings(rows)
	}
	for _, r := range rows {
		out.WriteString(r + "\n")
	}
	return out.String()
}

package hunt

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

func TestRun(t *testing.T) {
	ctx := context.Background()
	reg := schema.NewRegistry()
	st, err := duckdb.OpenMemory(ctx, reg.Tables(), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct {
		name, src string
		maxRows   int
		cols      string
		rows      string
		truncated bool
		err       string
	}{
		// Column types are Kusto's names; values are rendered as Kusto renders them.
		{name: "compiler types", src: "print i = toint(7), l = 7, t = 1d, d = datetime(2024-01-01)", maxRows: 10,
			cols: "[{i int} {l long} {t timespan} {d datetime}]", rows: "[[7 7 1.00:00:00 2024-01-01T00:00:00Z]]"},
		{name: "row limit", src: "range x from 1 to 5 step 1", maxRows: 2, cols: "[{x long}]", rows: "[[1] [2]]", truncated: true},
		{name: "empty table", src: "SigninLogs | project UserPrincipalName", maxRows: 10, cols: "[{UserPrincipalName string}]", rows: "[]"},
		{name: "compile error", src: "print x = \n  nosuchfn(1)", maxRows: 10, err: "2:3: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Run(ctx, st, reg, c.src, kql.Options{Tenant: "default"}, c.maxRows)
			if c.err != "" {
				var ce *CompileError
				if !errors.As(err, &ce) || len(ce.Diagnostics) == 0 || err.Error()[:len(c.err)] != c.err {
					t.Fatalf("err = %v, want a CompileError at %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(res.Columns); got != c.cols {
				t.Errorf("columns = %s, want %s", got, c.cols)
			}
			if got := fmt.Sprint(res.Rows); got != c.rows || res.Truncated != c.truncated {
				t.Errorf("rows = %s (truncated %v), want %s (%v)", got, res.Truncated, c.rows, c.truncated)
			}
		})
	}
}

package kql_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// TestParseUnanchoredOnDuckDB runs parse patterns padded with * at both ends, which the DuckDB
// SQL matches without their anchors (sqlgen's unanchorCall), over texts with and without
// newlines, and checks every extracted column against Go's RE2 on the anchored pattern, which
// is what the plan asks for.
func TestParseUnanchoredOnDuckDB(t *testing.T) {
	texts := []string{
		"net user bob /add", "net user  x", "user bob", "net user bob", "useruser a b ", "net user a\nb c",
		"net user alice /domain\nmore", "\nnet user eve /add", "whoami", "", "took 15 ms, then -3 ms", "ms 5ms 7 ms",
	}
	cases := []struct {
		pattern string // the parse pattern
		anchor  string // its anchored regular expression
		cols    []string
	}{
		{`* "user " User " " *`, `^.*?user (.*?) .*?$`, []string{"User"}},
		{`* " " N:long " ms" *`, `^.*? (-?\d+) ms.*?$`, []string{"N"}},
		{`* "user " A " " B " " *`, `^.*?user (.*?) (.*?) .*?$`, []string{"A", "B"}},
	}
	ctx := context.Background()
	reg := schema.NewRegistry()
	st, err := duckdb.OpenMemory(ctx, nil, duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	quoted := make([]string, len(texts))
	for i, s := range texts {
		quoted[i] = strconv.Quote(s)
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			src := "datatable(i:long, s:string)[" + rowsOf(quoted) + "] | parse s with " + c.pattern +
				" | project i, " + strings.Join(c.cols, ", ") + " | order by i asc"
			q, diags := kql.Compile(src, reg, kql.Options{Tenant: "t1"})
			if q == nil {
				t.Fatalf("compile: %v", diags)
			}
			if !strings.Contains(q.SQL, "strpos(") {
				t.Fatalf("the pattern was not unanchored:\n%s", q.SQL)
			}
			res, err := st.Query(ctx, q.SQL, 100)
			if err != nil {
				t.Fatal(err)
			}
			re := regexp.MustCompile(c.anchor)
			for _, row := range res.Rows {
				i := row[0].(int64)
				m := re.FindStringSubmatch(texts[i])
				for j := range c.cols {
					var want any = ""
					if c.cols[j] == "N" {
						want = nil
					}
					if m != nil {
						want = m[j+1]
						if c.cols[j] == "N" {
							n, _ := strconv.ParseInt(m[j+1], 10, 64)
							want = n
						}
					}
					if row[j+1] != want {
						t.Errorf("%q: %s = %#v, want %#v", texts[i], c.cols[j], row[j+1], want)
					}
				}
			}
			if len(res.Rows) != len(texts) {
				t.Errorf("%d rows, want %d", len(res.Rows), len(texts))
			}
		})
	}
}

func rowsOf(quoted []string) string {
	var b strings.Builder
	for i, q := range quoted {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(i) + ", " + q)
	}
	return b.String()
}

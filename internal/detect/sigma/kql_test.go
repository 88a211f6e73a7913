package sigma

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// rowIDColumn is a column of each test table that holds the row's index.
var rowIDColumn = map[string]string{
	"DeviceProcessEvents": "ReportId", "DeviceNetworkEvents": "ReportId", "DeviceRegistryEvents": "ReportId",
	"SecurityEvent": "EventRecordId", "WindowsEvent": "EventRecordId", "Syslog": "_ItemId",
	"SigninLogs": "Id", "AWSCloudTrail": "AwsEventId",
}

// TestKQLAgrees writes every match case's events to DuckDB (one tenant per case), runs the
// rule's KQL through the project's compiler, and checks it returns the rows the stream
// matcher matched.
func TestKQLAgrees(t *testing.T) {
	cases := append(append(append([]matchCase{}, matchCases...), classicCases...), keywordCases...)
	if testing.Short() {
		t.Skip("needs DuckDB")
	}
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "sigma.db"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var batches []store.Batch
	var tabs []*schema.Table
	seen := map[string]bool{}
	for ci, c := range cases {
		b := kqlBatch(t, c, ci, uint64(len(batches)+1))
		batches = append(batches, b)
		if !seen[b.Table.Name] {
			seen[b.Table.Name] = true
			tabs = append(tabs, b.Table)
		}
	}
	if err := st.EnsureTables(ctx, tabs); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "sigma-test", uint64(len(batches)), batches); err != nil {
		t.Fatal(err)
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := kqlRows(ctx, t, st, c, ci)
			if !slices.Equal(got, c.want) {
				rules, _ := Load([]byte(c.ruleText()), "x.yml")
				q, _ := ToKQL(rules[0], Config{Registry: testReg, Vars: c.vars})
				t.Fatalf("KQL matched rows %v, stream matched %v\n%s", got, c.want, q)
			}
		})
	}
}

// kqlBatch is a case's rows as a store batch of tenant c<ci>, with each row's index in the id
// column and a time.
func kqlBatch(t *testing.T, c matchCase, ci int, seq uint64) store.Batch {
	tab, _ := testReg.Table(c.tableName())
	idCol := rowIDColumn[tab.Name]
	cols := map[string]bool{idCol: true, "TimeGenerated": true}
	for _, r := range c.rows {
		for k := range r {
			cols[k] = true
		}
	}
	var names []string
	for k := range cols {
		names = append(names, k)
	}
	sort.Strings(names)
	b := store.Batch{Seq: seq, Tenant: fmt.Sprintf("c%d", ci), Table: tab, IngestTime: time.Unix(1700000000, 0).UTC()}
	for _, n := range names {
		i, ok := tab.Column(n)
		if !ok {
			t.Fatalf("%s has no column %s", tab.Name, n)
		}
		b.Columns = append(b.Columns, i)
	}
	for ri, r := range c.rows {
		row := make([]schema.Value, len(names))
		for j, n := range names {
			switch {
			case n == idCol && tab.Columns[b.Columns[j]].Type == schema.TypeLong:
				row[j] = int64(ri)
			case n == idCol:
				row[j] = strconv.Itoa(ri)
			case n == "TimeGenerated":
				row[j] = time.Unix(1700000000, 0).UTC()
			default:
				row[j] = r[n]
			}
		}
		b.Rows = append(b.Rows, row)
	}
	return b
}

func kqlRows(ctx context.Context, t *testing.T, st store.Store, c matchCase, ci int) []int {
	rules, err := Load([]byte(c.ruleText()), "x.yml")
	if err != nil {
		t.Fatal(err)
	}
	q, err := ToKQL(rules[0], Config{Registry: testReg, Vars: c.vars})
	if err != nil {
		t.Fatal(err)
	}
	q += "\n| project Id = tostring(" + kqlName(rowIDColumn[c.tableName()]) + ")"
	cq, diags := kql.Compile(q, testReg, kql.Options{Tenant: fmt.Sprintf("c%d", ci)})
	if cq == nil {
		t.Fatalf("KQL does not compile: %v\n%s", diags, q)
	}
	res, err := st.Query(ctx, cq.SQL, 1000)
	if err != nil {
		t.Fatalf("query: %v\n%s\n%s", err, q, cq.SQL)
	}
	var out []int
	for _, r := range res.Rows {
		n, _ := strconv.Atoi(fmt.Sprint(r[0]))
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

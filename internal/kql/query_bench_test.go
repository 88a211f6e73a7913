package kql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// huntQuery is a typical hunting query written twice: in KQL, compiled with tenant t1 and now()
// at huntNow, and as the DuckDB SQL an engineer would write by hand for the same answer over
// the same tenant and time range.
type huntQuery struct {
	name, kql, sql string
	ordered        bool
}

var huntQueries = []huntQuery{
	{
		name: "encoded_powershell",
		kql: `DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName in~ ("powershell.exe", "pwsh.exe")
| where ProcessCommandLine has_any ("-enc", "-encodedcommand", "-ec")
| summarize Count = count() by DeviceName, AccountName`,
		sql: `SELECT DeviceName, AccountName, count(*) AS Count
FROM DeviceProcessEvents
WHERE TenantId = 't1' AND Timestamp > TIMESTAMP '2024-01-24 00:00:00'
  AND lower(FileName) IN ('powershell.exe', 'pwsh.exe')
  AND regexp_matches(ProcessCommandLine, '(?i)(^|[^0-9A-Za-z])(-enc|-encodedcommand|-ec)($|[^0-9A-Za-z])')
GROUP BY DeviceName, AccountName`,
	},
	{
		name: "hourly_by_device",
		kql: `DeviceProcessEvents
| where Timestamp > ago(1d)
| summarize Count = count() by DeviceName, bin(Timestamp, 1h)`,
		sql: `SELECT DeviceName, time_bucket(INTERVAL 1 HOUR, Timestamp) AS Timestamp, count(*) AS Count
FROM DeviceProcessEvents
WHERE TenantId = 't1' AND Timestamp > TIMESTAMP '2024-01-30 00:00:00'
GROUP BY ALL`,
	},
	{
		name: "rare_process",
		kql: `DeviceProcessEvents
| where Timestamp > ago(30d)
| summarize Devices = dcount(DeviceName) by FileName
| where Devices < 3`,
		sql: `SELECT FileName, count(DISTINCT DeviceName) AS Devices
FROM DeviceProcessEvents
WHERE TenantId = 't1' AND Timestamp > TIMESTAMP '2024-01-01 00:00:00'
GROUP BY FileName
HAVING count(DISTINCT DeviceName) < 3`,
	},
	{
		name: "top_failed_signins",
		kql: `SigninLogs
| where TimeGenerated > ago(7d)
| where ResultType != "0"
| summarize Failures = count() by UserPrincipalName
| top 10 by Failures desc, UserPrincipalName asc`,
		sql: `SELECT UserPrincipalName, count(*) AS Failures
FROM SigninLogs
WHERE TenantId = 't1' AND TimeGenerated > TIMESTAMP '2024-01-24 00:00:00' AND ResultType <> '0'
GROUP BY UserPrincipalName
ORDER BY Failures DESC, UserPrincipalName
LIMIT 10`,
		ordered: true,
	},
	{
		name: "password_spray",
		kql: `SigninLogs
| where TimeGenerated > ago(7d)
| where ResultType == "50126"
| summarize Accounts = dcount(UserPrincipalName), Attempts = count() by IPAddress
| where Accounts > 20`,
		sql: `SELECT IPAddress, count(DISTINCT UserPrincipalName) AS Accounts, count(*) AS Attempts
FROM SigninLogs
WHERE TenantId = 't1' AND TimeGenerated > TIMESTAMP '2024-01-24 00:00:00' AND ResultType = '50126'
GROUP BY IPAddress
HAVING count(DISTINCT UserPrincipalName) > 20`,
	},
	{
		name: "net_proc_join",
		kql: `DeviceNetworkEvents
| where Timestamp > ago(7d)
| where RemotePort == 4444
| project NetTime = Timestamp, DeviceName, RemoteIP
| join kind=inner (
    DeviceProcessEvents
    | where Timestamp > ago(7d)
    | where FileName in~ ("powershell.exe", "rundll32.exe")
    | project ProcTime = Timestamp, DeviceName, FileName
  ) on DeviceName
| where NetTime between (ProcTime .. 1h)
| summarize Hits = count() by DeviceName, FileName, RemoteIP`,
		sql: `SELECT n.DeviceName, p.FileName, n.RemoteIP, count(*) AS Hits
FROM DeviceNetworkEvents n
JOIN DeviceProcessEvents p
  ON n.DeviceName = p.DeviceName AND n.Timestamp BETWEEN p.Timestamp AND p.Timestamp + INTERVAL 1 HOUR
WHERE n.TenantId = 't1' AND n.Timestamp > TIMESTAMP '2024-01-24 00:00:00' AND n.RemotePort = 4444
  AND p.TenantId = 't1' AND p.Timestamp > TIMESTAMP '2024-01-24 00:00:00'
  AND lower(p.FileName) IN ('powershell.exe', 'rundll32.exe')
GROUP BY ALL`,
	},
	{
		name: "let_in_subquery",
		kql: `let suspicious = DeviceNetworkEvents
    | where Timestamp > ago(7d)
    | where RemotePort == 4444
    | distinct DeviceName;
DeviceProcessEvents
| where Timestamp > ago(7d)
| where DeviceName in (suspicious)
| where FileName in~ ("powershell.exe", "cmd.exe", "rundll32.exe", "certutil.exe")
| summarize Count = count() by DeviceName, FileName`,
		sql: `SELECT DeviceName, FileName, count(*) AS Count
FROM DeviceProcessEvents
WHERE TenantId = 't1' AND Timestamp > TIMESTAMP '2024-01-24 00:00:00'
  AND DeviceName IN (SELECT DeviceName FROM DeviceNetworkEvents
    WHERE TenantId = 't1' AND Timestamp > TIMESTAMP '2024-01-24 00:00:00' AND RemotePort = 4444)
  AND lower(FileName) IN ('powershell.exe', 'cmd.exe', 'rundll32.exe', 'certutil.exe')
GROUP BY DeviceName, FileName`,
	},
	{
		name: "extend_parse",
		kql: `DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName =~ "net.exe"
| parse ProcessCommandLine with * "user " User " " *
| where isnotempty(User)
| summarize Count = count() by User`,
		sql: `SELECT regexp_extract(ProcessCommandLine, 'user ([^ ]*) ', 1) AS "User", count(*) AS Count
FROM DeviceProcessEvents
WHERE TenantId = 't1' AND Timestamp > TIMESTAMP '2024-01-24 00:00:00' AND lower(FileName) = 'net.exe'
  AND regexp_extract(ProcessCommandLine, 'user ([^ ]*) ', 1) <> ''
GROUP BY 1`,
	},
	{
		name: "make_set_by_account",
		kql: `SigninLogs
| where TimeGenerated > ago(7d)
| summarize Apps = make_set(AppDisplayName), IPs = dcount(IPAddress) by UserPrincipalName`,
		sql: `SELECT UserPrincipalName, list(DISTINCT AppDisplayName) AS Apps, count(DISTINCT IPAddress) AS IPs
FROM SigninLogs
WHERE TenantId = 't1' AND TimeGenerated > TIMESTAMP '2024-01-24 00:00:00'
GROUP BY UserPrincipalName`,
	},
	{
		name: "count_last_7d",
		kql: `DeviceProcessEvents
| where Timestamp > ago(7d)
| count`,
		sql: `SELECT count(*) AS Count
FROM DeviceProcessEvents
WHERE TenantId = 't1' AND Timestamp > TIMESTAMP '2024-01-24 00:00:00'`,
	},
}

const huntMaxRows = 1 << 20

func compileHunt(tb testing.TB, q huntQuery) *kql.Query {
	tb.Helper()
	c, diags := kql.Compile(q.kql, schema.NewRegistry(), kql.Options{Tenant: "t1", Now: huntNow})
	if c == nil {
		tb.Fatalf("%s: %v", q.name, diags)
	}
	return c
}

// TestQueryKQLvsSQLSameRows checks, on a small generated data set, that each benchmark query's
// compiled KQL and its hand-written SQL return the same rows, so that the benchmark compares
// like with like. It also checks that every query has rows and that tenant t2 never shows.
func TestQueryKQLvsSQLSameRows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 300k-row DuckDB data set")
	}
	ctx := context.Background()
	st, took := openHuntStore(ctx, t, t.TempDir(), huntSmall)
	defer st.Close()
	t.Logf("built the small data set in %v", took)
	for _, q := range huntQueries {
		t.Run(q.name, func(t *testing.T) {
			c := compileHunt(t, q)
			if c.Ordered != q.ordered {
				t.Errorf("compiled query ordered=%v, want %v", c.Ordered, q.ordered)
			}
			got, err := st.Query(ctx, c.SQL, huntMaxRows)
			if err != nil {
				t.Fatalf("kql: %v", err)
			}
			want, err := st.Query(ctx, q.sql, huntMaxRows)
			if err != nil {
				t.Fatalf("sql: %v", err)
			}
			if len(want.Rows) == 0 {
				t.Fatalf("hand SQL returns no rows: the data set does not exercise this query")
			}
			if len(got.Columns) != len(want.Columns) {
				t.Fatalf("columns: kql %v, sql %v", got.Columns, want.Columns)
			}
			for i := range got.Columns {
				if got.Columns[i].Name != want.Columns[i].Name {
					t.Errorf("column %d: kql %q, sql %q", i, got.Columns[i].Name, want.Columns[i].Name)
				}
			}
			g, w := normRows(got.Rows, q.ordered), normRows(want.Rows, q.ordered)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("rows differ: kql %d rows, sql %d rows\nkql: %v\nsql: %v", len(g), len(w), head(g), head(w))
			}
			for _, r := range g {
				if strings.Contains(r, "other-") || strings.Contains(r, "fabrikam") {
					t.Fatalf("tenant t2 leaked: %s", r)
				}
			}
			t.Logf("%d rows", len(g))
		})
	}
}

func head(rows []string) []string {
	if len(rows) > 5 {
		return rows[:5]
	}
	return rows
}

// normRows renders rows as JSON lines, sorted unless the order is the query's. Lists (make_set)
// are compared as sets: the compiler returns them sorted as JSON text, list() as Go slices.
func normRows(rows [][]any, ordered bool) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = normValue(v)
		}
		b, err := json.Marshal(vals)
		if err != nil {
			panic(err)
		}
		out[i] = string(b)
	}
	if !ordered {
		sort.Strings(out)
	}
	return out
}

func normValue(v any) any {
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case string:
		if !strings.HasPrefix(x, "[") || json.Unmarshal([]byte(x), &list) != nil {
			return v
		}
	default:
		return v
	}
	s := make([]string, len(list))
	for i, e := range list {
		s[i] = fmt.Sprint(e)
	}
	sort.Strings(s)
	return s
}

var (
	huntOnce  sync.Once
	huntStore *duckdb.Store
	huntDir   string
	huntErr   string
)

// TestMain removes the benchmark data set, which lives as long as the process so that
// -count runs share it.
func TestMain(m *testing.M) {
	code := m.Run()
	if huntStore != nil {
		_ = huntStore.Close()
	}
	if huntDir != "" {
		_ = os.RemoveAll(huntDir)
	}
	os.Exit(code)
}

// huntKeepDirEnv names a directory in which the benchmark keeps its 10M-row data set between
// processes: building it takes minutes, which dominates a before/after comparison. Without it
// the data set lives in a temporary directory removed at exit.
const huntKeepDirEnv = "VIGIL_QUERYBENCH_DIR"

// huntBenchStore builds the 10M-row data set once per process, in a temporary directory, or
// opens the one kept in $VIGIL_QUERYBENCH_DIR.
func huntBenchStore(b *testing.B) *duckdb.Store {
	huntOnce.Do(func() {
		ctx := context.Background()
		if keep := os.Getenv(huntKeepDirEnv); keep != "" {
			st, err := openKeptHuntStore(ctx, b, keep)
			if err != nil {
				huntErr = err.Error()
				return
			}
			huntStore = st
			return
		}
		dir, err := os.MkdirTemp("", "vigil-querybench-")
		if err != nil {
			huntErr = err.Error()
			return
		}
		huntDir = dir
		st, took := openHuntStore(ctx, b, dir, huntFull)
		huntStore = st
		counts, err := st.RowCounts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		size, _ := st.DiskBytes()
		// Printed rather than logged: a top-level benchmark's log is not shown when it has
		// sub-benchmarks. benchstat ignores the line.
		fmt.Printf("# data set: %v rows, %d MiB on disk, built in %v\n", counts, size>>20, took.Round(100_000_000))
	})
	if huntStore == nil {
		b.Fatalf("no data set: %s", huntErr)
	}
	return huntStore
}

// BenchmarkQueryKQLvsSQL runs each hunting query over 10M DeviceProcessEvents and 2M rows each
// of DeviceNetworkEvents and SigninLogs (plus 1% of another tenant), once as the SQL the
// compiler generates (kql) and once as hand-written DuckDB SQL (sql), both through
// store.Query. Compilation is measured apart (compile). The first run builds the data set,
// which takes minutes: go test -run '^$' -bench BenchmarkQueryKQLvsSQL -benchtime 3x ./internal/kql/
func BenchmarkQueryKQLvsSQL(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 10M-row DuckDB data set")
	}
	ctx := context.Background()
	st := huntBenchStore(b)
	for _, q := range huntQueries {
		c := compileHunt(b, q)
		b.Run(q.name+"/compile", func(b *testing.B) {
			reg := schema.NewRegistry()
			opts := kql.Options{Tenant: "t1", Now: huntNow}
			b.ReportAllocs()
			for b.Loop() {
				if c, _ := kql.Compile(q.kql, reg, opts); c == nil {
					b.Fatal("compile failed")
				}
			}
		})
		for _, v := range []struct{ name, sql string }{{"kql", c.SQL}, {"sql", q.sql}} {
			b.Run(q.name+"/"+v.name, func(b *testing.B) {
				b.ReportAllocs()
				var res *store.Result
				cpu := processCPU()
				for b.Loop() {
					var err error
					if res, err = st.Query(ctx, v.sql, huntMaxRows); err != nil {
						b.Fatal(err)
					}
				}
				// CPU time per query, all threads: on a shared machine a steadier figure
				// than ns/op, which counts the time other processes hold the cores.
				b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
				b.ReportMetric(float64(len(res.Rows)), "rows")
			})
		}
	}
}

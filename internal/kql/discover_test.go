package kql_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// storeRunner runs discovery queries on st and counts them.
func storeRunner(st store.Store, calls *int) kql.Runner {
	return func(ctx context.Context, sql string) ([][]any, error) {
		*calls++
		res, err := st.Query(ctx, sql, kql.MaxDiscovered+1)
		if err != nil {
			return nil, err
		}
		return res.Rows, nil
	}
}

func columnNames(q *kql.Query) []string {
	out := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		out[i] = c.Name
	}
	return out
}

// TestDiscoverScope checks that a discovery sees exactly the rows the query
// sees: a slot or a pivot value that only another tenant's rows hold, or
// only rows outside the time range, does not become a column.
func TestDiscoverScope(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	tab, _ := reg.Table("SigninLogs")
	cols := []string{"TenantId", "TimeGenerated", "UserPrincipalName", "Location", "LocationDetails"}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i], _ = tab.Column(c)
	}
	extra := []store.Batch{
		{Seq: 1000, Tenant: "t2", Table: tab, IngestTime: ts("2024-01-09T00:00:00Z"), Columns: idx, Rows: [][]schema.Value{
			{"t2", ts("2024-01-09T08:00:00Z"), "mallory@other.com", "ZZ", schema.Dynamic(`{"city":"Elsewhere","leak":"secret"}`)},
		}},
		{Seq: 1001, Tenant: "t1", Table: tab, IngestTime: ts("2024-01-09T00:00:00Z"), Columns: idx, Rows: [][]schema.Value{
			{"t1", ts("2024-01-01T08:00:00Z"), "old@contoso.com", "OLD", schema.Dynamic(`{"city":"Oslo","old":1}`)},
		}},
	}
	if err := st.Write(context.Background(), "discover", 1001, extra); err != nil {
		t.Fatal(err)
	}
	from, to := ts("2024-01-05T00:00:00Z"), ts("2024-01-10T00:00:00Z")
	tests := []struct {
		name     string
		src      string
		from, to time.Time
		want     []string
	}{
		{"bag_unpack in the tenant", `SigninLogs | project LocationDetails | evaluate bag_unpack(LocationDetails)`, time.Time{}, time.Time{}, []string{"city", "geo", "old"}},
		{"bag_unpack in the time range", `SigninLogs | project LocationDetails | evaluate bag_unpack(LocationDetails)`, from, to, []string{"city", "geo"}},
		{"pivot in the tenant", `SigninLogs | project AppDisplayName, Location | evaluate pivot(Location)`, time.Time{}, time.Time{}, []string{"AppDisplayName", "FR", "OLD", "RU", "US"}},
		{"pivot in the time range", `SigninLogs | project AppDisplayName, Location | evaluate pivot(Location)`, from, to, []string{"AppDisplayName", "FR", "RU", "US"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			q, diags, err := kql.CompileDiscover(context.Background(), tt.src, reg, kql.Options{Tenants: []string{"t1"}, From: tt.from, To: tt.to, Now: goldenNow}, storeRunner(st, &calls))
			if err != nil || q == nil {
				t.Fatalf("compile: %v %v", err, diags)
			}
			if got := columnNames(q); !slices.Equal(got, tt.want) {
				t.Errorf("columns %v, want %v", got, tt.want)
			}
			if calls != 1 {
				t.Errorf("%d discovery queries, want 1", calls)
			}
			res, err := st.Query(context.Background(), q.SQL, 100)
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprint(res.Rows); strings.Contains(s, "secret") || strings.Contains(s, "Elsewhere") {
				t.Errorf("rows of another tenant: %s", s)
			}
		})
	}
}

// TestCompileNeedsDiscovery checks what Compile reports without a runner: the
// discoveries of the operators it reached, with their SQL, and no plan.
func TestCompileNeedsDiscovery(t *testing.T) {
	reg := schema.NewRegistry()
	tests := []struct {
		name    string
		src     string
		plugins []string
	}{
		{"bag_unpack", "SigninLogs | evaluate bag_unpack(LocationDetails)", []string{"bag_unpack"}},
		{"pivot", "SigninLogs | project AppDisplayName, Location | evaluate pivot(Location)", []string{"pivot"}},
		// The second evaluate's input is only known once the first is answered.
		{"stacked", "SigninLogs | evaluate bag_unpack(LocationDetails) | evaluate pivot(city)", []string{"bag_unpack"}},
		{"let and join", "let a = SigninLogs | evaluate bag_unpack(Status); SigninLogs | join (a) on UserPrincipalName | evaluate pivot(Location)", []string{"bag_unpack"}},
		// A union stops at its first leg without a plan.
		{"union legs", "union (SigninLogs | evaluate bag_unpack(Status)), (SigninLogs | evaluate bag_unpack(LocationDetails))", []string{"bag_unpack"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, diags := kql.Compile(tt.src, reg, kql.Options{Tenant: "t1", Now: goldenNow})
			if q == nil {
				t.Fatalf("compile: %v", diags)
			}
			if q.SQL != "" || q.Plan != nil || len(q.Columns) != 0 {
				t.Errorf("a query that needs discovery has SQL %q, columns %v", q.SQL, q.Columns)
			}
			var plugins []string
			for _, d := range q.Discoveries {
				plugins = append(plugins, d.Plugin)
				if !strings.Contains(d.SQL, `"TenantId" = 't1'`) {
					t.Errorf("discovery SQL without the tenant predicate:\n%s", d.SQL)
				}
				if !strings.HasPrefix(tt.src[d.Span.Start:], "evaluate") {
					t.Errorf("span %v is not the evaluate operator", d.Span)
				}
			}
			if !slices.Equal(plugins, tt.plugins) {
				t.Errorf("discoveries %v, want %v", plugins, tt.plugins)
			}
			if !strings.Contains(q.Explain(), "discovery queries run first") {
				t.Errorf("explain: %s", q.Explain())
			}
		})
	}
}

// TestDiscoverAnswers checks the compiler's handling of what a runner returns.
func TestDiscoverAnswers(t *testing.T) {
	reg := schema.NewRegistry()
	many := make([][]any, kql.MaxDiscovered+1)
	for i := range many {
		many[i] = []any{fmt.Sprintf("k%04d", i), "long", "long"}
	}
	failed := errors.New("store is down")
	tests := []struct {
		name    string
		src     string
		rows    [][]any
		runErr  error
		wantErr error
		diag    string
		cols    []string
	}{
		{"too many slots", "datatable(d:dynamic)[] | evaluate bag_unpack(d)", many, nil, nil, "more than 1000 columns", nil},
		{"too many values", "datatable(v:string)[] | evaluate pivot(v)", many, nil, nil, "more than 1000 columns", nil},
		{"runner error", "datatable(d:dynamic)[] | evaluate bag_unpack(d)", nil, failed, failed, "", nil},
		{"typed slots", "datatable(d:dynamic)[] | evaluate bag_unpack(d, 'x_')", [][]any{{"a", "long", "long"}, {"b", "long", "string"}}, nil, nil, "", []string{"x_a:long", "x_b:dynamic"}},
		{"driver strings", "datatable(v:long)[] | evaluate pivot(v)", [][]any{{[]byte("2")}, {ptr("1")}}, nil, nil, "", []string{"1:long", "2:long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := func(context.Context, string) ([][]any, error) { return tt.rows, tt.runErr }
			q, diags, err := kql.CompileDiscover(context.Background(), tt.src, reg, kql.Options{Tenant: "t1", Now: goldenNow}, run)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if tt.diag != "" {
				if q != nil || len(diags) == 0 || !strings.Contains(diags[0].Message, tt.diag) {
					t.Fatalf("diagnostics %v, want %q", diags, tt.diag)
				}
				return
			}
			if tt.cols == nil {
				return
			}
			if q == nil {
				t.Fatalf("compile: %v", diags)
			}
			var got []string
			for _, c := range q.Columns {
				got = append(got, c.Name+":"+c.Type.String())
			}
			if !slices.Equal(got, tt.cols) {
				t.Errorf("columns %v, want %v", got, tt.cols)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestDiscoverOnce checks that a discovery asked twice (a function called
// twice) runs once.
func TestDiscoverOnce(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	calls := 0
	src := `let f = () { SigninLogs | project UserPrincipalName, LocationDetails | evaluate bag_unpack(LocationDetails) };
f() | union f() | summarize count() by city`
	q, diags, err := kql.CompileDiscover(context.Background(), src, reg, kql.Options{Tenant: "t1", Now: goldenNow}, storeRunner(st, &calls))
	if err != nil || q == nil {
		t.Fatalf("compile: %v %v", err, diags)
	}
	if calls != 1 {
		t.Errorf("%d discovery queries, want 1", calls)
	}
}

package kql_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// escapeQueries try to read another tenant's rows: by naming it, by every
// table at once, through joins, lets, subqueries and materialize. The fixture
// holds one row of tenant t2 (user "mallory", command line "secret").
var escapeQueries = []string{
	`DeviceProcessEvents | where TenantId == 't2'`,
	`DeviceProcessEvents | where TenantId != 't1' or true`,
	`DeviceProcessEvents | where AccountName == 'mallory' or TenantId in ('t1', 't2')`,
	`union * | where TenantId == 't2' | project TenantId, AccountName`,
	`union Device* | project TenantId, AccountName, ProcessCommandLine`,
	`union withsource=T DeviceProcessEvents, DeviceNetworkEvents | where TenantId == 't2'`,
	`search in (DeviceProcessEvents, DeviceNetworkEvents) "mallory"`,
	`search in (DeviceProcessEvents) "secret" | where TenantId == 't2'`,
	`let t = DeviceProcessEvents | where TenantId == 't2'; t | project AccountName, ProcessCommandLine`,
	`let t = materialize(DeviceProcessEvents | where TenantId == 't2'); t | union t`,
	`DeviceNetworkEvents | join kind=inner (DeviceProcessEvents | where TenantId == 't2') on DeviceName | project AccountName`,
	`DeviceNetworkEvents | join kind=leftouter (DeviceProcessEvents) on $left.TenantId == $right.TenantId | project AccountName, ProcessCommandLine`,
	`let bad = DeviceProcessEvents | where TenantId == 't2' | project AccountName; DeviceProcessEvents | where AccountName in (bad)`,
	`DeviceProcessEvents | summarize make_set(AccountName), make_set(TenantId)`,
	`DeviceProcessEvents | extend TenantId = 't1' | where AccountName == 'mallory'`,
	`DeviceProcessEvents | project-rename Tenant = TenantId | where Tenant == 't2'`,
	`let f = (t:string) { table(t) | where TenantId == 't2' }; let x = f("DeviceProcessEvents"); x | project AccountName, ProcessCommandLine`,
	`let x = (union (DeviceProcessEvents | where TenantId == 't2'), (DeviceNetworkEvents)); x`,
	`let names = DeviceProcessEvents | where TenantId == 't2' | summarize make_list(AccountName); DeviceProcessEvents | where AccountName in (names)`,
	`DeviceProcessEvents | extend Leak = toscalar(DeviceProcessEvents | where TenantId == 't2' | project ProcessCommandLine) | project Leak`,
	`let who = toscalar(DeviceProcessEvents | where AccountName == 'mallory' | project strcat(AccountName, TenantId)); DeviceNetworkEvents | project who`,
}

// TestTenantEscape runs each escape query for a principal granted t1 and t3
// and checks that no row of t2 comes back, and that every scan of its plan
// carries exactly the granted tenants.
func TestTenantEscape(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	grants := []string{"t1", "t3"}
	for _, src := range escapeQueries {
		t.Run(src, func(t *testing.T) {
			q, diags := kql.Compile(src, reg, kql.Options{Tenants: grants, Now: goldenNow})
			if q == nil {
				t.Fatalf("compile: %v", diags)
			}
			checkScans(t, q, grants)
			if strings.HasPrefix(src, "union *") {
				return // reads every table of the registry; the fixture holds four
			}
			res, err := st.Query(context.Background(), q.SQL, 1000)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			b, _ := json.Marshal(res.Rows)
			if s := string(b); strings.Contains(s, "mallory") || strings.Contains(s, "secret") || strings.Contains(s, `"t2"`) {
				t.Errorf("rows of tenant t2 leaked: %s", s)
			}
		})
	}
}

// checkScans asserts that every scan in the plan reads only tenants and that
// the SQL has a tenant predicate for each table it reads.
func checkScans(t *testing.T, q *kql.Query, tenants []string) {
	t.Helper()
	ex := plan.Explain(q.Plan)
	scans := 0
	for line := range strings.SplitSeq(ex, "\n") {
		if !strings.Contains(line, "Scan ") {
			continue
		}
		scans++
		b, _ := json.Marshal(tenants)
		want := "tenants=" + strings.ReplaceAll(strings.Trim(string(b), "[]"), ",", " ")
		if !strings.Contains(line, "tenants=["+strings.TrimPrefix(want, "tenants=")+"]") {
			t.Errorf("scan without the granted tenants: %s", line)
		}
	}
	if scans == 0 {
		t.Fatalf("no scans in plan:\n%s", ex)
	}
	pred := `"TenantId" IN ('` + strings.Join(tenants, `', '`) + `')`
	if n := strings.Count(q.SQL, pred); n < scans {
		t.Errorf("%d scans but %d tenant predicates", scans, n)
	}
}

// TestTenantGrants checks that a principal sees exactly its tenants: one, the
// other, or both at once.
func TestTenantGrants(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	src := `DeviceProcessEvents | summarize by TenantId | order by TenantId asc`
	for _, tc := range []struct {
		opts kql.Options
		want string
	}{
		{kql.Options{Tenant: "t1"}, `[["t1"]]`},
		{kql.Options{Tenants: []string{"t2"}}, `[["t2"]]`},
		{kql.Options{Tenants: []string{"t1", "t2"}}, `[["t1"],["t2"]]`},
		{kql.Options{Tenants: []string{"t3", "t4"}}, `[]`},
	} {
		tc.opts.Now = goldenNow
		q, diags := kql.Compile(src, reg, tc.opts)
		if q == nil {
			t.Fatalf("compile: %v", diags)
		}
		res, err := st.Query(context.Background(), q.SQL, 100)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(res.Rows); string(b) != tc.want {
			t.Errorf("%+v: rows %s, want %s", tc.opts, b, tc.want)
		}
	}
	if q, _ := kql.Compile(src, reg, kql.Options{Tenants: []string{"t1", ""}}); q != nil {
		t.Error("an empty tenant in Tenants compiled")
	}
}

// FuzzTenantPredicate compiles arbitrary queries for a principal granted two
// tenants: whatever compiles must scan only with the granted tenants, with a
// tenant predicate in the SQL for every scan. Seeds are the escape queries.
func FuzzTenantPredicate(f *testing.F) {
	for _, q := range escapeQueries {
		f.Add(q)
	}
	reg := schema.NewRegistry()
	grants := []string{"t1", "t3"}
	f.Fuzz(func(t *testing.T, src string) {
		q, _ := kql.Compile(src, reg, kql.Options{Tenants: grants, Now: goldenNow})
		if q == nil || !strings.Contains(plan.Explain(q.Plan), "Scan ") {
			return
		}
		checkScans(t, q, grants)
	})
}

// TestToScalarScope checks that the subquery of toscalar() is scoped like
// any other scan: by tenant, by device group and by time range. The largest
// FileSize of DeviceProcessEvents differs under each scope.
func TestToScalarScope(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	src := `print m = toscalar(DeviceProcessEvents | summarize max(FileSize))`
	for _, tc := range []struct {
		name string
		opts kql.Options
		want string
	}{
		{"tenant t1", kql.Options{Tenant: "t1"}, `[[1200000]]`},
		{"tenant t2", kql.Options{Tenants: []string{"t2"}}, `[[1]]`},
		{"tenant t3", kql.Options{Tenants: []string{"t3"}}, `[[null]]`},
		{"device ws1", kql.Options{Tenant: "t1", Devices: map[string]kql.DeviceSet{"t1": {Names: []string{"ws1"}}}}, `[[4000]]`},
		{"time range", kql.Options{Tenant: "t1", From: ts("2024-01-09T10:15:00Z"), To: ts("2024-01-09T11:00:00Z")}, `[[300]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Now = goldenNow
			q, diags := kql.Compile(src, reg, tc.opts)
			if q == nil {
				t.Fatalf("compile: %v", diags)
			}
			res, err := st.Query(context.Background(), q.SQL, 10)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(res.Rows); string(b) != tc.want {
				t.Errorf("rows %s, want %s", b, tc.want)
			}
		})
	}
}

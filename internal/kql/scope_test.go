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

// deviceEscapeQueries try to read devices outside a principal's device
// groups, on top of every tenant escape.
var deviceEscapeQueries = append([]string{
	`DeviceProcessEvents | where DeviceName != 'ws1'`,
	`DeviceProcessEvents | where DeviceName in~ ('ws2', 'SRV1', 'ws3') or true`,
	`union DeviceProcessEvents, DeviceNetworkEvents | where DeviceName startswith 'ws'`,
	`search in (DeviceProcessEvents, DeviceNetworkEvents) "carol"`,
	`search in (DeviceNetworkEvents) "mimikatz"`,
	`find in (Device*) where DeviceName == 'ws3' project DeviceName, AccountName`,
	`let d = DeviceNetworkEvents | where DeviceName == 'ws2' | project DeviceName; DeviceProcessEvents | join kind=rightouter (d) on DeviceName`,
	`DeviceNetworkEvents | summarize make_set(DeviceName), make_set(RemoteIP)`,
	`let f = (t:string) { table(t) | project-rename D = DeviceName }; let x = f("DeviceProcessEvents"); x | where D == 'ws2'`,
	`DeviceProcessEvents | extend DeviceName = 'ws1' | project DeviceName, AccountName`,
}, escapeQueries...)

// TestDeviceScopeEscape runs each query for a principal granted t1 (scoped
// to device ws1) and t3, and checks that no row of another device or tenant
// comes back and that every device-table scan sits under the device filter.
func TestDeviceScopeEscape(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	grants := []string{"t1", "t3"}
	devices := map[string]kql.DeviceSet{"t1": {Names: []string{"WS1"}, IDs: []string{"id-ws1"}}}
	for _, src := range deviceEscapeQueries {
		t.Run(src, func(t *testing.T) {
			q, diags := kql.Compile(src, reg, kql.Options{Tenants: grants, Now: goldenNow, Devices: devices})
			if q == nil {
				t.Fatalf("compile: %v", diags)
			}
			checkDeviceFilters(t, q.Plan, reg)
			if strings.HasPrefix(src, "union *") {
				return // reads every table of the registry; the fixture holds four
			}
			res, err := st.Query(context.Background(), q.SQL, 1000)
			if err != nil {
				t.Fatalf("query: %.300v", err)
			}
			b, _ := json.Marshal(res.Rows)
			for _, leak := range []string{"ws2", "srv1", "ws3", "bob", "carol", "svc_backup", "mimikatz", "mallory", "secret", "192.168.1.20"} {
				if s := string(b); strings.Contains(s, leak) {
					t.Errorf("rows outside device scope leaked (%s): %s", leak, s)
				}
			}
		})
	}
}

// checkDeviceFilters asserts that every scan of a table with a device column
// is directly under a filter on the device columns.
func checkDeviceFilters(t *testing.T, n plan.Node, reg *schema.Registry) {
	t.Helper()
	ex := plan.Explain(n)
	lines := strings.Split(ex, "\n")
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "Scan" {
			continue
		}
		tab, _ := reg.Table(f[1])
		_, hasName := tab.Column("DeviceName")
		if !hasName {
			continue
		}
		if i == 0 || !strings.Contains(lines[i-1], "Filter") || !strings.Contains(lines[i-1], "DeviceName") {
			t.Errorf("scan of %s without the device filter:\n%s", f[1], ex)
		}
	}
}

// TestDeviceScopeRows checks the rows a device-scoped principal sees: only
// its devices in the scoped tenant, everything in an unscoped one, nothing
// when its groups hold no device.
func TestDeviceScopeRows(t *testing.T) {
	reg := schema.NewRegistry()
	st := openFixture(t, reg)
	src := `DeviceProcessEvents | summarize by TenantId, DeviceName | order by TenantId asc, DeviceName asc`
	for _, tc := range []struct {
		opts kql.Options
		want string
	}{
		{kql.Options{Tenant: "t1", Devices: map[string]kql.DeviceSet{"t1": {Names: []string{"ws1", "srv1"}}}}, `[["t1","srv1"],["t1","ws1"]]`},
		{kql.Options{Tenant: "t1", Devices: map[string]kql.DeviceSet{"t1": {}}}, `[]`},
		{kql.Options{Tenants: []string{"t1", "t2"}, Devices: map[string]kql.DeviceSet{"t1": {Names: []string{"ws2"}}}}, `[["t1","ws2"],["t2","other"]]`},
		{kql.Options{Tenants: []string{"t1", "t2"}, Devices: map[string]kql.DeviceSet{"t2": {Names: []string{"ws2"}}}},
			`[["t1","srv1"],["t1","ws1"],["t1","ws2"],["t1","ws3"]]`},
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
			t.Errorf("%+v: rows %s, want %s", tc.opts.Devices, b, tc.want)
		}
	}
}

// TestTableAllowed checks table-level read permissions: a table named
// directly is an error at its span, wildcards skip it.
func TestTableAllowed(t *testing.T) {
	reg := schema.NewRegistry()
	deny := func(table string) (bool, string) {
		if table == "VigilAudit" {
			return false, "needs the audit:read permission"
		}
		return true, ""
	}
	for _, tc := range []struct {
		src   string
		diag  string
		start int
	}{
		{src: `VigilAudit | take 1`, diag: "table VigilAudit needs the audit:read permission", start: 0},
		{src: `SigninLogs | union (vigilaudit)`, diag: "table VigilAudit needs the audit:read permission", start: 20},
		{src: `let x = 1; DeviceEvents | join (VigilAudit) on TenantId`, diag: "table VigilAudit needs the audit:read permission", start: 32},
		{src: `let f = (t:string) { table(t) | take 1 }; let x = f("VigilAudit"); x`, diag: "table VigilAudit needs the audit:read permission"},
		{src: `union *`},
		{src: `union Vigil*`},
		{src: `search in (Vigil*, SigninLogs) "x"`},
		{src: `find in (Vigil*, SigninLogs) where TenantId == "x" project TenantId`},
	} {
		q, diags := kql.Compile(tc.src, reg, kql.Options{Tenant: "t1", Now: goldenNow, TableAllowed: deny})
		if tc.diag != "" {
			if q != nil || len(diags) == 0 || diags[0].Message != tc.diag || (tc.start > 0 && diags[0].Span.Start != tc.start) {
				t.Errorf("%s: diags %+v, want %q at %d", tc.src, diags, tc.diag, tc.start)
			}
			continue
		}
		if q == nil {
			t.Errorf("%s: %v", tc.src, diags)
			continue
		}
		if strings.Contains(q.SQL, `"VigilAudit"`) {
			t.Errorf("%s: reads VigilAudit: %s", tc.src, q.SQL)
		}
	}
	// Allowed: the same query reads it.
	if q, diags := kql.Compile(`union Vigil*`, reg, kql.Options{Tenant: "t1"}); q == nil || !strings.Contains(q.SQL, `"VigilAudit"`) {
		t.Errorf("without TableAllowed: %v %v", diags, q)
	}
}

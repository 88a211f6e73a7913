package ruleset_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/ruleset"
	"github.com/vigilsec/vigil/internal/detect/schedule"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

const contentRule = `id: 0b0c1e7e-0000-4000-8000-000000000001
name: Mimikatz on a device
description: A credential theft tool ran.
severity: High
status: Available
requiredDataConnectors: []
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics: [CredentialAccess]
relevantTechniques: [T1003]
query: |
  DeviceProcessEvents
  | where FileName =~ "mimikatz.exe"
  | project Timestamp, DeviceName, AccountName
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: DeviceName
version: 1.0.0
kind: Scheduled
`

const apiRule = `id: 0b0c1e7e-0000-4000-8000-000000000002
name: Rubeus on a device
description: A Kerberos abuse tool ran.
severity: Medium
queryFrequency: 5m
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics: [CredentialAccess]
relevantTechniques: [T1558]
query: |
  DeviceProcessEvents
  | where FileName =~ "rubeus.exe"
  | project Timestamp, DeviceName
entityMappings:
  - entityType: Host
    fieldMappings:
      - identifier: HostName
        columnName: DeviceName
kind: Scheduled
`

type fixture struct {
	set  *ruleset.Set
	meta *meta.Store
	mu   sync.Mutex
	jobs []schedule.Job
}

func (f *fixture) lastJobs() map[string][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]string{}
	for _, j := range f.jobs {
		out[j.Rule.Name] = j.Tenants
	}
	return out
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mimikatz.yaml"), []byte(contentRule), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: filepath.Join(dir, "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	reg := schema.NewRegistry()
	st, err := duckdb.Open(ctx, filepath.Join(dir, "events.duckdb"), duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.EnsureTables(ctx, reg.Tables()); err != nil {
		t.Fatal(err)
	}
	writeProcesses(t, st, reg)
	f := &fixture{meta: m}
	f.set, err = ruleset.New(ruleset.Options{
		Registry: reg, Store: m, Content: []string{filepath.Join(dir, "mimikatz.yaml")}, Tenants: []string{"contoso", "fabrikam"},
		Evaluator: schedule.KQL{Registry: reg, Store: st},
		OnChange: func(jobs []schedule.Job) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.jobs = jobs
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var base = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func writeProcesses(t *testing.T, st *duckdb.Store, reg *schema.Registry) {
	t.Helper()
	tab, _ := reg.Table("DeviceProcessEvents")
	names := []string{"Timestamp", "TimeGenerated", "DeviceName", "FileName", "AccountName"}
	cols := make([]int, len(names))
	for i, n := range names {
		cols[i], _ = tab.Column(n)
	}
	row := func(min int, dev, file string) []schema.Value {
		ts := base.Add(time.Duration(min) * time.Minute)
		return []schema.Value{ts, ts, dev, file, "pat"}
	}
	b := store.Batch{Seq: 1, Tenant: "contoso", Table: tab, IngestTime: base, Columns: cols,
		Rows: [][]schema.Value{row(5, "ws1", "mimikatz.exe"), row(6, "ws2", "Rubeus.exe"), row(7, "ws3", "notepad.exe")}}
	if err := st.Write(context.Background(), "test", 1, []store.Batch{b}); err != nil {
		t.Fatal(err)
	}
}

func TestPutSwitchDeleteReloadsJobs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.set.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.lastJobs(); len(got) != 1 || !slices.Equal(got["Mimikatz on a device"], []string{"contoso", "fabrikam"}) {
		t.Fatalf("initial jobs = %v", got)
	}
	e, err := f.set.Put(ctx, "contoso", "alice", "rule.yaml", []byte(apiRule), 0)
	if err != nil {
		t.Fatal(err)
	}
	if e.Origin != ruleset.OriginAPI || e.Version != 1 || e.CreatedBy != "alice" || e.NotRun != "" {
		t.Errorf("created entry = %+v", e)
	}
	if got := f.lastJobs(); !slices.Equal(got["Rubeus on a device"], []string{"contoso"}) {
		t.Errorf("after put, jobs = %v; the API rule must run for its tenant only", got)
	}
	if _, err := f.set.SetEnabled(ctx, "fabrikam", "0b0c1e7e-0000-4000-8000-000000000001", false, "bob"); err != nil {
		t.Fatal(err)
	}
	if got := f.lastJobs(); !slices.Equal(got["Mimikatz on a device"], []string{"contoso"}) {
		t.Errorf("after switching off for fabrikam, jobs = %v", got)
	}
	list, err := f.set.List(ctx, "fabrikam")
	if err != nil || len(list) != 1 || list[0].Enabled || list[0].NotRun != "disabled" {
		t.Errorf("fabrikam sees %+v, %v: only the content rule, disabled", list, err)
	}
	if err := f.set.Delete(ctx, "contoso", "0b0c1e7e-0000-4000-8000-000000000001"); !errors.Is(err, ruleset.ErrReadOnly) {
		t.Errorf("deleting a content rule: err = %v, want ErrReadOnly", err)
	}
	if err := f.set.Delete(ctx, "contoso", "0b0c1e7e-0000-4000-8000-000000000002"); err != nil {
		t.Fatal(err)
	}
	if got := f.lastJobs(); len(got) != 1 {
		t.Errorf("after delete, jobs = %v", got)
	}
}

func TestPutRefusesBadRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, c := range []struct{ name, doc, want string }{
		{"unknown column", strings.Replace(apiRule, "| project Timestamp, DeviceName", "| project Timestamp, DeviceNme", 1), "DeviceNme"},
		{"bad severity", strings.Replace(apiRule, "severity: Medium", "severity: Urgent", 1), "Urgent"},
		{"content id", strings.Replace(apiRule, "000000000002", "000000000001", 1), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.set.Put(ctx, "contoso", "alice", "rule.yaml", []byte(c.doc), 0)
			var inv *ruleset.InvalidError
			switch {
			case c.want == "":
				if !errors.Is(err, ruleset.ErrReadOnly) {
					t.Errorf("err = %v, want ErrReadOnly", err)
				}
			case !errors.As(err, &inv) || !strings.Contains(err.Error(), c.want):
				t.Errorf("err = %v, want an InvalidError naming %q", err, c.want)
			}
		})
	}
}

func TestDryRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.set.Put(ctx, "contoso", "alice", "rule.yaml", []byte(apiRule), 0); err != nil {
		t.Fatal(err)
	}
	res, err := f.set.Test(ctx, "contoso", "0b0c1e7e-0000-4000-8000-000000000002", base, base.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 1 || len(res.Alerts) != 1 || res.Alerts[0].Entities[0].Identifiers["HostName"] != "ws2" {
		t.Errorf("dry run = %+v", res)
	}
	// Other tenants' rows are never seen, and a window before the events finds nothing.
	if res, err := f.set.Test(ctx, "contoso", "0b0c1e7e-0000-4000-8000-000000000001", base.Add(-time.Hour), base); err != nil || res.Rows != 0 {
		t.Errorf("empty window = %+v, %v", res, err)
	}
	if _, err := f.set.Test(ctx, "fabrikam", "0b0c1e7e-0000-4000-8000-000000000002", base, base.Add(time.Hour)); !errors.Is(err, meta.ErrNotFound) {
		t.Errorf("another tenant's rule: err = %v, want ErrNotFound", err)
	}
	if _, err := f.set.Test(ctx, "contoso", "0b0c1e7e-0000-4000-8000-000000000002", base, base); err == nil {
		t.Error("empty window accepted")
	}
}

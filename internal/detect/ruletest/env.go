package ruletest

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// Env is where scripts run: one event store shared by the scripts of a test run, each script
// writing to and reading from a tenant of its own, so that scripts never see each other's
// rows. An Env is used from one goroutine.
type Env struct {
	Registry *schema.Registry
	Store    store.Store
	ensured  map[string]bool
	seq      uint64
	scripts  int
	closer   func() error
}

// NewEnv opens a DuckDB event store in dir (a fresh directory, such as t.TempDir()).
func NewEnv(ctx context.Context, dir string) (*Env, error) {
	st, err := duckdb.Open(ctx, filepath.Join(dir, "ruletest.db"), duckdb.Options{Threads: 1})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &Env{Registry: schema.NewRegistry(), Store: st, ensured: map[string]bool{}, closer: st.Close}, nil
}

// Close closes the store.
func (e *Env) Close() error { return e.closer() }

// table returns the named table, creating it in the store on first use.
func (e *Env) table(ctx context.Context, name string) (*schema.Table, error) {
	t, ok := e.Registry.Table(name)
	if !ok || t.Kind == schema.KindVigil {
		return nil, fmt.Errorf("unknown table %q", name)
	}
	if !e.ensured[t.Name] {
		if err := e.Store.EnsureTables(ctx, []*schema.Table{t}); err != nil {
			return nil, fmt.Errorf("create table %s: %w", t.Name, err)
		}
		e.ensured[t.Name] = true
	}
	return t, nil
}

// write stores rows (each as wide as t.Columns) for tenant, ingested at at, as the store
// writer does after the bus: only the columns set in some row are carried.
func (e *Env) write(ctx context.Context, tenant string, t *schema.Table, at time.Time, rows [][]schema.Value) error {
	var used []int
	for i, c := range t.Columns {
		if c.Hidden {
			continue
		}
		for _, r := range rows {
			if r[i] != nil {
				used = append(used, i)
				break
			}
		}
	}
	narrow := make([][]schema.Value, len(rows))
	for k, r := range rows {
		narrow[k] = make([]schema.Value, len(used))
		for j, i := range used {
			narrow[k][j] = r[i]
		}
	}
	e.seq++
	b := store.Batch{Seq: e.seq, Tenant: tenant, Table: t, IngestTime: at, Columns: used, Rows: narrow}
	if err := e.Store.Write(ctx, "ruletest", e.seq, []store.Batch{b}); err != nil {
		return fmt.Errorf("write %s: %w", t.Name, err)
	}
	return nil
}

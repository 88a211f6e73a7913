package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect/watchlist"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// errServerRunning is a data directory a running server holds.
var errServerRunning = errors.New("data directory in use by a running server")

// queryOffline runs src in this process on the data directory dir, reading it only. It
// compiles as the server does, with the server's default row limit and timeout, for the
// tenants of tenantFlag and the range of timespan.
func queryOffline(ctx context.Context, dir, src, tenantFlag, timespan string) (*result, []syntax.Diagnostic, error) {
	from, to, err := hunt.ParseTimespan(timespan, time.Now())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: --timespan: %w", errUsage, err)
	}
	d, err := openDataDir(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	defer d.Close()
	tenants, err := queryTenants(ctx, d.meta, tenantFlag)
	if err != nil {
		return nil, nil, err
	}
	opts := kql.Options{Tenant: tenants[0], Tenants: tenants, From: from, To: to}
	if d.meta != nil {
		opts.Watchlists = watchlist.NewResolver(ctx, d.meta, tenants...)
	}
	defaults := app.Default()
	ctx, cancel := context.WithTimeout(ctx, defaults.Server.QueryTimeout)
	defer cancel()
	res, err := hunt.Run(ctx, d.events, d.reg, src, opts, defaults.Server.MaxQueryRows)
	if err != nil {
		return nil, nil, err
	}
	out := &result{Columns: make([]resultColumn, len(res.Columns)), Rows: res.Rows, Truncated: res.Truncated}
	for i, c := range res.Columns {
		out.Columns[i] = resultColumn(c)
	}
	return out, res.Warnings, nil
}

// dataDir is a data directory opened for reading: the event store in DuckDB's read_only
// mode (or, when there is none, an in-memory one with every table empty), the state store
// without migrations (nil when there is none) and the registry with its custom tables.
type dataDir struct {
	events *duckdb.Store
	meta   *meta.Store
	reg    *schema.Registry
}

func openDataDir(ctx context.Context, dir string) (_ *dataDir, err error) {
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("data directory %s: no such directory", dir)
	case err != nil:
		return nil, fmt.Errorf("data directory: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("data directory %s: not a directory", dir)
	}
	d := &dataDir{reg: schema.NewRegistry()}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	// The event store is opened first: it is the file a running server locks, and the state
	// store must not be read beside a writer without its locks.
	d.events, err = duckdb.OpenReadOnly(ctx, filepath.Join(dir, "events.duckdb"), duckdb.Options{})
	switch {
	case errors.Is(err, duckdb.ErrLocked):
		return nil, serverRunningError(dir, err)
	case errors.Is(err, fs.ErrNotExist):
		d.events = nil // no event store yet: every table reads empty (below)
	case err != nil:
		return nil, err
	}
	d.meta, err = meta.OpenReadOnly(ctx, filepath.Join(dir, "meta.db"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.meta = nil // no state store yet: no custom tables, no watchlists, the default tenant
	case err != nil:
		return nil, err
	default:
		if err := registerCustomTables(ctx, d.meta, d.reg); err != nil {
			return nil, err
		}
	}
	if d.events == nil {
		if d.events, err = duckdb.OpenMemory(ctx, d.reg.Tables(), duckdb.Options{}); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Close closes the stores that are open.
func (d *dataDir) Close() {
	if d.events != nil {
		_ = d.events.Close()
	}
	if d.meta != nil {
		_ = d.meta.Close()
	}
}

// registerCustomTables registers the custom tables of the state store ms in reg, as the
// server does when it starts.
func registerCustomTables(ctx context.Context, ms *meta.Store, reg *schema.Registry) error {
	custom, err := ms.CustomTables(ctx)
	if err != nil {
		return fmt.Errorf("read custom tables: %w", err)
	}
	for _, ct := range custom {
		cols := make([]schema.ColumnDef, len(ct.Columns))
		for i, c := range ct.Columns {
			cols[i] = schema.ColumnDef{Name: c.Name, Type: c.Type}
		}
		t, err := schema.NewTable(ct.Name, schema.KindCustom, cols)
		if err != nil {
			return fmt.Errorf("custom table %s: %w", ct.Name, err)
		}
		t.Description = ct.Description
		reg.Register(t)
	}
	return nil
}

// queryTenants reads --tenant as the API reads X-Vigil-Tenant: empty is the default tenant,
// "*" every tenant of the state store ms (nil: none yet, so the default tenant), else one ID
// or several separated by commas.
func queryTenants(ctx context.Context, ms *meta.Store, flag string) ([]string, error) {
	switch strings.TrimSpace(flag) {
	case "":
		return []string{meta.DefaultTenantID}, nil
	case auth.AllTenants:
		if ms == nil {
			return []string{meta.DefaultTenantID}, nil
		}
		ts, err := ms.Tenants(ctx)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(ts))
		for i, t := range ts {
			ids[i] = t.ID
		}
		if len(ids) == 0 {
			return nil, errors.New("the state store has no tenants")
		}
		return ids, nil
	}
	var ids []string
	for t := range strings.SplitSeq(flag, ",") {
		t = strings.TrimSpace(t)
		if !auth.TenantIDValid(t) {
			return nil, fmt.Errorf("%w: --tenant %q: a tenant ID is 1 to 64 letters, digits, '-' or '_'", errUsage, t)
		}
		ids = append(ids, t)
	}
	return ids, nil
}

// serverRunningError says that dir is held by a running server and how to query it instead:
// the server records its process ID in vigil.lock but not its address.
func serverRunningError(dir string, cause error) error {
	who := "a running Vigil server"
	if b, err := os.ReadFile(filepath.Join(dir, "vigil.lock")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			who = fmt.Sprintf("a running Vigil server (pid %d)", pid)
		}
	}
	return fmt.Errorf("%w: %s is held by %s, which does not record its address there; query it through its API "+
		"with --server URL (or $VIGIL_SERVER) and --data %s for its admin key, or stop it (%v)", errServerRunning, dir, who, dir, cause)
}

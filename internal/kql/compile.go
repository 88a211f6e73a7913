package kql

import (
	"fmt"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/sema"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
)

// Options are the compile-time inputs besides the query text.
type Options struct {
	// Tenant is required unless Tenants is set: the compiler restricts every
	// table scan to it.
	Tenant string
	// Tenants, when not empty, restricts every table scan to these tenants
	// instead (TenantId IN (...)): a principal granted several tenants.
	Tenants []string
	// From and To, when set, restrict every scan to TimeGenerated in [From, To).
	From, To time.Time
	// IngestAfter and IngestThrough, when IngestThrough is set, restrict every scan to the
	// rows stored from the bus messages in (IngestAfter, IngestThrough]: near-real-time
	// rules read what arrived since their previous run, by ingest order, not event time.
	IngestAfter, IngestThrough uint64
	// Now is the value of now() and the base of ago(); zero means the current time.
	Now time.Time
	// Dialect is the SQL dialect to generate; nil means DuckDB.
	Dialect *sqlgen.Dialect
	// Devices, when not empty, restricts the rows of device tables (every
	// table with a DeviceName or DeviceId column) per tenant to the devices
	// listed for it (a principal scoped to device groups); a tenant absent is
	// not restricted. The filter is applied on each scan, below the query.
	Devices map[string]DeviceSet
	// TableAllowed, when set, is asked for every stored table: a table the
	// query names and may not read is an error at its span ("table T " +
	// reason); wildcards (union *, search *, find) skip it silently.
	TableAllowed func(table string) (ok bool, reason string)
	// Watchlists resolves the aliases _GetWatchlist('alias') names (the
	// tenant's watchlists); nil makes _GetWatchlist() an error.
	Watchlists Watchlists

	// discover runs the discovery queries of CompileDiscover; nil in Compile.
	discover *discoverer
}

// Watchlists resolves watchlist aliases to their columns.
type Watchlists = sema.Watchlists

// WatchlistMap is Watchlists over a fixed set: alias to columns.
type WatchlistMap = sema.WatchlistMap

// WatchlistItemType is the _DTItemType of the Watchlist rows that hold items.
const WatchlistItemType = sema.WatchlistItemType

// NoWatchlistsMessage is the diagnostic of _GetWatchlist() compiled without Watchlists.
const NoWatchlistsMessage = sema.NoWatchlistsMessage

// DeviceSet is the devices in scope in one tenant, by name and by id.
type DeviceSet = sema.DeviceSet

// Column is an output column with its Kusto type.
type Column struct {
	Name string      `json:"name"`
	Type schema.Type `json:"-"`
}

// Query is a compiled query.
type Query struct {
	SQL     string
	Columns []Column
	Plan    plan.Node
	// Ordered reports whether the row order is defined by the query (a sort).
	Ordered bool
	// Discoveries, when not empty, are the discovery queries the query needs
	// before it can be planned (an evaluate bag_unpack or pivot without an
	// output schema takes its columns from the data); SQL, Columns and Plan
	// are then empty. CompileDiscover runs them; see doc.go.
	Discoveries []Discovery
}

// Compile parses, checks and plans src and generates SQL in opts.Dialect (DuckDB by default). It returns
// a nil Query when any diagnostic is an error; warnings come with a Query.
func Compile(src string, reg *schema.Registry, opts Options) (q *Query, diags []syntax.Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			q = nil
			diags = append(diags, syntax.Diagnostic{Span: syntax.Span{Start: 0, End: len(src)}, Message: fmt.Sprintf("internal compiler error: %v", r)})
		}
	}()
	if opts.Tenant == "" && len(opts.Tenants) == 0 || slices.Contains(opts.Tenants, "") {
		return nil, []syntax.Diagnostic{{Message: "no tenant given to the compiler"}}
	}
	d := opts.Dialect
	if d == nil {
		d = sqlgen.DuckDB
	}
	disc := opts.discover
	if disc == nil {
		disc = &discoverer{}
	}
	disc.dialect = d
	script, diags := syntax.Parse(src)
	if syntax.HasErrors(diags) {
		return nil, diags
	}
	n, sd := sema.Check(script, reg, sema.Options{Tenant: opts.Tenant, Tenants: opts.Tenants, From: opts.From, To: opts.To, Now: opts.Now,
		IngestAfter: opts.IngestAfter, IngestThrough: opts.IngestThrough, Devices: opts.Devices, TableAllowed: opts.TableAllowed, Watchlists: opts.Watchlists,
		Discover: disc.answer})
	diags = append(diags, sd...)
	if n == nil {
		return disc.pendingQuery(diags)
	}
	sql, err := sqlgen.Generate(n, d)
	if err != nil {
		return nil, append(diags, syntax.Diagnostic{Span: syntax.Span{End: len(src)}, Message: err.Error()})
	}
	q = &Query{SQL: sql, Plan: n, Ordered: plan.Ordered(n)}
	for _, c := range n.Columns() {
		q.Columns = append(q.Columns, Column{Name: c.Name, Type: c.Type})
	}
	return q, diags
}

// Explain renders the plan and SQL of a compiled query, or the discovery
// queries a query needs first.
func (q *Query) Explain() string {
	if len(q.Discoveries) > 0 {
		return explainDiscoveries(q.Discoveries)
	}
	return "plan:\n" + plan.Explain(q.Plan) + "\nsql:\n" + q.SQL + "\n"
}

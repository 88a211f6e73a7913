package schedule

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/watchlist"
	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Window is what one run of a rule looks at: a tenant's rows with TimeGenerated in [From, To)
// for a scheduled rule, or, for a near-real-time rule, the rows stored from the bus messages
// in (IngestAfter, IngestThrough] whatever their time (From and To are then zero).
type Window struct {
	Tenant   string
	From, To time.Time
	Now      time.Time // the value of now() in the query: the slot time
	// IngestAfter and IngestThrough bound a near-real-time run; IngestThrough is 0 otherwise.
	IngestAfter, IngestThrough uint64
}

// Evaluator runs a rule's query over a window. It is called from the rule goroutines
// concurrently.
type Evaluator interface {
	Evaluate(ctx context.Context, r *rule.Rule, w Window) (*store.Result, error)
}

// Querier runs SQL on the event store (store.Store satisfies it).
type Querier interface {
	Query(ctx context.Context, sql string, maxRows int) (*store.Result, error)
}

// KQL compiles rules with the KQL compiler, which restricts every scan to the window's tenant
// and time range, and runs them on a store.
type KQL struct {
	Registry *schema.Registry
	Store    Querier
	MaxRows  int // most result rows per run; 0 means 10000
	// Watchlists reads the tenant's watchlists for _GetWatchlist(); nil makes it an error.
	Watchlists watchlist.Lister
}

// Evaluate compiles and runs r's query for w.
func (k KQL) Evaluate(ctx context.Context, r *rule.Rule, w Window) (*store.Result, error) {
	opts := kql.Options{Tenant: w.Tenant, From: w.From, To: w.To, Now: w.Now, IngestAfter: w.IngestAfter, IngestThrough: w.IngestThrough}
	if k.Watchlists != nil {
		opts.Watchlists = watchlist.NewResolver(ctx, k.Watchlists, w.Tenant)
	}
	// A bag_unpack or pivot without an output schema discovers its columns in the window's
	// rows (same tenant, time and ingest range) before the query runs.
	q, diags, err := kql.CompileDiscover(ctx, r.Query, k.Registry, opts, k.discover)
	if err != nil {
		return nil, err
	}
	if q == nil {
		var msgs []string
		for _, d := range diags {
			if d.Severity == syntax.SeverityError {
				msgs = append(msgs, d.Message)
			}
		}
		return nil, fmt.Errorf("query does not compile: %s", strings.Join(msgs, "; "))
	}
	maxRows := k.MaxRows
	if maxRows <= 0 {
		maxRows = 10000
	}
	res, err := k.Store.Query(ctx, q.SQL, maxRows)
	if err != nil {
		return nil, err
	}
	parseTimes(res)
	return res, nil
}

// discover runs a discovery query of the compiler on the store.
func (k KQL) discover(ctx context.Context, sql string) ([][]any, error) {
	res, err := k.Store.Query(ctx, sql, kql.MaxDiscovered+1)
	if err != nil {
		return nil, err
	}
	return res.Rows, nil
}

// parseTimes turns the datetime cells the store returns as text back into time.Time, so that
// alerts take their time range from the rows.
func parseTimes(res *store.Result) {
	for i, c := range res.Columns {
		if c.Type != "datetime" {
			continue
		}
		for _, row := range res.Rows {
			if s, ok := row[i].(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					row[i] = t
				}
			}
		}
	}
}

package hunt

import (
	"context"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Querier runs one read-only SQL statement and returns at most maxRows rows; every
// store.Store is one. It is called from the goroutine that calls Run.
type Querier interface {
	Query(ctx context.Context, sql string, maxRows int) (*store.Result, error)
}

// Column is a result column with its Kusto type name ("string", "datetime", "dynamic", ...).
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Result is a hunting query's answer.
type Result struct {
	// Columns are the compiler's output columns with the query's Kusto types, which the
	// engine's result types need not show (a dynamic, a guid or a timespan is stored as
	// the engine's own type).
	Columns []Column
	// Rows hold the values as the store renders them, one per column.
	Rows [][]any
	// Truncated reports rows left out by the row limit.
	Truncated bool
	// Warnings are the compiler's diagnostics of a query that compiled.
	Warnings []syntax.Diagnostic
}

// CompileError is a query the compiler refused, with all its diagnostics.
type CompileError struct {
	Source      string
	Diagnostics []syntax.Diagnostic
}

func (e *CompileError) Error() string {
	if len(e.Diagnostics) == 0 {
		return "the query has errors"
	}
	d := e.Diagnostics[0]
	return syntax.PositionOf(e.Source, d.Span.Start).String() + ": " + d.Message
}

// Run compiles src against reg with opts (the tenants, time range and scope it may read)
// and runs it on q, keeping at most maxRows rows. A query with errors is a *CompileError;
// errors from the engine are the store's (store.QueryError for the user's mistakes).
func Run(ctx context.Context, q Querier, reg *schema.Registry, src string, opts kql.Options, maxRows int) (*Result, error) {
	// An evaluate bag_unpack or pivot without an output schema takes its columns from the
	// data: the compiler runs its discovery query on q first, in the same scope.
	discover := func(ctx context.Context, sql string) ([][]any, error) {
		res, err := q.Query(ctx, sql, kql.MaxDiscovered+1)
		if err != nil {
			return nil, err
		}
		return res.Rows, nil
	}
	cq, diags, err := kql.CompileDiscover(ctx, src, reg, opts, discover)
	if err != nil {
		return nil, err
	}
	if cq == nil {
		return nil, &CompileError{Source: src, Diagnostics: diags}
	}
	res, err := q.Query(ctx, cq.SQL, maxRows)
	if err != nil {
		return nil, err
	}
	out := &Result{Columns: make([]Column, len(cq.Columns)), Rows: res.Rows, Truncated: res.Truncated, Warnings: diags}
	for i, c := range cq.Columns {
		out.Columns[i] = Column{Name: c.Name, Type: c.Type.String()}
	}
	return out, nil
}

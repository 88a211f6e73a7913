package kql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/sema"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/sqlgen"
)

// MaxDiscovered is the most columns an evaluate bag_unpack or pivot takes from
// the data; past it the query must declare its output schema.
const MaxDiscovered = sema.MaxDiscovered

// maxDiscoveries bounds the discovery queries of one compilation (a function
// called many times could otherwise ask for one per call).
const maxDiscoveries = 64

// Discovery is a query that must run before the query that needs it can be
// planned: an evaluate bag_unpack or pivot without an output schema takes its
// output columns from the data. SQL reads the operator's input, restricted
// by the same tenant, time, ingest and device predicates as the query, and
// returns at most MaxDiscovered+1 sorted rows: for bag_unpack (Key, Lo, Hi),
// each slot of the bag with the least and greatest Kusto type name of its
// values; for pivot (Value), each distinct non-empty value as a string.
type Discovery struct {
	Span   syntax.Span `json:"span"` // the evaluate operator
	Plugin string      `json:"plugin"`
	SQL    string      `json:"sql"`
}

// Runner runs a discovery query on the event store and returns its rows. It
// is called from the goroutine that called CompileDiscover.
type Runner func(ctx context.Context, sql string) ([][]any, error)

// CompileDiscover compiles src as Compile does, running through run the
// discovery queries the query needs, each when the checker reaches the
// operator that needs it, and planning the operator with the columns found,
// as if the query had declared them. Evaluates in let-bound tables, join
// sides and after other evaluates work alike, since each is answered before
// the checker goes on. The error is run's, wrapped; query problems are
// diagnostics.
func CompileDiscover(ctx context.Context, src string, reg *schema.Registry, opts Options, run Runner) (*Query, []syntax.Diagnostic, error) {
	disc := &discoverer{ctx: ctx, run: run, done: map[string][][]any{}}
	opts.discover = disc
	q, diags := Compile(src, reg, opts)
	if disc.err != nil {
		return nil, diags, disc.err
	}
	return q, diags, nil
}

// discoverer answers the checker's discoveries for one compilation.
type discoverer struct {
	ctx     context.Context
	run     Runner // nil in Compile: the discoveries are pending
	dialect *sqlgen.Dialect
	done    map[string][][]any // the rows of each discovery run, by SQL
	pending []Discovery
	diags   []syntax.Diagnostic
	err     error // run's first error; later discoveries are not run
}

// answer generates d's SQL and runs it, once per distinct SQL (a function or
// let-bound table checked twice asks twice).
func (x *discoverer) answer(d *sema.Discovery) ([][]any, bool) {
	sql, err := sqlgen.Generate(d.Plan, x.dialect)
	if err != nil {
		x.diags = append(x.diags, syntax.Diagnostic{Span: d.Span, Message: err.Error()})
		return nil, false
	}
	if rows, ok := x.done[sql]; ok {
		return rows, true
	}
	if x.run == nil {
		if !slices.ContainsFunc(x.pending, func(p Discovery) bool { return p.SQL == sql }) {
			x.pending = append(x.pending, Discovery{Span: d.Span, Plugin: d.Plugin, SQL: sql})
		}
		return nil, false
	}
	if x.err != nil {
		return nil, false
	}
	if len(x.done) >= maxDiscoveries {
		x.diags = append(x.diags, syntax.Diagnostic{Span: d.Span, Message: fmt.Sprintf("the query needs more than %d discovery queries; declare the output schema of its evaluate operators", maxDiscoveries)})
		return nil, false
	}
	rows, err := x.run(x.ctx, sql)
	if err != nil {
		x.err = fmt.Errorf("discovery query of %s: %w", d.Plugin, err)
		return nil, false
	}
	x.done[sql] = rows
	return rows, true
}

// pendingQuery is Compile's result when the checker returned no plan: the
// pending discoveries, unless there are errors.
func (x *discoverer) pendingQuery(diags []syntax.Diagnostic) (*Query, []syntax.Diagnostic) {
	diags = append(diags, x.diags...)
	if syntax.HasErrors(diags) || len(x.pending) == 0 {
		return nil, diags
	}
	return &Query{Discoveries: x.pending}, diags
}

// explainDiscoveries renders the discovery queries of a query that needs them.
func explainDiscoveries(ds []Discovery) string {
	var b strings.Builder
	b.WriteString("the output columns come from the data: discovery queries run first\n")
	for _, d := range ds {
		fmt.Fprintf(&b, "%s at offset %d:\n%s\n", d.Plugin, d.Span.Start, d.SQL)
	}
	return b.String()
}

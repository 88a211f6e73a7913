package sema

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// Options are the checker's inputs besides the query.
type Options struct {
	Tenant string // required unless Tenants is set: every table scan is restricted to it
	// Tenants, when not empty, restricts every table scan to these tenants
	// instead (a principal granted several tenants).
	Tenants []string
	From    time.Time // optional time range on TimeGenerated: [From, To)
	To      time.Time
	Now     time.Time // the value of now(); the zero value means time.Now()
	// IngestAfter and IngestThrough, when IngestThrough is not 0, restrict every scan to
	// the rows of the bus messages in (IngestAfter, IngestThrough].
	IngestAfter, IngestThrough uint64
	// Devices, when not empty, restricts the rows of device tables (those with
	// a DeviceName or DeviceId column) per tenant: Devices[t] lists the
	// devices of tenant t in scope; a tenant absent is not restricted.
	Devices map[string]DeviceSet
	// TableAllowed, when set, is asked for every stored table the query
	// names or a pattern matches: a table named is an error at its span
	// ("table T " + reason), one matched by a pattern is skipped.
	TableAllowed func(table string) (ok bool, reason string)
	// Watchlists resolves the aliases _GetWatchlist() names; nil makes
	// _GetWatchlist() an error.
	Watchlists Watchlists
	// Discover, when set, answers the discovery of an evaluate bag_unpack or
	// pivot without an output schema: it runs d.Plan and returns its rows, or
	// false when they are not available. Without an answer the operator's
	// pipeline stops without an error and Check returns no plan (with no
	// error when nothing else is wrong).
	Discover func(d *Discovery) (rows [][]any, ok bool)
}

// Check resolves and type-checks script and returns the plan of its query
// statement. The plan is nil when there are errors.
func Check(script *syntax.Script, reg *schema.Registry, opts Options) (plan.Node, []syntax.Diagnostic) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC()
	c := &checker{reg: reg, opts: opts, scalars: map[string]plan.Expr{}, tables: map[string]plan.Node{}, funcs: map[string]*syntax.FuncExpr{}}
	var out plan.Node
	queries := 0
	for _, st := range script.Stmts {
		switch st := st.(type) {
		case *syntax.LetStmt:
			c.let(st)
		case *syntax.ExprStmt:
			queries++
			if queries > 1 {
				c.errorf(st, "only one query statement is supported")
				continue
			}
			tab, ok := st.X.(*syntax.TabularExpr)
			if !ok {
				c.errorf(st, "expected a tabular expression")
				continue
			}
			out = c.pipeline(tab.Query)
		case *syntax.SetStmt:
			c.warnf(st, "set statement %s is ignored", st.Name)
		}
	}
	if queries == 0 && !syntax.HasErrors(c.diags) {
		c.errorf(script, "the script has no query statement")
	}
	if syntax.HasErrors(c.diags) || c.pending {
		return nil, c.diags
	}
	return out, c.diags
}

type checker struct {
	reg     *schema.Registry
	opts    Options
	diags   []syntax.Diagnostic
	scalars map[string]plan.Expr
	tables  map[string]plan.Node
	funcs   map[string]*syntax.FuncExpr // user-defined functions, by name
	depth   int                         // nesting of function expansion
	aggs    *aggCollector               // set while checking summarize aggregates
	failed  bool                        // an operator failed; the plan is not usable
	pending bool                        // a discovery was not answered; the plan is not known
}

func (c *checker) report(n syntax.Node, sev syntax.Severity, format string, args ...any) {
	c.diags = append(c.diags, syntax.Diagnostic{Span: n.NodeSpan(), Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) errorf(n syntax.Node, format string, args ...any) {
	c.report(n, syntax.SeverityError, format, args...)
}

func (c *checker) warnf(n syntax.Node, format string, args ...any) {
	c.report(n, syntax.SeverityWarning, format, args...)
}

func (c *checker) let(st *syntax.LetStmt) {
	name := st.Name.Name
	switch v := tabularInParens(st.Value).(type) {
	case *syntax.TabularExpr:
		n := c.pipeline(v.Query)
		c.bindTable(name, n)
	case *syntax.FuncExpr:
		c.unbind(name)
		c.funcs[name] = v
	case *syntax.CallExpr:
		if f, ok := c.funcs[v.Name.Name]; ok && tabularFunc(f) {
			c.bindTable(name, c.callTabularUDF(v, f, nil))
			return
		}
		if n, ok := c.materialize(v); ok {
			c.bindTable(name, n)
			return
		}
		if _, udf := c.funcs[v.Name.Name]; !udf && v.Name.Name == "_GetWatchlist" {
			c.bindTable(name, c.watchlistCall(v))
			return
		}
		x := c.expr(v, nil)
		c.unbind(name)
		c.scalars[name] = x
	default:
		x := c.expr(v, nil)
		c.unbind(name)
		c.scalars[name] = x
	}
}

// bindTable binds name to a let-bound table. A table whose check failed
// (n is nil, its errors already reported) is bound too, so that its uses
// fail quietly instead of adding "unknown table" errors.
func (c *checker) bindTable(name string, n plan.Node) {
	c.unbind(name)
	c.tables[name] = n
}

// tabularInParens returns the tabular expression inside parentheses, as in
// let x = (T | where ...), or e itself when e is not one.
func tabularInParens(e syntax.Expr) syntax.Expr {
	inner := e
	for {
		p, ok := inner.(*syntax.ParenExpr)
		if !ok {
			break
		}
		inner = p.X
	}
	if t, ok := inner.(*syntax.TabularExpr); ok {
		return t
	}
	return e
}

// unbind forgets an earlier let of name, which a new let shadows.
func (c *checker) unbind(name string) {
	delete(c.scalars, name)
	delete(c.tables, name)
	delete(c.funcs, name)
}

// pipeline checks a source and its operators; nil means an error was reported.
func (c *checker) pipeline(p *syntax.Pipeline) plan.Node {
	if p.Source == nil {
		c.errorf(p, "a pipeline without a source is not supported here")
		return nil
	}
	n := c.source(p.Source)
	for _, op := range p.Ops {
		if n == nil {
			return nil
		}
		next := c.operator(n, op)
		if _, isWhere := op.(*syntax.WhereOp); isWhere && next == nil {
			// A failed filter keeps the schema: check the rest for more errors.
			c.failed = true
			continue
		}
		n = next
	}
	if c.failed {
		return nil
	}
	return n
}

// didYouMean formats a suggestion, or "" when there is none.
func didYouMean(cands []string) string {
	if len(cands) == 0 {
		return ""
	}
	return fmt.Sprintf("; did you mean '%s'?", cands[0])
}

// nearest returns the names closest to name by edit distance.
func nearest(name string, names []string) []string {
	best, bestD := "", 1<<30
	l := strings.ToLower(name)
	for _, n := range names {
		d := schema.EditDistance(l, strings.ToLower(n))
		if d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" || bestD > max(2, len(name)/3) {
		return nil
	}
	return []string{best}
}

// scope is the row a scalar expression sees: the columns of the input.
type scope struct {
	cols []plan.Column
	in   plan.Node // the input node, when the row comes from one (for window functions)
}

func newScope(n plan.Node) *scope {
	if n == nil {
		return nil
	}
	return &scope{cols: n.Columns(), in: n}
}

func (s *scope) names() []string {
	out := make([]string, len(s.cols))
	for i, c := range s.cols {
		out[i] = c.Name
	}
	return out
}

// lookup finds a column by exact name, then ignoring case (fold reports that).
func (s *scope) lookup(name string) (col plan.Column, fold, ok bool) {
	if s == nil {
		return plan.Column{}, false, false
	}
	for _, c := range s.cols {
		if c.Name == name {
			return c, false, true
		}
	}
	for _, c := range s.cols {
		if strings.EqualFold(c.Name, name) {
			return c, true, true
		}
	}
	return plan.Column{}, false, false
}

// The dispatch tables refer to functions that dispatch through them, so they
// are built on first use rather than by package initialization.
func init() {
	operators = onceTable(initOperators)
	sources = onceTable(initSources)
}

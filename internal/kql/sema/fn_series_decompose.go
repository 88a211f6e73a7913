package sema

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// seriesPart is one output of a series function that returns several series or values.
type seriesPart struct {
	name string
	t    schema.Type
}

// multiOutputFns are the functions that return several columns, in Kusto's order. In an
// expression the call stands for its first output (as `extend anomalies =
// series_decompose_anomalies(y)` does in Kusto); extend and project given no name or a
// tuple of names make one column per output. Part i > 0 is planned as the call named
// "fn:part" with the same arguments.
var multiOutputFns = map[string][]seriesPart{
	"series_decompose_anomalies": {{"ad_flag", schema.TypeDynamic}, {"ad_score", schema.TypeDynamic}, {"baseline", schema.TypeDynamic}},
	"series_decompose":           {{"baseline", schema.TypeDynamic}, {"seasonal", schema.TypeDynamic}, {"trend", schema.TypeDynamic}, {"residual", schema.TypeDynamic}},
	"series_stats": {{"min", schema.TypeReal}, {"min_idx", schema.TypeLong}, {"max", schema.TypeReal}, {"max_idx", schema.TypeLong},
		{"avg", schema.TypeReal}, {"stdev", schema.TypeReal}, {"variance", schema.TypeReal}},
}

// MultiOutputParts returns the output names of a function that returns several columns
// (for sqlgen's tests and function tables).
func MultiOutputParts(fn string) []string {
	var out []string
	for _, p := range multiOutputFns[fn] {
		out = append(out, p.name)
	}
	return out
}

// multiCall returns the call a [names =] expr item makes when expr calls a multi-output
// function, and its parts.
func multiCall(e syntax.Expr) (*syntax.CallExpr, []seriesPart) {
	call, ok := e.(*syntax.CallExpr)
	if !ok {
		return nil, nil
	}
	parts := multiOutputFns[call.Name.Name]
	if parts == nil {
		return nil, nil
	}
	return call, parts
}

// namedMulti checks an extend or project item, expanding a call of a multi-output function
// into one column per output unless a single name is given.
func (c *checker) namedMulti(ne *syntax.NamedExpr, s *scope, nm *namer) ([]string, []plan.Expr) {
	call, parts := multiCall(ne.Expr)
	if call == nil || len(ne.Names) == 1 {
		name, x := c.named(ne, s, nm)
		return []string{name}, []plan.Expr{x}
	}
	x := c.expr(ne.Expr, s)
	if isBad(x) {
		return []string{""}, []plan.Expr{x}
	}
	first, ok := x.(*plan.Call)
	if !ok {
		return []string{""}, []plan.Expr{bad()}
	}
	if len(ne.Names) > 0 && len(ne.Names) != len(parts) {
		c.errorf(ne, "%s() returns %d columns (%s) but %d names are given", call.Name.Name, len(parts), partNames(parts), len(ne.Names))
		return []string{""}, []plan.Expr{bad()}
	}
	prefix := call.Name.Name + "_"
	if len(call.Args) > 0 {
		if n := defaultName(call.Args[0]); n != "" {
			prefix += n + "_"
		}
	}
	names := make([]string, len(parts))
	xs := make([]plan.Expr, len(parts))
	for i, p := range parts {
		if len(ne.Names) > 0 {
			names[i] = ne.Names[i].Name
		} else {
			names[i] = prefix + p.name
		}
		fn := first.Fn
		if i > 0 {
			fn += ":" + p.name
		}
		xs[i] = &plan.Call{Fn: fn, Args: first.Args, T: p.t}
	}
	return names, xs
}

func partNames(parts []seriesPart) string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

// seriesArgs reads the optional constant arguments of a series function after the series.
type seriesArgs struct {
	c    *checker
	e    *syntax.CallExpr
	args []plan.Expr
	ok   bool
}

// constAt returns argument i when it is a constant (nil, true when it is absent).
func (a *seriesArgs) constAt(i int, what string) (*plan.Const, bool) {
	if i >= len(a.args) || a.args[i] == nil {
		return nil, true
	}
	k, ok := a.args[i].(*plan.Const)
	if !ok {
		a.c.errorf(a.e.Args[i], "%s of %s() must be a constant", what, a.e.Name.Name)
		a.ok = false
		return nil, false
	}
	return k, true
}

func (a *seriesArgs) long(i int, what string, def int64) int64 {
	k, ok := a.constAt(i, what)
	if !ok || k == nil || k.V == nil {
		return def
	}
	switch v := k.V.(type) {
	case int64:
		return v
	case float64:
		if v == float64(int64(v)) {
			return int64(v)
		}
	}
	a.c.errorf(a.e.Args[i], "%s of %s() must be a whole number", what, a.e.Name.Name)
	a.ok = false
	return def
}

func (a *seriesArgs) real(i int, what string, def float64) float64 {
	k, ok := a.constAt(i, what)
	if !ok || k == nil || k.V == nil {
		return def
	}
	switch v := k.V.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	a.c.errorf(a.e.Args[i], "%s of %s() must be a number", what, a.e.Name.Name)
	a.ok = false
	return def
}

func (a *seriesArgs) oneOf(i int, what, def string, allowed ...string) string {
	k, ok := a.constAt(i, what)
	if !ok || k == nil || k.V == nil {
		return def
	}
	v, isStr := k.V.(string)
	if isStr && v == "" {
		return def
	}
	for _, s := range allowed {
		if isStr && v == s {
			return v
		}
	}
	a.c.errorf(a.e.Args[i], "%s of %s() is one of '%s', not %v", what, a.e.Name.Name, strings.Join(allowed, "', '"), k.V)
	a.ok = false
	return def
}

// seriesStart checks the argument count and the series argument.
func (c *checker) seriesStart(e *syntax.CallExpr, args []plan.Expr, most int) *seriesArgs {
	a := &seriesArgs{c: c, e: e, args: args, ok: true}
	if len(args) < 1 || len(args) > most {
		c.errorf(e, "%s() takes 1 to %d arguments, not %d", e.Name.Name, most, len(args))
		a.ok = false
		return a
	}
	if t := args[0].Type(); t != schema.TypeDynamic {
		c.errorf(e.Args[0], "the first argument of %s() must be a dynamic array of numbers (a series), not %s", e.Name.Name, t)
		a.ok = false
	}
	return a
}

// seasonality reads the seasonality argument: -1 (the default) asks Kusto to detect the
// period, which Vigil does not do: it warns and extracts no seasonal component.
func (a *seriesArgs) seasonality(i int) int64 {
	p := a.long(i, "seasonality", -1)
	switch {
	case p == -1:
		at := syntax.Node(a.e)
		if i < len(a.e.Args) {
			at = a.e.Args[i]
		}
		a.c.warnf(at, "%s(): Vigil does not detect seasonality (series_periods_detect); no seasonal component is extracted. Give the period in bins (e.g. 24 for hourly bins and a daily cycle) or 0 to silence this", a.e.Name.Name)
		return 0
	case p < -1:
		a.c.errorf(a.e.Args[i], "seasonality of %s() is -1 (detect), 0 (none) or a period in bins, not %d", a.e.Name.Name, p)
		a.ok = false
	}
	return p
}

func longK(v int64) *plan.Const    { return &plan.Const{V: v, T: schema.TypeLong} }
func realK(v float64) *plan.Const  { return &plan.Const{V: v, T: schema.TypeReal} }
func stringK(v string) *plan.Const { return &plan.Const{V: v, T: schema.TypeString} }

// checkSeriesDecomposeAnomalies plans series_decompose_anomalies(Series [, Threshold,
// Seasonality, Trend, Test_points, AD_method, Seasonality_threshold]) as the call with
// every argument given: series, threshold, seasonality, trend, test points, method.
func checkSeriesDecomposeAnomalies(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	a := c.seriesStart(e, args, 7)
	if !a.ok {
		return bad()
	}
	threshold := plan.Expr(realK(1.5))
	if len(args) > 1 && args[1] != nil {
		if !isNumeric(args[1].Type()) {
			c.errorf(e.Args[1], "the threshold of %s() must be a number, not %s", e.Name.Name, args[1].Type())
			return bad()
		}
		threshold = args[1]
	}
	season := a.seasonality(2)
	trend := a.oneOf(3, "trend", "avg", "avg", "linefit", "none")
	test := a.long(4, "test_points", 0)
	method := a.oneOf(5, "AD_method", "ctukey", "ctukey", "tukey")
	a.real(6, "seasonality_threshold", 0.6)
	if test < 0 {
		c.errorf(e.Args[4], "test_points of %s() must not be negative", e.Name.Name)
		return bad()
	}
	if !a.ok {
		return bad()
	}
	return &plan.Call{Fn: e.Name.Name, T: schema.TypeDynamic,
		Args: []plan.Expr{args[0], threshold, longK(season), stringK(trend), longK(test), stringK(method)}}
}

// checkSeriesDecompose plans series_decompose(Series [, Seasonality, Trend, Test_points,
// Seasonality_threshold]) as the call with series, seasonality, trend and test points.
func checkSeriesDecompose(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	a := c.seriesStart(e, args, 5)
	if !a.ok {
		return bad()
	}
	season := a.seasonality(1)
	trend := a.oneOf(2, "trend", "avg", "avg", "linefit", "none")
	test := a.long(3, "test_points", 0)
	a.real(4, "seasonality_threshold", 0.6)
	if test < 0 {
		c.errorf(e.Args[3], "test_points of %s() must not be negative", e.Name.Name)
		return bad()
	}
	if !a.ok {
		return bad()
	}
	return &plan.Call{Fn: e.Name.Name, T: schema.TypeDynamic,
		Args: []plan.Expr{args[0], longK(season), stringK(trend), longK(test)}}
}

// checkSeriesOutliers plans series_outliers(Series [, Kind, Ignore_val, Min_percentile,
// Max_percentile]) as the call with series, low and high percentile, and the ignored value
// (null when none).
func checkSeriesOutliers(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	a := c.seriesStart(e, args, 5)
	if !a.ok {
		return bad()
	}
	kind := a.oneOf(1, "kind", "ctukey", "ctukey", "tukey")
	var ignore plan.Expr = &plan.Const{T: schema.TypeReal}
	if k, ok := a.constAt(2, "ignore_val"); ok && k != nil && k.V != nil {
		ignore = realK(a.real(2, "ignore_val", 0))
	}
	lo, hi := a.real(3, "min_percentile", 10), a.real(4, "max_percentile", 90)
	if kind == "tukey" {
		lo, hi = 25, 75
	}
	if lo < 2 || hi > 98 || lo >= hi {
		c.errorf(e, "the percentiles of %s() must lie in [2, 98] with the minimum below the maximum, not %v and %v", e.Name.Name, lo, hi)
		return bad()
	}
	if !a.ok {
		return bad()
	}
	return &plan.Call{Fn: e.Name.Name, T: schema.TypeDynamic,
		Args: []plan.Expr{args[0], realK(lo), realK(hi), ignore}}
}

// checkSeriesStats plans series_stats(Series [, Ignore_val]) as the call with the series
// and the ignored value (null when none); the call itself is its first output, min.
func checkSeriesStats(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	a := c.seriesStart(e, args, 2)
	if !a.ok {
		return bad()
	}
	var ignore plan.Expr = &plan.Const{T: schema.TypeReal}
	if k, ok := a.constAt(1, "ignore_val"); ok && k != nil && k.V != nil {
		ignore = realK(a.real(1, "ignore_val", 0))
	}
	if !a.ok {
		return bad()
	}
	return &plan.Call{Fn: e.Name.Name, T: schema.TypeReal, Args: []plan.Expr{args[0], ignore}}
}

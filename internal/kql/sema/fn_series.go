package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// seriesFns are the series functions over the arrays of make-series, and
// the geospatial functions.
func seriesFns() map[string]*fnSig {
	return map[string]*fnSig{
		"series_stats_dynamic":       {Args: "y", Min: 1, Ret: fixed(schema.TypeDynamic)},
		"series_stats":               {Check: unsupportedFn("it expands into several columns; use series_stats_dynamic(), whose bag has the same fields")},
		"series_decompose_anomalies": {Check: unsupportedFn("Kusto's seasonal decomposition and anomaly scoring are not implemented")},
		"series_decompose":           {Check: unsupportedFn("Kusto's seasonal decomposition is not implemented")},
		"series_outliers":            {Check: unsupportedFn("Kusto's Tukey-fence outlier scores are not implemented")},
		"geo_distance_2points":       {Args: "nnnn", Min: 4, Ret: fixed(schema.TypeReal)},
	}
}

// unsupportedFn reports a known Kusto function Vigil does not run, and why.
func unsupportedFn(why string) func(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	return func(c *checker, e *syntax.CallExpr, _ []plan.Expr) plan.Expr {
		c.errorf(e, "%s() is not supported: %s", e.Name.Name, why)
		return bad()
	}
}

package sema

import (
	"github.com/vigilsec/vigil/internal/schema"
)

// seriesFns are the series functions over the arrays of make-series, and
// the geospatial functions.
func seriesFns() map[string]*fnSig {
	return map[string]*fnSig{
		"series_stats_dynamic":       {Args: "y", Min: 1, Ret: fixed(schema.TypeDynamic)},
		"series_stats":               {Check: checkSeriesStats},
		"series_decompose_anomalies": {Check: checkSeriesDecomposeAnomalies},
		"series_decompose":           {Check: checkSeriesDecompose},
		"series_outliers":            {Check: checkSeriesOutliers},
		"geo_distance_2points":       {Args: "nnnn", Min: 4, Ret: fixed(schema.TypeReal)},
	}
}

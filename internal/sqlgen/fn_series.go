package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// geoEarthRadius is the radius in meters of the sphere on which Kusto's
// geo_distance_2points measures (it reproduces Kusto's documented example).
const geoEarthRadius = 6371010.0

// duckSeriesFuncs lowers the series and geospatial functions.
func duckSeriesFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"series_stats_dynamic": seriesStats,
		"geo_distance_2points": geoDistance,
	}
}

// seriesStats computes Kusto's series_stats bag over the numeric array:
// indexes are 0-based and of the first extreme; stdev and variance are the
// sample ones.
func seriesStats(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	list := Call("list_transform", Call("json_extract", a[0], Str("$[*]")),
		&Lambda{Params: []string{"e"}, Body: &Cast{X: Call("json_extract_string", &Ident{Name: "e"}, Str("$")), T: schema.TypeReal, Try: true}})
	lmin, lmax := Call("list_min", list), Call("list_max", list)
	return Call("json_object",
		Str("min"), lmin, Str("min_idx"), Bin("-", Call("list_position", list, lmin), Int(1)),
		Str("max"), lmax, Str("max_idx"), Bin("-", Call("list_position", list, lmax), Int(1)),
		Str("avg"), Call("list_avg", list), Str("stdev"), Call("list_stddev_samp", list),
		Str("variance"), Call("list_var_samp", list))
}

// geoDistance is the great-circle (haversine) distance in meters, null when
// a coordinate is out of range.
func geoDistance(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	rad := func(x Expr) Expr { return Call("radians", &Cast{X: x, T: schema.TypeReal}) }
	half := func(x, y Expr) Expr { return Call("sin", Bin("/", Bin("-", rad(y), rad(x)), Int(2))) }
	sq := func(x Expr) Expr { return Bin("*", x, x) }
	h := Bin("+", sq(half(a[1], a[3])), Bin("*", Bin("*", Call("cos", rad(a[1])), Call("cos", rad(a[3]))), sq(half(a[0], a[2]))))
	d := Bin("*", &Lit{V: 2 * geoEarthRadius, T: schema.TypeReal}, Call("asin", Call("sqrt", h)))
	valid := Bin("AND", Bin("AND", inRange(a[0], 180), inRange(a[1], 90)), Bin("AND", inRange(a[2], 180), inRange(a[3], 90)))
	return &Case{Whens: []When{{Cond: valid, Then: d}}}
}

func inRange(x Expr, lim int64) Expr {
	return Bin("AND", Bin(">=", x, Int(-lim)), Bin("<=", x, Int(lim)))
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// Series decomposition and outlier scoring (series_decompose, series_decompose_anomalies,
// series_outliers, series_stats) over DuckDB lists. Intermediate lists are bound once with
// list_transform over a one-element list, so a lambda body reads them by name instead of
// recomputing them per element. Lambda parameters start with "__" so they never hide a
// column of the query.
//
// The method follows Kusto's documentation: the seasonal component is the median of the
// learning points in the same phase; the trend is the average or the least-squares line of
// the series less its seasonal component; baseline = seasonal + trend; residual = series -
// baseline. Outlier scores are Tukey's fences over the residual: with P_lo and P_hi the
// low and high percentiles (10 and 90 for ctukey, 25 and 75 for tukey) of the learning
// residuals, a point above P_hi scores (r - P_hi) / (P_hi - P_lo), one below P_lo scores
// (r - P_lo) / (P_hi - P_lo), others 0; a flat range divides by 1. Percentiles interpolate
// linearly. Points the learning excludes (test_points at the end) are still scored.

func duckSeriesDecomposeFuncs() map[string]FuncSQL {
	m := map[string]FuncSQL{
		"series_outliers": seriesOutliers,
		"series_stats":    seriesStatsPart("min"),
	}
	for _, part := range []string{"min_idx", "max", "max_idx", "avg", "stdev", "variance"} {
		m["series_stats:"+part] = seriesStatsPart(part)
	}
	m["series_decompose"] = seriesDecompose("baseline")
	for _, part := range []string{"seasonal", "trend", "residual"} {
		m["series_decompose:"+part] = seriesDecompose(part)
	}
	m["series_decompose_anomalies"] = seriesAnomalies("ad_flag")
	for _, part := range []string{"ad_score", "baseline"} {
		m["series_decompose_anomalies:"+part] = seriesAnomalies(part)
	}
	return m
}

func ident(name string) Expr { return &Ident{Name: name} }

// bind evaluates x once and gives it to body as name.
func bind(x Expr, name string, body Expr) Expr {
	return Call("list_extract", Call("list_transform", Call("list_value", x), &Lambda{Params: []string{name}, Body: body}), Int(1))
}

// at is list[i] for a 0-based i.
func at(list, i Expr) Expr { return Call("list_extract", list, Bin("+", i, Int(1))) }

// overIndexes maps 0 .. n-1 through body, which reads the index as name.
func overIndexes(n Expr, name string, body Expr) Expr {
	return Call("list_transform", Call("range", n), &Lambda{Params: []string{name}, Body: body})
}

// seriesNumbers is the series as a list of doubles (non-numbers become null), or an empty
// list when the value is not an array. Values equal to ignore (when not null) become null.
func seriesNumbers(series, ignore Expr, ignoreGiven bool) Expr {
	x := ident("__e")
	var v Expr = &Cast{X: Call("json_extract_string", x, Str("$")), T: schema.TypeReal, Try: true}
	if ignoreGiven {
		v = Call("NULLIF", v, ignore)
	}
	return Call("COALESCE", Call("list_transform", jsonList(series), &Lambda{Params: []string{"__e"}, Body: v}), Call("list_value"))
}

func longArg(x plan.Expr) int64 {
	v, _ := constLong(x)
	return v
}

func strArg(x plan.Expr) string {
	v, _ := constString(x)
	return v
}

func constReal(x plan.Expr) float64 {
	if k, ok := x.(*plan.Const); ok {
		switch v := k.V.(type) {
		case float64:
			return v
		case int64:
			return float64(v)
		}
	}
	return 0
}

func realLit(v float64) Expr { return &Lit{V: v, T: schema.TypeReal} }

// decomposition binds __sl (the series), __ss (seasonal) and __st (trend) around body, for
// the given seasonality (0: none), trend ("avg", "linefit", "none") and test points.
func decomposition(series Expr, season int64, trend string, test int64, body Expr) Expr {
	l := ident("__sl")
	n := Call("len", l)
	learn := Call("greatest", Bin("-", n, Int(test)), Int(0))
	i, j := ident("__i"), ident("__j")
	seasonal := overIndexes(n, "__i", realLit(0))
	if season > 0 {
		phase := Call("list_filter", Call("range", learn), &Lambda{Params: []string{"__j"}, Body: Bin("=", Bin("%", j, Int(season)), Bin("%", i, Int(season)))})
		median := Call("list_median", Call("list_transform", phase, &Lambda{Params: []string{"__j"}, Body: at(l, j)}))
		seasonal = overIndexes(n, "__i", Call("COALESCE", &Cast{X: median, T: schema.TypeReal}, realLit(0)))
	}
	deseason := func(j Expr) Expr { return Bin("-", at(l, j), at(ident("__ss"), j)) }
	learnD := Call("list_transform", Call("range", learn), &Lambda{Params: []string{"__j"}, Body: deseason(j)})
	var trendList Expr
	switch trend {
	case "avg":
		trendList = bind(Call("COALESCE", Call("list_avg", learnD), realLit(0)), "__ta", overIndexes(n, "__i", ident("__ta")))
	case "linefit":
		// Least squares over the learning points: slope = sum((j-mj)(d-md)) / sum((j-mj)^2).
		mj := Bin("/", Bin("-", &Cast{X: learn, T: schema.TypeReal}, realLit(1)), realLit(2))
		num := Call("list_sum", Call("list_transform", Call("range", learn), &Lambda{Params: []string{"__j"},
			Body: Bin("*", Bin("-", j, mj), Bin("-", deseason(j), ident("__md")))}))
		den := Call("list_sum", Call("list_transform", Call("range", learn), &Lambda{Params: []string{"__j"},
			Body: Bin("*", Bin("-", j, mj), Bin("-", j, mj))}))
		slope := Call("COALESCE", Bin("/", num, Call("NULLIF", den, realLit(0))), realLit(0))
		line := Bin("+", ident("__md"), Bin("*", ident("__tb"), Bin("-", i, mj)))
		trendList = bind(Call("COALESCE", Call("list_avg", learnD), realLit(0)), "__md", bind(slope, "__tb", overIndexes(n, "__i", line)))
	default:
		trendList = overIndexes(n, "__i", realLit(0))
	}
	return bind(series, "__sl", bind(seasonal, "__ss", bind(trendList, "__st", body)))
}

// baselineAt and residualAt read the bound decomposition at index i.
func baselineAt(i Expr) Expr { return Bin("+", at(ident("__ss"), i), at(ident("__st"), i)) }
func residualAt(i Expr) Expr { return Bin("-", at(ident("__sl"), i), baselineAt(i)) }

func seriesDecompose(part string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		i := ident("__i")
		n := Call("len", ident("__sl"))
		var body Expr
		switch part {
		case "baseline":
			body = overIndexes(n, "__i", baselineAt(i))
		case "seasonal":
			body = ident("__ss")
		case "trend":
			body = ident("__st")
		default:
			body = overIndexes(n, "__i", residualAt(i))
		}
		return toJSONArray(decomposition(seriesNumbers(a[0], nil, false), longArg(in[1]), strArg(in[2]), longArg(in[3]), body))
	}
}

// tukeyScores is the list of outlier scores of the list bound as name, the percentiles
// taken over its first learn elements.
func tukeyScores(name string, learn Expr, lo, hi float64) Expr {
	learning := Call("list_slice", ident(name), Int(1), learn)
	pct := func(p float64) Expr { return Call("list_aggregate", learning, Str("quantile_cont"), realLit(p/100)) }
	r := at(ident(name), ident("__i"))
	width := &Case{Whens: []When{{Cond: Bin(">", Bin("-", ident("__hi"), ident("__lo")), realLit(0)), Then: Bin("-", ident("__hi"), ident("__lo"))}}, Else: realLit(1)}
	score := &Case{Whens: []When{
		{Cond: Bin(">", r, ident("__hi")), Then: Bin("/", Bin("-", r, ident("__hi")), width)},
		{Cond: Bin("<", r, ident("__lo")), Then: Bin("/", Bin("-", r, ident("__lo")), width)},
	}, Else: realLit(0)}
	return bind(pct(lo), "__lo", bind(pct(hi), "__hi", overIndexes(Call("len", ident(name)), "__i", score)))
}

func seriesOutliers(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	ignoreGiven := false
	if k, ok := in[3].(*plan.Const); ok && k.V != nil {
		ignoreGiven = true
	}
	scores := tukeyScores("__sl", Call("len", ident("__sl")), constReal(in[1]), constReal(in[2]))
	return toJSONArray(bind(seriesNumbers(a[0], a[3], ignoreGiven), "__sl", scores))
}

func seriesAnomalies(part string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		test := longArg(in[4])
		lo, hi := 10.0, 90.0
		if strArg(in[5]) == "tukey" {
			lo, hi = 25, 75
		}
		i := ident("__i")
		n := Call("len", ident("__sl"))
		learn := Call("greatest", Bin("-", n, Int(test)), Int(0))
		var body Expr
		switch part {
		case "baseline":
			body = overIndexes(n, "__i", baselineAt(i))
		default:
			residuals := overIndexes(n, "__i", residualAt(i))
			scores := bind(residuals, "__sr", tukeyScores("__sr", learn, lo, hi))
			if part == "ad_score" {
				body = scores
				break
			}
			s := at(ident("__sc"), i)
			flag := &Case{Whens: []When{
				{Cond: Bin(">", s, ident("__k")), Then: Int(1)},
				{Cond: Bin("<", s, &Unary{Op: "-", X: ident("__k")}), Then: Int(-1)},
			}, Else: Int(0)}
			body = bind(&Cast{X: a[1], T: schema.TypeReal}, "__k", bind(scores, "__sc", overIndexes(n, "__i", flag)))
		}
		return toJSONArray(decomposition(seriesNumbers(a[0], nil, false), longArg(in[2]), strArg(in[3]), test, body))
	}
}

// seriesStatsPart is one value of series_stats: min, max and their 0-based indexes (of the
// first extreme), avg, and the sample stdev and variance, over the non-null values.
func seriesStatsPart(part string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		ignoreGiven := false
		if k, ok := in[1].(*plan.Const); ok && k.V != nil {
			ignoreGiven = true
		}
		l := ident("__sl")
		var body Expr
		switch part {
		case "min":
			body = Call("list_min", l)
		case "max":
			body = Call("list_max", l)
		case "min_idx":
			body = Bin("-", Call("list_position", l, Call("list_min", l)), Int(1))
		case "max_idx":
			body = Bin("-", Call("list_position", l, Call("list_max", l)), Int(1))
		case "avg":
			body = Call("list_avg", l)
		case "stdev":
			body = Call("list_stddev_samp", l)
		default:
			body = Call("list_var_samp", l)
		}
		return bind(seriesNumbers(a[0], a[1], ignoreGiven), "__sl", body)
	}
}

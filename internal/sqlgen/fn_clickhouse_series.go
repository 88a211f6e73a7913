package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// ClickHouse's series decomposition and outlier scoring, the same method as
// fn_series_decompose.go computes on DuckDB, written so that each floating-point operation
// happens in the same order and the two engines give bit-identical results:
//
//   - sums add the non-null values one by one from 0 (arrayFold), as DuckDB's sum of doubles
//     does, where ClickHouse's sum aggregate would add in vectorized partial sums;
//   - an average is that sum divided by the count of non-null values (null when there are
//     none), as DuckDB's avg;
//   - a percentile is DuckDB's quantile_cont: over the n sorted non-null values, with
//     RN = (n-1)*q, the value at floor(RN) when RN is whole, else lo*(1-d) + hi*d with
//     d = RN - floor(RN) (DuckDB's interpolation of doubles). ClickHouse's quantile is an
//     estimate and its quantileExact picks a value without interpolating;
//   - the median is that percentile at 0.5, as DuckDB's list_median of doubles;
//   - the sample variance is Welford's (varSampStable), as DuckDB's, and null below two
//     values.
//
// Intermediate arrays are bound once with arrayMap over a one-element array, as the DuckDB
// lowering binds them with list_transform.

func chSeriesDecomposeFuncs() map[string]FuncSQL {
	m := map[string]FuncSQL{
		"series_outliers":      chSeriesOutliers,
		"series_stats":         chSeriesStatsPart("min"),
		"series_stats_dynamic": chSeriesStatsDynamic,
	}
	for _, part := range []string{"min_idx", "max", "max_idx", "avg", "stdev", "variance"} {
		m["series_stats:"+part] = chSeriesStatsPart(part)
	}
	m["series_decompose"] = chSeriesDecompose("baseline")
	for _, part := range []string{"seasonal", "trend", "residual"} {
		m["series_decompose:"+part] = chSeriesDecompose(part)
	}
	m["series_decompose_anomalies"] = chSeriesAnomalies("ad_flag")
	for _, part := range []string{"ad_score", "baseline"} {
		m["series_decompose_anomalies:"+part] = chSeriesAnomalies(part)
	}
	return m
}

func chLambda(name string, body Expr) *Lambda { return &Lambda{Params: []string{name}, Body: body} }

// chBind evaluates x once and gives it to body as name.
func chBind(x Expr, name string, body Expr) Expr {
	return Call("arrayElement", Call("arrayMap", chLambda(name, body), Call("array", x)), Int(1))
}

// chAt is list[i] for a 0-based i.
func chAt(list, i Expr) Expr { return Call("arrayElement", list, Bin("+", i, Int(1))) }

// chOverIndexes maps 0 .. n-1 through body, which reads the index as name.
func chOverIndexes(n Expr, name string, body Expr) Expr {
	return Call("arrayMap", chLambda(name, body), Call("range", n))
}

// chLen is an array's length as a signed integer, so that subtracting from it cannot wrap.
func chLen(list Expr) Expr { return Call("toInt64", Call("length", list)) }

// chSeriesNumbers is the series as an array of nullable doubles (non-numbers become null),
// empty when the value is not an array. Values equal to ignore (when given) become null.
func chSeriesNumbers(series, ignore Expr, ignoreGiven bool) Expr {
	var v Expr = &Cast{X: chJSONText(ident("__e")), T: schema.TypeReal, Try: true}
	if ignoreGiven {
		v = Call("nullIf", v, ignore)
	}
	return Call("arrayMap", chLambda("__e", v), Call("JSONExtractArrayRaw", Call("ifNull", series, Str(""))))
}

// chNonNull is the non-null values of list, in order, as a non-nullable array.
func chNonNull(list Expr) Expr {
	keep := Call("arrayFilter", chLambda("__x", Call("isNotNull", ident("__x"))), list)
	return Call("arrayMap", chLambda("__x", Call("assumeNotNull", ident("__x"))), keep)
}

// chSum adds the non-null values one by one from 0; null when there are none (DuckDB's
// list_sum).
func chSum(list Expr) Expr {
	add := &Lambda{Params: []string{"__acc", "__x"}, Body: Bin("+", ident("__acc"), ident("__x"))}
	return chBind(chNonNull(list), "__nn", &Case{
		Whens: []When{{Cond: Bin(">", Call("length", ident("__nn")), Int(0)), Then: Call("arrayFold", add, ident("__nn"), realLit(0))}},
		Else:  &Lit{T: schema.TypeReal},
	})
}

// chAvg is the sum of the non-null values over their count; null when there are none.
func chAvg(list Expr) Expr {
	return chBind(list, "__al", Bin("/", chSum(ident("__al")), &Cast{X: Call("nullIf", Call("arrayCount", chLambda("__x", Call("isNotNull", ident("__x"))), ident("__al")), Int(0)), T: schema.TypeReal}))
}

// chQuantile is DuckDB's quantile_cont(q) of the non-null values of list (see above).
func chQuantile(list Expr, q float64) Expr {
	s, rn := ident("__qs"), ident("__rn")
	lo, hi := Call("floor", rn), Call("ceil", rn)
	pick := func(k Expr) Expr { return Call("arrayElement", s, Bin("+", Call("toUInt64", k), Int(1))) }
	d := Bin("-", rn, lo)
	value := &Case{
		Whens: []When{
			{Cond: Bin("=", Call("length", s), Int(0)), Then: &Lit{T: schema.TypeReal}},
			{Cond: Bin("=", lo, hi), Then: pick(lo)},
		},
		Else: Bin("+", Bin("*", pick(lo), Bin("-", realLit(1), d)), Bin("*", pick(hi), d)),
	}
	rnExpr := Bin("*", &Cast{X: Bin("-", chLen(s), Int(1)), T: schema.TypeReal}, realLit(q))
	return chBind(Call("arraySort", chNonNull(list)), "__qs", chBind(rnExpr, "__rn", value))
}

// chDecomposition binds __sl (the series), __ss (seasonal) and __st (trend) around body,
// as decomposition does for DuckDB.
func chDecomposition(series Expr, season int64, trend string, test int64, body Expr) Expr {
	l := ident("__sl")
	n := chLen(l)
	learn := Call("greatest", Bin("-", n, Int(test)), Int(0))
	i, j := ident("__i"), ident("__j")
	seasonal := chOverIndexes(n, "__i", realLit(0))
	if season > 0 {
		phase := Call("arrayFilter", chLambda("__j", Bin("=", Bin("%", j, Int(season)), Bin("%", i, Int(season)))), Call("range", learn))
		median := chQuantile(Call("arrayMap", chLambda("__j", chAt(l, j)), phase), 0.5)
		seasonal = chOverIndexes(n, "__i", Call("COALESCE", median, realLit(0)))
	}
	deseason := func(j Expr) Expr { return Bin("-", chAt(l, j), chAt(ident("__ss"), j)) }
	learnD := Call("arrayMap", chLambda("__j", deseason(j)), Call("range", learn))
	var trendList Expr
	switch trend {
	case "avg":
		trendList = chBind(Call("COALESCE", chAvg(learnD), realLit(0)), "__ta", chOverIndexes(n, "__i", ident("__ta")))
	case "linefit":
		// Least squares over the learning points: slope = sum((j-mj)(d-md)) / sum((j-mj)^2).
		mj := Bin("/", Bin("-", &Cast{X: learn, T: schema.TypeReal}, realLit(1)), realLit(2))
		num := chSum(Call("arrayMap", chLambda("__j", Bin("*", Bin("-", j, mj), Bin("-", deseason(j), ident("__md")))), Call("range", learn)))
		den := chSum(Call("arrayMap", chLambda("__j", Bin("*", Bin("-", j, mj), Bin("-", j, mj))), Call("range", learn)))
		slope := Call("COALESCE", Bin("/", num, Call("nullIf", den, realLit(0))), realLit(0))
		line := Bin("+", ident("__md"), Bin("*", ident("__tb"), Bin("-", i, mj)))
		trendList = chBind(Call("COALESCE", chAvg(learnD), realLit(0)), "__md", chBind(slope, "__tb", chOverIndexes(n, "__i", line)))
	default:
		trendList = chOverIndexes(n, "__i", realLit(0))
	}
	return chBind(series, "__sl", chBind(seasonal, "__ss", chBind(trendList, "__st", body)))
}

func chBaselineAt(i Expr) Expr { return Bin("+", chAt(ident("__ss"), i), chAt(ident("__st"), i)) }
func chResidualAt(i Expr) Expr { return Bin("-", chAt(ident("__sl"), i), chBaselineAt(i)) }

func chSeriesDecompose(part string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		i := ident("__i")
		n := chLen(ident("__sl"))
		var body Expr
		switch part {
		case "baseline":
			body = chOverIndexes(n, "__i", chBaselineAt(i))
		case "seasonal":
			body = ident("__ss")
		case "trend":
			body = ident("__st")
		default:
			body = chOverIndexes(n, "__i", chResidualAt(i))
		}
		return Call("toJSONString", chDecomposition(chSeriesNumbers(a[0], nil, false), longArg(in[1]), strArg(in[2]), longArg(in[3]), body))
	}
}

// chTukeyScores is tukeyScores for ClickHouse: the outlier scores of the array bound as
// name, the percentiles taken over its first learn elements.
func chTukeyScores(name string, learn Expr, lo, hi float64) Expr {
	learning := Call("arraySlice", ident(name), Int(1), learn)
	r := chAt(ident(name), ident("__i"))
	width := &Case{Whens: []When{{Cond: Bin(">", Bin("-", ident("__hi"), ident("__lo")), realLit(0)), Then: Bin("-", ident("__hi"), ident("__lo"))}}, Else: realLit(1)}
	score := &Case{Whens: []When{
		{Cond: Bin(">", r, ident("__hi")), Then: Bin("/", Bin("-", r, ident("__hi")), width)},
		{Cond: Bin("<", r, ident("__lo")), Then: Bin("/", Bin("-", r, ident("__lo")), width)},
	}, Else: realLit(0)}
	return chBind(chQuantile(learning, lo/100), "__lo", chBind(chQuantile(learning, hi/100), "__hi", chOverIndexes(chLen(ident(name)), "__i", score)))
}

func chSeriesOutliers(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	ignoreGiven := false
	if k, ok := in[3].(*plan.Const); ok && k.V != nil {
		ignoreGiven = true
	}
	scores := chTukeyScores("__sl", chLen(ident("__sl")), constReal(in[1]), constReal(in[2]))
	return Call("toJSONString", chBind(chSeriesNumbers(a[0], a[3], ignoreGiven), "__sl", scores))
}

func chSeriesAnomalies(part string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		test := longArg(in[4])
		lo, hi := 10.0, 90.0
		if strArg(in[5]) == "tukey" {
			lo, hi = 25, 75
		}
		i := ident("__i")
		n := chLen(ident("__sl"))
		learn := Call("greatest", Bin("-", n, Int(test)), Int(0))
		var body Expr
		switch part {
		case "baseline":
			body = chOverIndexes(n, "__i", chBaselineAt(i))
		default:
			residuals := chOverIndexes(n, "__i", chResidualAt(i))
			scores := chBind(residuals, "__sr", chTukeyScores("__sr", learn, lo, hi))
			if part == "ad_score" {
				body = scores
				break
			}
			s := chAt(ident("__sc"), i)
			flag := &Case{Whens: []When{
				{Cond: Bin(">", s, ident("__k")), Then: Int(1)},
				{Cond: Bin("<", s, &Unary{Op: "-", X: ident("__k")}), Then: Int(-1)},
			}, Else: Int(0)}
			body = chBind(&Cast{X: a[1], T: schema.TypeReal}, "__k", chBind(scores, "__sc", chOverIndexes(n, "__i", flag)))
		}
		return Call("toJSONString", chDecomposition(chSeriesNumbers(a[0], nil, false), longArg(in[2]), strArg(in[3]), test, body))
	}
}

// chSeriesStat is one value of series_stats over the array bound as __sl: min, max and
// their 0-based indexes (of the first extreme; null for an empty series), avg, and the
// sample stdev and variance over the non-null values.
func chSeriesStat(part string) Expr {
	l := ident("__sl")
	index := func(v Expr) Expr {
		return &Cast{X: Bin("-", Call("nullIf", Call("indexOf", l, v), Int(0)), Int(1)), T: schema.TypeLong}
	}
	variance := func(agg string) Expr {
		enough := Bin(">", Call("arrayCount", chLambda("__x", Call("isNotNull", ident("__x"))), l), Int(1))
		return &Case{Whens: []When{{Cond: enough, Then: Call("arrayReduce", Str(agg), chNonNull(l))}}, Else: &Lit{T: schema.TypeReal}}
	}
	switch part {
	case "min":
		return Call("arrayReduce", Str("min"), l)
	case "max":
		return Call("arrayReduce", Str("max"), l)
	case "min_idx":
		return index(Call("arrayReduce", Str("min"), l))
	case "max_idx":
		return index(Call("arrayReduce", Str("max"), l))
	case "avg":
		return chAvg(l)
	case "stdev":
		return variance("stddevSampStable")
	}
	return variance("varSampStable")
}

func chSeriesStatsPart(part string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		ignoreGiven := false
		if k, ok := in[1].(*plan.Const); ok && k.V != nil {
			ignoreGiven = true
		}
		return chBind(chSeriesNumbers(a[0], a[1], ignoreGiven), "__sl", chSeriesStat(part))
	}
}

// chSeriesStatsDynamic is series_stats_dynamic: the bag of the seven series_stats values.
func chSeriesStatsDynamic(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	parts := []Expr{Str("{")}
	for k, part := range []string{"min", "min_idx", "max", "max_idx", "avg", "stdev", "variance"} {
		sep := ","
		if k == 0 {
			sep = ""
		}
		parts = append(parts, Str(sep+`"`+part+`":`), Call("toJSONString", chSeriesStat(part)))
	}
	return chBind(chSeriesNumbers(a[0], nil, false), "__sl", Call("concat", append(parts, Str("}"))...))
}

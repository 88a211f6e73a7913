package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// chAggFuncs holds ClickHouse's aggregates, keyed "agg:" + Kusto name, as duckAggFuncs;
// sum, avg, min and max come from castAggs.
func chAggFuncs() map[string]FuncSQL {
	set := func(name string, cond, sorted bool) FuncSQL {
		return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			if in[0].Type() == schema.TypeDynamic || in[0].Type() == schema.TypeDatetime {
				panic(unsupported("ClickHouse", "make_set and make_list of "+in[0].Type().String()+" values"))
			}
			var x Expr = &Func{Name: name, Args: a[:1]}
			limit := 1
			if cond {
				x.(*Func).Filter = a[1]
				limit = 2
			}
			if sorted {
				x = Call("arraySort", x)
			}
			if len(a) > limit {
				// The size limit keeps the first values, as DuckDB's list_slice: the
				// smallest of a set (sorted), and the first collected of a list.
				x = Call("arraySlice", x, Int(1), a[limit])
			}
			return Call("toJSONString", x)
		}
	}
	m := map[string]FuncSQL{
		"agg:count": func(_ []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Cast{X: Call("count"), T: schema.TypeLong} },
		"agg:countif": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: &Func{Name: "count", Filter: a[0]}, T: schema.TypeLong}
		},
		// dcount is exact (uniqExact), as DuckDB's count(DISTINCT): Kusto's is an estimate,
		// and exact answers keep the two engines comparable.
		"agg:dcount": castAgg("uniqExact", false),
		// dcountif(x, predicate [, accuracy]): the accuracy hint does not apply to an exact count.
		"agg:dcountif": func(a []Expr, _ []plan.Expr, t schema.Type) Expr {
			return &Cast{X: &Func{Name: "uniqExact", Args: a[:1], Filter: a[1]}, T: t}
		},
		"agg:count_distinct": castAgg("uniqExact", false),
		"agg:stdev":          castAgg("stddevSamp", false),
		"agg:variance":       castAgg("varSamp", false),
		"agg:any":            castAgg("any", false),
		"agg:take_any":       castAgg("any", false),
		"agg:take_anyif":     castAgg("any", true),
		"agg:make_set":       set("groupUniqArray", false, true),
		"agg:make_set_if":    set("groupUniqArray", true, true),
		"agg:make_list":      set("groupArray", false, false),
		"agg:make_list_if":   set("groupArray", true, false),
		// hll keeps the sorted distinct values (an exact sketch), as make_set.
		"agg:hll":        set("groupUniqArray", false, true),
		"agg:percentile": chPercentile,
	}
	for k, v := range castAggs() {
		m[k] = v
	}
	return m
}

// chWindowFuncs lowers Kusto's window functions; lagInFrame and leadInFrame see the whole
// partition, as lag and lead do.
var chWindowFuncs = map[string]windowSQL{
	"prev": func(a []Expr, _ []plan.Expr, out schema.Type) (*Func, string, func(Expr) Expr) {
		return Call("lagInFrame", &Cast{X: a[0], T: out}, a[1], &Cast{X: a[2], T: out}), "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING", nil
	},
	"next": func(a []Expr, _ []plan.Expr, out schema.Type) (*Func, string, func(Expr) Expr) {
		return Call("leadInFrame", &Cast{X: a[0], T: out}, a[1], &Cast{X: a[2], T: out}), "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING", nil
	},
	"row_number": windowFuncs["row_number"],
	"row_cumsum": windowFuncs["row_cumsum"],
}

// chPercentile is the nearest-rank percentile DuckDB's quantile_disc computes: the value at
// 1-based rank ceil(n*p/100) of the sorted non-null values (null when there are none).
func chPercentile(a []Expr, _ []plan.Expr, t schema.Type) Expr {
	sorted := Call("arraySort", Call("groupArray", a[0]))
	q := Bin("/", &Cast{X: a[1], T: schema.TypeReal}, &Lit{V: float64(100), T: schema.TypeReal})
	rank := Call("toUInt64", Call("greatest", Call("ceil", Bin("*", Call("count", a[0]), q)), &Lit{V: float64(1), T: schema.TypeReal}))
	return &Cast{X: Call("arrayElementOrNull", sorted, rank), T: t}
}

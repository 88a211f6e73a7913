package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// duckAggFuncs holds the aggregates, keyed "agg:" + Kusto name. The last
// argument of an *if variant is its predicate; sum, avg, min and max come
// from castAggs, shared with ClickHouse.
func duckAggFuncs() map[string]FuncSQL {
	m := map[string]FuncSQL{
		"agg:count": func(_ []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("count", &Star{}) },
		"agg:countif": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Func{Name: "count", Args: []Expr{&Star{}}, Filter: a[0]}
		},
		"agg:dcount": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Func{Name: "count", Args: a[:1], Distinct: true}
		},
		"agg:dcountif": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Func{Name: "count", Args: a[:1], Distinct: true, Filter: a[1]}
		},
		"agg:stdev":      castAgg("stddev_samp", false),
		"agg:variance":   castAgg("var_samp", false),
		"agg:any":        castAgg("any_value", false),
		"agg:take_any":   castAgg("any_value", false),
		"agg:take_anyif": castAgg("any_value", true),
		"agg:count_distinct": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Func{Name: "count", Args: a[:1], Distinct: true}
		},
		"agg:make_set":     makeList(true, false),
		"agg:make_set_if":  makeList(true, true),
		"agg:make_list":    makeList(false, false),
		"agg:make_list_if": makeList(false, true),
		"agg:make_bag":     makeBag(false),
		"agg:make_bag_if":  makeBag(true),
		"agg:percentile": func(a []Expr, _ []plan.Expr, t schema.Type) Expr {
			return &Cast{X: Call("quantile_disc", a[0], Bin("/", &Cast{X: a[1], T: schema.TypeReal}, Int(100))), T: t}
		},
	}
	for k, v := range castAggs() {
		m[k] = v
	}
	return m
}

// castAggs are the aggregates both dialects write alike: sum, avg, min, max and their *if
// forms, each cast to the Kusto result type.
func castAggs() map[string]FuncSQL {
	m := map[string]FuncSQL{}
	for _, name := range []string{"sum", "avg", "min", "max"} {
		m["agg:"+name] = castAgg(name, false)
		m["agg:"+name+"if"] = castAgg(name, true)
	}
	return m
}

// castAgg is the aggregate name over the first argument, cast to the Kusto result type;
// with cond, the second argument is its predicate.
func castAgg(name string, cond bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, t schema.Type) Expr {
		f := &Func{Name: name, Args: a[:1]}
		if cond {
			f.Filter = a[1]
		}
		return &Cast{X: f, T: t}
	}
}

// makeList collects non-null values into a JSON array; make_set sorts its
// distinct values so that results are stable. It sorts each group's set once
// it is collected (list_sort, ascending; the filter leaves no nulls), not
// the group's input rows as an ORDER BY inside the aggregate would: DuckDB
// buffers and sorts every row of an ordered aggregate.
func makeList(set, cond bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		var filter Expr = &IsNull{X: a[0], Not: true}
		if cond {
			filter = Bin("AND", filter, a[1])
		}
		var list Expr = &Func{Name: "list", Args: a[:1], Filter: filter}
		if set {
			list.(*Func).Distinct = true
			list = Call("list_sort", list)
		}
		return Call("COALESCE", Call("to_json", limitList(list, a, cond)), &Lit{V: "[]", T: schema.TypeDynamic})
	}
}

// makeBag merges the property bags of the group (other values are ignored)
// with JSON merge patch, starting from the empty bag.
func makeBag(cond bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		var filter Expr = Bin("=", Call("json_type", a[0]), Str("OBJECT"))
		if cond {
			filter = Bin("AND", filter, a[1])
		}
		bags := &Func{Name: "list", Args: a[:1], Filter: filter}
		merge := &Lambda{Params: []string{"acc", "b"}, Body: Call("json_merge_patch", &Ident{Name: "acc"}, &Ident{Name: "b"})}
		return Call("list_reduce", bags, merge, &Lit{V: "{}", T: schema.TypeDynamic})
	}
}

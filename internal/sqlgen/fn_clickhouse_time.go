package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// usPerDay is the microseconds in a day: timespans are Int64 microseconds in ClickHouse.
const usPerDay = 86_400_000_000

func chTimeFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"bin":          chBin,
		"floor":        chBin,
		"startofday":   chTrunc("toStartOfDay"),
		"startofmonth": chTrunc("toStartOfMonth"),
		"startofyear":  chTrunc("toStartOfYear"),
		"startofweek": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("toStartOfWeek", a[0], chRaw("0")), T: schema.TypeDatetime}
		},
		"endofday": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("addMicroseconds", chTrunc("toStartOfDay")(a, nil, schema.TypeDatetime), Int(usPerDay-1))
		},
		"dayofweek": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin("*", &Cast{X: Call("toDayOfWeek", a[0], chRaw("2")), T: schema.TypeLong}, Int(usPerDay))
		},
		"hourofday":   chPart("toHour"),
		"dayofmonth":  chPart("toDayOfMonth"),
		"getmonth":    chPart("toMonth"),
		"monthofyear": chPart("toMonth"),
		"getyear":     chPart("toYear"),
		"datetime_diff": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			if part, _ := constString(in[0]); strings.EqualFold(part, "week") {
				// ClickHouse's weeks start on Monday, Kusto's on Sunday.
				panic(unsupported("ClickHouse", "datetime_diff in weeks"))
			}
			return &Cast{X: Call("dateDiff", a[0], a[2], a[1]), T: schema.TypeLong}
		},
		"datetime_add": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			part, _ := constString(in[0])
			return Call(chAddFunc(part), a[2], a[1])
		},
		"format_datetime": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			f, _ := constString(in[1])
			return Call("COALESCE", Call("formatDateTime", a[0], Str(chDateFormat(f))), Str(""))
		},
	}
}

func chAddFunc(part string) string {
	switch strings.ToLower(part) {
	case "year":
		return "addYears"
	case "month":
		return "addMonths"
	case "week":
		return "addWeeks"
	case "day":
		return "addDays"
	case "hour":
		return "addHours"
	case "minute":
		return "addMinutes"
	case "millisecond":
		return "addMilliseconds"
	case "microsecond":
		return "addMicroseconds"
	}
	return "addSeconds"
}

func chTrunc(f string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		return &Cast{X: Call(f, a[0]), T: schema.TypeDatetime}
	}
}

func chPart(f string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		return &Cast{X: Call(f, a[0]), T: schema.TypeInt}
	}
}

// chBin floors to a multiple of the step with integer arithmetic on microseconds, which is
// right for times before 1970 too (toStartOfInterval is not).
func chBin(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	switch in[0].Type() {
	case schema.TypeDatetime:
		us := Call("toUnixTimestamp64Micro", a[0])
		return Call("fromUnixTimestamp64Micro", floorMod(us, a[1]), Str("UTC"))
	case schema.TypeTimespan:
		return floorMod(a[0], a[1])
	case schema.TypeLong, schema.TypeInt:
		if in[1].Type() == schema.TypeLong || in[1].Type() == schema.TypeInt {
			return floorMod(a[0], a[1])
		}
	default:
	}
	return Bin("*", Call("floor", Bin("/", &Cast{X: a[0], T: schema.TypeReal}, a[1])), a[1])
}

// chDateFormat translates a Kusto datetime format to formatDateTime's; fractions other than
// six digits are not supported yet.
func chDateFormat(f string) string {
	repl := []struct{ k, v string }{
		{"yyyy", "%Y"}, {"yy", "%y"}, {"MM", "%m"}, {"dd", "%d"}, {"HH", "%H"}, {"hh", "%I"},
		{"mm", "%i"}, {"ss", "%S"}, {"ffffff", "%f"}, {"tt", "%p"},
	}
	var b strings.Builder
outer:
	for i := 0; i < len(f); {
		for _, r := range repl {
			if strings.HasPrefix(f[i:], r.k) {
				b.WriteString(r.v)
				i += len(r.k)
				continue outer
			}
		}
		switch f[i] {
		case '%':
			b.WriteString("%%")
		case 'f', 'F':
			panic(unsupported("ClickHouse", "format_datetime fraction "+f))
		default:
			b.WriteByte(f[i])
		}
		i++
	}
	return b.String()
}

func chAggFuncs() map[string]FuncSQL {
	agg := func(name string, cond bool) FuncSQL {
		return func(a []Expr, _ []plan.Expr, t schema.Type) Expr {
			f := &Func{Name: name, Args: a[:1]}
			if cond {
				f.Filter = a[len(a)-1]
			}
			return &Cast{X: f, T: t}
		}
	}
	set := func(name string, cond, sorted bool) FuncSQL {
		return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			if in[0].Type() == schema.TypeDynamic || in[0].Type() == schema.TypeDatetime {
				panic(unsupported("ClickHouse", "make_set and make_list of "+in[0].Type().String()+" values"))
			}
			if n := 1; (cond && len(a) > n+1) || (!cond && len(a) > n) {
				panic(unsupported("ClickHouse", "make_set and make_list with a size limit"))
			}
			var x Expr = &Func{Name: name, Args: a[:1]}
			if cond {
				x.(*Func).Filter = a[1]
			}
			if sorted {
				x = Call("arraySort", x)
			}
			return Call("toJSONString", x)
		}
	}
	return map[string]FuncSQL{
		"agg:count": func(_ []Expr, _ []plan.Expr, _ schema.Type) Expr { return &Cast{X: Call("count"), T: schema.TypeLong} },
		"agg:countif": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: &Func{Name: "count", Filter: a[0]}, T: schema.TypeLong}
		},
		// dcount is exact (uniqExact), as DuckDB's count(DISTINCT): Kusto's is an estimate,
		// and exact answers keep the two engines comparable.
		"agg:dcount":         agg("uniqExact", false),
		"agg:dcountif":       agg("uniqExact", true),
		"agg:count_distinct": agg("uniqExact", false),
		"agg:sum":            agg("sum", false),
		"agg:sumif":          agg("sum", true),
		"agg:avg":            agg("avg", false),
		"agg:avgif":          agg("avg", true),
		"agg:min":            agg("min", false),
		"agg:minif":          agg("min", true),
		"agg:max":            agg("max", false),
		"agg:maxif":          agg("max", true),
		"agg:stdev":          agg("stddevSamp", false),
		"agg:variance":       agg("varSamp", false),
		"agg:any":            agg("any", false),
		"agg:take_any":       agg("any", false),
		"agg:take_anyif":     agg("any", true),
		"agg:make_set":       set("groupUniqArray", false, true),
		"agg:make_set_if":    set("groupUniqArray", true, true),
		"agg:make_list":      set("groupArray", false, false),
		"agg:make_list_if":   set("groupArray", true, false),
		"agg:make_bag":       chUnsupported("aggregate make_bag"),
		"agg:make_bag_if":    chUnsupported("aggregate make_bag_if"),
		"agg:percentile":     chPercentile,
	}
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

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
				return chWeekDiff(a[1], a[2])
			}
			return &Cast{X: Call("dateDiff", a[0], a[2], a[1]), T: schema.TypeLong}
		},
		"datetime_add": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			part, _ := constString(in[0])
			return Call(chAddFunc(part), a[2], a[1])
		},
	}
}

// chAddFunc is ClickHouse's function that adds a number of a Kusto datetime part.
func chAddFunc(part string) string { return "add" + timeUnit(part) }

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
var chBin = binWith(
	func(x, step Expr) Expr {
		return Call("fromUnixTimestamp64Micro", floorMod(Call("toUnixTimestamp64Micro", x), step), Str("UTC"))
	},
	floorMod,
)

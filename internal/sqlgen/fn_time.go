package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckTimeFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"bin":          bin,
		"floor":        bin,
		"startofday":   truncTo("day"),
		"startofmonth": truncTo("month"),
		"startofyear":  truncTo("year"),
		"startofweek": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			day := &Cast{X: Call("date_trunc", Str("day"), a[0]), T: schema.TypeDatetime}
			return Bin("-", day, Call("to_days", &Cast{X: Call("dayofweek", a[0]), T: schema.TypeInt}))
		},
		"endofday": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			day := &Cast{X: Call("date_trunc", Str("day"), a[0]), T: schema.TypeDatetime}
			return Bin("-", Bin("+", day, Call("to_days", Int(1))), Call("to_microseconds", Int(1)))
		},
		"dayofweek": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("to_days", &Cast{X: Call("dayofweek", a[0]), T: schema.TypeInt})
		},
		"hourofday":     intPart("hour"),
		"dayofmonth":    intPart("day"),
		"getmonth":      intPart("month"),
		"monthofyear":   intPart("month"),
		"getyear":       intPart("year"),
		"datetime_diff": datetimeDiff,
		"datetime_add": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			part, _ := constString(in[0])
			return &Cast{X: Bin("+", a[2], Call(intervalFunc(part), &Cast{X: a[1], T: schema.TypeInt})), T: schema.TypeDatetime}
		},
		"format_datetime": formatDatetime,
	}
}

// intervalFunc is DuckDB's function that makes an interval of a Kusto datetime part.
func intervalFunc(part string) string { return "to_" + strings.ToLower(timeUnit(part)) }

// timeUnit is the plural unit of a Kusto datetime part, capitalized ("Days" for "day"):
// the dialects name their interval functions after it; a part not listed is in seconds.
func timeUnit(part string) string {
	p := strings.ToLower(part)
	switch p {
	case "year", "month", "week", "day", "hour", "minute", "millisecond", "microsecond":
		return strings.ToUpper(p[:1]) + p[1:] + "s"
	}
	return "Seconds"
}

func truncTo(part string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		return &Cast{X: Call("date_trunc", Str(part), a[0]), T: schema.TypeDatetime}
	}
}

func intPart(part string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		return &Cast{X: Call("date_part", Str(part), a[0]), T: schema.TypeInt}
	}
}

// floorMod floors x to a multiple of step with integer arithmetic that is
// correct for negative values: x - ((x % step) + step) % step.
func floorMod(x, step Expr) Expr {
	return Bin("-", x, Bin("%", Bin("+", Bin("%", x, step), step), step))
}

// bin floors a value down to a multiple of the step (Kusto's bin/floor) on DuckDB.
var bin = binWith(
	func(x, step Expr) Expr {
		return Call("make_timestamp", floorMod(Call("epoch_us", x), Call("epoch_us", step)))
	},
	func(x, step Expr) Expr {
		return Call("to_microseconds", floorMod(Call("epoch_us", x), Call("epoch_us", step)))
	},
)

// binWith is Kusto's bin/floor: integers floored with integer arithmetic, reals through
// floor; datetime and timespan floor a datetime and a timespan value in the dialect's way.
func binWith(datetime, timespan func(x, step Expr) Expr) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		switch in[0].Type() {
		case schema.TypeDatetime:
			return datetime(a[0], a[1])
		case schema.TypeTimespan:
			return timespan(a[0], a[1])
		case schema.TypeLong, schema.TypeInt:
			if in[1].Type() == schema.TypeLong || in[1].Type() == schema.TypeInt {
				return floorMod(a[0], a[1])
			}
		default:
		}
		return Bin("*", Call("floor", Bin("/", &Cast{X: a[0], T: schema.TypeReal}, a[1])), a[1])
	}
}

// strftimeFormat translates a Kusto datetime format to strftime's.
func strftimeFormat(f string) string {
	return translateFormat(f, []formatPart{
		{"yyyy", "%Y"}, {"yy", "%y"}, {"MM", "%m"}, {"dd", "%d"}, {"HH", "%H"}, {"hh", "%I"},
		{"mm", "%M"}, {"ss", "%S"}, {"fffffff", "%n"}, {"ffffff", "%f"}, {"fff", "%g"}, {"tt", "%p"},
		{"y", "%-y"}, {"M", "%-m"}, {"d", "%-d"}, {"H", "%-H"}, {"h", "%-I"}, {"m", "%-M"}, {"s", "%-S"},
	}, nil)
}

// formatPart is a Kusto datetime format specifier k and the dialect's spelling v of it.
type formatPart struct{ k, v string }

// translateFormat translates a Kusto datetime format with the dialect's specifiers, trying
// them in order at each position; other characters are kept ('%' escaped). check, when set,
// sees each kept character (and panics on one the dialect cannot format).
func translateFormat(f string, parts []formatPart, check func(c byte)) string {
	var b strings.Builder
outer:
	for i := 0; i < len(f); {
		for _, r := range parts {
			if strings.HasPrefix(f[i:], r.k) {
				b.WriteString(r.v)
				i += len(r.k)
				continue outer
			}
		}
		if check != nil {
			check(f[i])
		}
		if f[i] == '%' {
			b.WriteString("%%")
		} else {
			b.WriteByte(f[i])
		}
		i++
	}
	return b.String()
}

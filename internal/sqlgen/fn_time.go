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

func intervalFunc(part string) string {
	switch strings.ToLower(part) {
	case "year":
		return "to_years"
	case "month":
		return "to_months"
	case "week":
		return "to_weeks"
	case "day":
		return "to_days"
	case "hour":
		return "to_hours"
	case "minute":
		return "to_minutes"
	case "millisecond":
		return "to_milliseconds"
	case "microsecond":
		return "to_microseconds"
	}
	return "to_seconds"
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

// bin floors a value down to a multiple of the step (Kusto's bin/floor).
func bin(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	switch in[0].Type() {
	case schema.TypeDatetime:
		return Call("make_timestamp", floorMod(Call("epoch_us", a[0]), Call("epoch_us", a[1])))
	case schema.TypeTimespan:
		return Call("to_microseconds", floorMod(Call("epoch_us", a[0]), Call("epoch_us", a[1])))
	case schema.TypeLong, schema.TypeInt:
		if in[1].Type() == schema.TypeLong || in[1].Type() == schema.TypeInt {
			return floorMod(a[0], a[1])
		}
	default:
	}
	return Bin("*", Call("floor", Bin("/", &Cast{X: a[0], T: schema.TypeReal}, a[1])), a[1])
}

// strftimeFormat translates a Kusto datetime format to strftime's.
func strftimeFormat(f string) string {
	repl := []struct{ k, v string }{
		{"yyyy", "%Y"}, {"yy", "%y"}, {"MM", "%m"}, {"dd", "%d"}, {"HH", "%H"}, {"hh", "%I"},
		{"mm", "%M"}, {"ss", "%S"}, {"fffffff", "%n"}, {"ffffff", "%f"}, {"fff", "%g"}, {"tt", "%p"},
		{"y", "%-y"}, {"M", "%-m"}, {"d", "%-d"}, {"H", "%-H"}, {"h", "%-I"}, {"m", "%-M"}, {"s", "%-S"},
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
		if f[i] == '%' {
			b.WriteString("%%")
		} else {
			b.WriteByte(f[i])
		}
		i++
	}
	return b.String()
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// timeExtraSQL is what a dialect supplies to totimespan and unixtime_*_todatetime.
type timeExtraSQL struct {
	text textSQL
	// timespan makes a timespan of a number of microseconds (BIGINT).
	timespan func(us Expr) Expr
	// datetime makes a datetime of microseconds since the epoch.
	datetime func(us Expr) Expr
	// minUs and maxUs bound the microseconds a datetime of the dialect can hold.
	minUs, maxUs float64
}

// Kusto's datetimes run from 0001-01-01 to 9999-12-31 23:59:59.9999999; DuckDB holds
// them all.
const (
	kustoMinUs = -62_135_596_800_000_000
	kustoMaxUs = 253_402_300_799_999_999
)

func duckTimeExtraFuncs() map[string]FuncSQL {
	return timeExtraFuncs(timeExtraSQL{
		text:     duckText,
		timespan: func(us Expr) Expr { return Call("to_microseconds", us) },
		datetime: func(us Expr) Expr { return Call("make_timestamp", us) },
		minUs:    kustoMinUs, maxUs: kustoMaxUs,
	})
}

func timeExtraFuncs(d timeExtraSQL) map[string]FuncSQL {
	return map[string]FuncSQL{
		"totimespan":                       func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return d.timespan(parseTimespan(d.text, a[0])) },
		"unixtime_seconds_todatetime":      d.unixtime(1_000_000),
		"unixtime_milliseconds_todatetime": d.unixtime(1_000),
		"unixtime_microseconds_todatetime": d.unixtime(1),
		"unixtime_nanoseconds_todatetime":  d.unixtime(0.001),
	}
}

// unixtime converts a number of epoch units, each perUnit microseconds, to a datetime:
// whole microseconds (rounded), null outside the datetimes the dialect holds.
func (d timeExtraSQL) unixtime(perUnit float64) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		x := a[0]
		var us Expr
		switch t := in[0].Type(); {
		case (t == schema.TypeLong || t == schema.TypeInt) && perUnit >= 1:
			us = Bin("*", &Cast{X: x, T: schema.TypeLong}, Int(int64(perUnit)))
		case t == schema.TypeLong || t == schema.TypeInt:
			us = Bin("//", &Cast{X: x, T: schema.TypeLong}, Int(int64(1/perUnit)))
		default:
			us = &Cast{X: Call("round", Bin("*", &Cast{X: x, T: schema.TypeReal}, realLit(perUnit))), T: schema.TypeLong, Try: true}
		}
		// The bounds are compared in the argument's unit, before the multiplication
		// that could overflow.
		lo, hi := realLit(d.minUs/perUnit), realLit(d.maxUs/perUnit)
		inRange := Bin("AND", Bin(">=", x, lo), Bin("<=", x, hi))
		return &Case{Whens: []When{{Cond: inRange, Then: d.datetime(us)}}}
	}
}

// The forms totimespan reads: [-][d.]hh:mm[:ss[.fffffff]] (.NET's TimeSpan), a number with
// a unit as in timespan literals ("1.5h", "100ms", "2 days") and a whole number of days.
const (
	clockRE  = `^\s*(-)?(?:(\d{1,8})\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d?)?)?\s*$`
	unitRE   = `^\s*(-?\d+(?:\.\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|milliseconds?|millis?|ms|microseconds?|m|seconds?|secs?|s|ticks?|nanoseconds?)\s*$`
	daysOnly = `^\s*(-?\d{1,8})\s*$`
)

// unitMicros is the length of each timespan literal unit in microseconds.
var unitMicros = []struct {
	units []string
	us    float64
}{
	{[]string{"d", "day", "days"}, 86_400_000_000},
	{[]string{"h", "hr", "hrs", "hour", "hours"}, 3_600_000_000},
	{[]string{"m", "min", "mins", "minute", "minutes"}, 60_000_000},
	{[]string{"s", "sec", "secs", "second", "seconds"}, 1_000_000},
	{[]string{"ms", "milli", "millis", "millisecond", "milliseconds"}, 1_000},
	{[]string{"microsecond", "microseconds"}, 1},
	{[]string{"tick", "ticks"}, 0.1},
	{[]string{"nanosecond", "nanoseconds"}, 0.001},
}

// parseTimespan is the microseconds of a timespan written as text, null when the text is
// none of the forms (or an hour, minute or second is out of range).
func parseTimespan(d textSQL, x Expr) Expr {
	g := func(re string, i int64) Expr { return d.extract(x, re, i) }
	num := func(e Expr) Expr { return Call("COALESCE", &Cast{X: e, T: schema.TypeLong, Try: true}, Int(0)) }
	h, m, s := num(g(clockRE, 3)), num(g(clockRE, 4)), num(g(clockRE, 5))
	frac := num(Call("substring", Call("concat", g(clockRE, 6), Str("000000")), Int(1), Int(6)))
	total := Bin("+", Bin("*", Bin("+", Bin("*", Bin("+", Bin("*", Bin("+", Bin("*", num(g(clockRE, 2)), Int(24)), h), Int(60)), m), Int(60)), s), Int(1_000_000)), frac)
	signed := &Case{Whens: []When{{Cond: Bin("=", g(clockRE, 1), Str("-")), Then: Bin("-", Int(0), total)}}, Else: total}
	valid := Bin("AND", d.matches(x, clockRE), Bin("AND", Bin("<", h, Int(24)), Bin("AND", Bin("<", m, Int(60)), Bin("<", s, Int(60)))))

	unit := &Case{}
	for _, u := range unitMicros {
		var names []Expr
		for _, n := range u.units {
			names = append(names, Str(n))
		}
		unit.Whens = append(unit.Whens, When{Cond: &In{X: g(unitRE, 2), List: names}, Then: realLit(u.us)})
	}
	byUnit := &Cast{X: Call("round", Bin("*", &Cast{X: g(unitRE, 1), T: schema.TypeReal, Try: true}, unit)), T: schema.TypeLong, Try: true}
	days := Bin("*", &Cast{X: g(daysOnly, 1), T: schema.TypeLong, Try: true}, Int(86_400_000_000))
	return &Case{Whens: []When{
		{Cond: valid, Then: signed},
		{Cond: d.matches(x, unitRE), Then: byUnit},
		{Cond: d.matches(x, daysOnly), Then: days},
	}}
}

package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// ClickHouse's text renderings that must read as DuckDB's: format_timespan, datetime_diff
// in Kusto's (Sunday) weeks, and tostring of reals and timespans.

func chFormatFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"format_timespan": chFormatTimespan,
		"dcount_hll": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("toInt64", Call("length", chJSONList(a[0])))
		},
		// hll_merge unions the sketches (exact: sorted distinct values, as hll keeps them).
		"agg:hll_merge": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			all := Call("arrayFlatten", Call("groupArray", chJSONList(a[0])))
			return chJSONArrayOf(Call("arraySort", Call("arrayDistinct", all)))
		},
	}
}

// chFloorDiv divides rounding toward minus infinity (intDiv truncates toward zero).
func chFloorDiv(x Expr, k int64) Expr {
	return Call("intDiv", floorMod(x, Int(k)), Int(k))
}

// chWeekDiff is datetime_diff('week', end, start): the Sunday-started weeks between the two,
// as datetimeDiff counts them. 1970-01-01 was a Thursday, so day d (from the epoch) is in
// week floor((d + 4) / 7).
func chWeekDiff(end, start Expr) Expr {
	week := func(t Expr) Expr {
		day := chFloorDiv(Call("toUnixTimestamp64Micro", t), usPerDay)
		return chFloorDiv(Bin("+", day, Int(4)), 7)
	}
	return &Cast{X: Bin("-", week(end), week(start)), T: schema.TypeLong}
}

// chFormatTimespan is formatTimespan for ClickHouse, where a timespan is Int64
// microseconds.
func chFormatTimespan(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	f, _ := constString(in[1])
	us := Call("abs", a[0])
	var parts []Expr
	for i := 0; i < len(f); {
		j := i
		for j < len(f) && f[j] == f[i] {
			j++
		}
		parts = append(parts, chTimespanPart(us, f[i], j-i))
		i = j
	}
	if len(parts) == 0 {
		return Str("")
	}
	return &Case{Whens: []When{{Cond: &IsNull{X: a[0]}, Then: Str("")}}, Else: Call("concat", append(parts, Str(""))...)}
}

func chTimespanPart(us Expr, letter byte, n int) Expr {
	pad := func(s Expr, width Expr) Expr { return Call("leftPad", s, width, Str("0")) }
	unit := func(div, mod int64) Expr {
		var v Expr = Call("intDiv", us, Int(div))
		if mod > 0 {
			v = Bin("%", v, Int(mod))
		}
		s := Call("toString", v)
		if n == 1 {
			return s
		}
		return pad(s, Call("greatest", Call("toUInt64", Int(int64(n))), Call("length", s)))
	}
	switch letter {
	case 'd':
		return unit(usPerDay, 0)
	case 'h', 'H':
		return unit(3_600_000_000, 24)
	case 'm':
		return unit(60_000_000, 60)
	case 's':
		return unit(1_000_000, 60)
	case 'f', 'F':
		ticks := pad(Call("toString", Bin("*", Bin("%", us, Int(1_000_000)), Int(10))), Call("toUInt64", Int(7)))
		digits := Call("left", ticks, Int(int64(min(n, 7))))
		if letter == 'F' {
			return Call("replaceRegexpOne", digits, Str("0+$"), Str(""))
		}
		return digits
	default:
		return Str(strings.Repeat(string(letter), n))
	}
}

// chPadLeft pads the text with zeros to at least width characters; leftPad alone would cut
// a longer text down to width.
func chPadLeft(s Expr, width int64) Expr {
	return chBind(s, "__pad", Call("leftPad", ident("__pad"), Call("greatest", Call("length", ident("__pad")), Call("toUInt64", Int(width))), Str("0")))
}

// chTimespanText is DuckDB's text of an interval of x microseconds: [-]hh:mm:ss with the
// hours unbounded, and the fraction of a second without trailing zeros when there is one.
func chTimespanText(x Expr) Expr {
	us := Call("abs", ident("__us"))
	two := func(v Expr) Expr { return chPadLeft(Call("toString", v), 2) }
	frac := Call("replaceRegexpOne", Call("leftPad", Call("toString", Bin("%", us, Int(1_000_000))), Call("toUInt64", Int(6)), Str("0")), Str("0+$"), Str(""))
	text := Call("concat",
		&Case{Whens: []When{{Cond: Bin("<", ident("__us"), Int(0)), Then: Str("-")}}, Else: Str("")},
		two(Call("intDiv", us, Int(3_600_000_000))), Str(":"),
		two(Bin("%", Call("intDiv", us, Int(60_000_000)), Int(60))), Str(":"),
		two(Bin("%", Call("intDiv", us, Int(1_000_000)), Int(60))),
		&Case{Whens: []When{{Cond: Bin("=", Bin("%", us, Int(1_000_000)), Int(0)), Then: Str("")}}, Else: Call("concat", Str("."), frac)},
	)
	return &Case{Whens: []When{{Cond: &IsNull{X: x}, Then: &Lit{T: schema.TypeString}}}, Else: chBind(Call("assumeNotNull", x), "__us", text)}
}

// chRealText is DuckDB's text of a double, which reads like Python's repr: the shortest
// digits that read back as the same double, written in fixed notation (with ".0" when
// whole) for 1e-4 <= |x| < 1e16 and as d.ddde±XX otherwise; inf, -inf and nan as such, and
// -0 as 0.0. ClickHouse's toString gives the same shortest digits in another layout, so
// the digits and the decimal exponent are read from it and laid out again.
func chRealText(x Expr) Expr {
	s := ident("__rs")
	mant := Call("splitByChar", Str("e"), s)
	m := Call("arrayElement", mant, Int(1))
	// The exponent written by toString (0 in fixed notation).
	e := &Case{Whens: []When{{Cond: Bin(">", Call("length", mant), Int(1)), Then: Call("toInt64", Call("arrayElement", mant, Int(2)))}}, Else: Int(0)}
	parts := Call("splitByChar", Str("."), m)
	ip := Call("arrayElement", parts, Int(1))
	fp := &Case{Whens: []When{{Cond: Bin(">", Call("length", parts), Int(1)), Then: Call("arrayElement", parts, Int(2))}}, Else: Str("")}
	all := Call("concat", ip, fp)
	lead := Bin("-", Call("toInt64", Call("length", all)), Call("toInt64", Call("length", Call("replaceRegexpOne", all, Str("^0+"), Str("")))))
	// The digits without leading and trailing zeros, and the exponent of the first one.
	digits := Call("replaceRegexpOne", Call("replaceRegexpOne", all, Str("^0+"), Str("")), Str("0+$"), Str(""))
	exp := Bin("-", Bin("+", e, Bin("-", Call("toInt64", Call("length", ip)), Int(1))), lead)
	text := chBind(digits, "__rd", chBind(exp, "__re", chLayoutReal(ident("__rd"), ident("__re"))))
	body := &Case{Whens: []When{
		{Cond: Call("isNaN", ident("__rx")), Then: Str("nan")},
		{Cond: Call("isInfinite", ident("__rx")), Then: &Case{Whens: []When{{Cond: Bin(">", ident("__rx"), realLit(0)), Then: Str("inf")}}, Else: Str("-inf")}},
		{Cond: Bin("=", ident("__rx"), realLit(0)), Then: Str("0.0")},
	}, Else: Call("concat", &Case{Whens: []When{{Cond: Bin("<", ident("__rx"), realLit(0)), Then: Str("-")}}, Else: Str("")},
		chBind(Call("toString", Call("abs", ident("__rx"))), "__rs", text))}
	return &Case{Whens: []When{{Cond: &IsNull{X: x}, Then: &Lit{T: schema.TypeString}}}, Else: chBind(Call("toFloat64", Call("assumeNotNull", x)), "__rx", body)}
}

// chLayoutReal writes the digits d (first digit at decimal exponent e) as DuckDB does.
func chLayoutReal(d, e Expr) Expr {
	n := Call("toInt64", Call("length", d))
	zeros := func(k Expr) Expr { return Call("repeat", Str("0"), Call("toUInt64", Call("greatest", k, Int(0)))) }
	// Fixed, e >= 0: the integer part is the first e+1 digits (padded with zeros), then the
	// rest or 0.
	intPart := Call("concat", Call("substring", d, Int(1), Bin("+", e, Int(1))), zeros(Bin("-", Bin("+", e, Int(1)), n)))
	rest := Call("substring", d, Bin("+", e, Int(2)))
	fixedBig := Call("concat", intPart, Str("."), &Case{Whens: []When{{Cond: Bin("=", rest, Str("")), Then: Str("0")}}, Else: rest})
	// Fixed, e < 0: 0.000ddd.
	fixedSmall := Call("concat", Str("0."), zeros(Bin("-", &Unary{Op: "-", X: e}, Int(1))), d)
	mantissa := Call("concat", Call("substring", d, Int(1), Int(1)), &Case{Whens: []When{{Cond: Bin(">", n, Int(1)), Then: Call("concat", Str("."), Call("substring", d, Int(2)))}}, Else: Str("")})
	sci := Call("concat", mantissa, Str("e"), &Case{Whens: []When{{Cond: Bin("<", e, Int(0)), Then: Str("-")}}, Else: Str("+")},
		chPadLeft(Call("toString", Call("abs", e)), 2))
	return &Case{Whens: []When{
		{Cond: Bin("OR", Bin("<", e, Int(-4)), Bin(">=", e, Int(16))), Then: sci},
		{Cond: Bin(">=", e, Int(0)), Then: fixedBig},
	}, Else: fixedSmall}
}

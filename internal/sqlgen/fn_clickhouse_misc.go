package sqlgen

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// ClickHouse's spellings of DuckDB lowerings in fn_text.go, fn_array.go, fn_series.go,
// fn_extra.go and fn_dynamic.go: IPv4 matching and formatting, format_bytes, array_iff,
// base64_decode_toarray, make_string, extract_json, parse_url and format_datetime.

func chMiscFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"ipv4_is_match":    chIPv4IsMatch,
		"format_ipv4":      chFormatIPv4(false),
		"format_ipv4_mask": chFormatIPv4(true),
		"format_bytes":     chFormatBytes,
		"array_iff":        chArrayIff,
		"array_iif":        chArrayIff,
		// The haversine formula is plain arithmetic and trigonometry, spelled alike.
		"geo_distance_2points":  geoDistance,
		"base64_decode_toarray": chBase64DecodeToArray,
		"make_string":           chMakeString,
		"extract_json":          chExtractJSON,
		"parse_url":             chParseURL,
		"format_datetime":       chFormatDatetime,
	}
}

// chIPv4Int is the address part of an IPv4 text as a number, octet by octet as ipv4Int
// reads it (null when an octet is missing or not a number).
func chIPv4Int(ip Expr) Expr {
	addr := Call("arrayElement", Call("splitByChar", Str("/"), ip), Int(1))
	var out Expr
	for i := int64(1); i <= 4; i++ {
		oct := Call("toInt64OrNull", Call("arrayElement", Call("splitByChar", Str("."), addr), Int(i)))
		part := Bin("*", oct, Int(1<<(8*(4-i))))
		if out == nil {
			out = part
		} else {
			out = Bin("+", out, part)
		}
	}
	return out
}

// chIPv4Prefix is the /n suffix of an IPv4 text, 32 when there is none.
func chIPv4Prefix(ip Expr) Expr {
	suffix := Call("arrayElement", Call("splitByChar", Str("/"), ip), Int(2))
	return Call("COALESCE", Call("toInt64OrNull", suffix), Int(32))
}

// chIPv4IsMatch compares two addresses on the leading bits of the smallest prefix, as
// ipv4IsMatch.
func chIPv4IsMatch(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	bits := []Expr{chIPv4Prefix(a[0]), chIPv4Prefix(a[1])}
	if len(a) == 3 {
		bits = append(bits, a[2])
	}
	shift := Call("pow", Int(2), Bin("-", Int(32), Call("least", bits...)))
	return Bin("=", Call("floor", Bin("/", chIPv4Int(a[0]), shift)), Call("floor", Bin("/", chIPv4Int(a[1]), shift)))
}

// ipv4Pattern is a dotted IPv4 address with an optional /0 to /32 suffix.
const ipv4Pattern = `(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}(/([0-9]|[12][0-9]|3[0-2]))?`

// chFormatIPv4 masks an address to the smaller of its own /n suffix and the prefix
// argument, as formatIPv4; an invalid address or prefix gives "".
func chFormatIPv4(withMask bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		var prefix Expr = Int(32)
		if len(a) > 1 {
			prefix = a[1]
		}
		bits := Call("least", prefix, chIPv4Prefix(a[0]))
		valid := Bin("AND", Bin("AND", Bin(">=", bits, Int(0)), Bin("<=", bits, Int(32))), Call("match", a[0], Str("^(?:"+ipv4Pattern+")$")))
		size := Call("pow", Int(2), Bin("-", Int(32), bits))
		masked := &Cast{X: Bin("*", Call("floor", Bin("/", chIPv4Int(a[0]), size)), size), T: schema.TypeLong}
		var octets []Expr
		for i := int64(3); i >= 0; i-- {
			if len(octets) > 0 {
				octets = append(octets, Str("."))
			}
			octets = append(octets, Call("toString", Bin("%", Call("intDiv", masked, Int(1<<(8*i))), Int(256))))
		}
		if withMask {
			octets = append(octets, Str("/"), Call("toString", bits))
		}
		return &Case{Whens: []When{{Cond: valid, Then: Call("concat", octets...)}}, Else: Str("")}
	}
}

// chFormatBytes is formatBytes for ClickHouse: the same parts, joined with concat.
func chFormatBytes(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	num, unit, names := formatBytesParts(a, in)
	return Call("concat", num, Str(" "), Call("arrayElement", Call("array", names...), unit))
}

// chArrayIff picks, for each element of the condition array, the element at the same
// position of when_true or when_false (or the value itself when it is not an array), as
// arrayIff; a condition that is neither bool nor number gives null.
func chArrayIff(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	i := ident("__i")
	pick := func(j int) Expr {
		if in[j].Type() != schema.TypeDynamic {
			return chJSONValue(a[j], in[j].Type())
		}
		at := Call("arrayElementOrNull", chJSONList(a[j]), Bin("+", i, Int(1)))
		return &Case{Whens: []When{{Cond: Bin("=", Call("JSONType", Call("ifNull", a[j], Str(""))), Str("Array")), Then: at}}, Else: a[j]}
	}
	c := ident("__c")
	typ := Call("JSONType", c)
	truthy := &Case{Whens: []When{
		{Cond: Bin("=", typ, Str("Bool")), Then: Bin("=", c, Str("true"))},
		{Cond: &In{X: typ, List: []Expr{Str("Int64"), Str("UInt64"), Str("Double")}}, Then: Bin("!=", Call("toFloat64OrNull", c), realLit(0))},
	}}
	elem := &Case{Whens: []When{{Cond: truthy, Then: pick(1)}, {Cond: &Unary{Op: "NOT", X: truthy}, Then: pick(2)}}}
	conds := chJSONList(a[0])
	body := chBind(Call("arrayElement", conds, Bin("+", i, Int(1))), "__c", Call("COALESCE", elem, Str("null")))
	return chJSONArrayOf(Call("arrayMap", chLambda("__i", body), Call("range", Call("length", conds))))
}

// chBase64DecodeToArray decodes base64 text to a JSON array of byte values; text that is
// not base64 gives null (tryBase64Decode gives "", which only "" decodes to).
func chBase64DecodeToArray(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	d := ident("__d")
	bytes := Call("arrayMap", chLambda("__i", Call("reinterpretAsUInt8", Call("substring", d, ident("__i"), Int(1)))), Call("range", Int(1), Bin("+", Call("length", d), Int(1))))
	decoded := chBind(Call("tryBase64Decode", a[0]), "__d", Call("toJSONString", bytes))
	return &Case{Whens: []When{
		{Cond: Bin("=", a[0], Str("")), Then: Str("[]")},
		{Cond: Bin("=", Call("tryBase64Decode", a[0]), Str("")), Then: &Lit{T: schema.TypeDynamic}},
	}, Else: decoded}
}

// chUTF8 is the UTF-8 encoding of the Unicode code point cp (ClickHouse's char writes
// bytes, not code points).
func chUTF8(cp Expr) Expr {
	b := func(x Expr) Expr { return Call("char", x) }
	low6 := func(shift int64) Expr {
		return Call("bitOr", Int(0x80), Call("bitAnd", Call("bitShiftRight", cp, Int(shift)), Int(0x3F)))
	}
	lead := func(mark, shift int64) Expr { return Call("bitOr", Int(mark), Call("bitShiftRight", cp, Int(shift))) }
	return &Case{Whens: []When{
		{Cond: Bin("<", cp, Int(0x80)), Then: b(cp)},
		{Cond: Bin("<", cp, Int(0x800)), Then: Call("concat", b(lead(0xC0, 6)), b(low6(0)))},
		{Cond: Bin("<", cp, Int(0x10000)), Then: Call("concat", b(lead(0xE0, 12)), b(low6(6)), b(low6(0)))},
	}, Else: Call("concat", b(lead(0xF0, 18)), b(low6(12)), b(low6(6)), b(low6(0)))}
}

// chMakeString concatenates the characters of Unicode code points given as numbers or as
// dynamic arrays of numbers, as makeString.
func chMakeString(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	parts := make([]Expr, len(a))
	for i, x := range a {
		if in[i].Type() != schema.TypeDynamic {
			parts[i] = chUTF8(Call("toInt64", x))
			continue
		}
		code := Call("toInt64OrZero", chJSONText(ident("__e")))
		parts[i] = Call("arrayStringConcat", Call("arrayMap", chLambda("__e", chUTF8(code)), chJSONList(x)), Str(""))
	}
	return Call("concat", append(parts, Str(""))...)
}

// chExtractJSON is extract_json(path, text): the value at the path (a string unquoted, JSON
// null as ""), "" for text that is not JSON. The path must be a constant the checker's
// getpath form reads ($.a, $["k"], $[0]).
func chExtractJSON(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	if _, ok := constString(in[0]); !ok {
		panic(unsupported("ClickHouse", "extract_json with a path that is not a constant"))
	}
	v := chJSONText(chGetPath([]Expr{a[1], a[0]}, []plan.Expr{in[1], in[0]}, schema.TypeDynamic))
	return Call("COALESCE", &Case{Whens: []When{{Cond: Call("isValidJSON", a[1]), Then: v}}}, Str(""))
}

// chParseURL builds Kusto's parse_url bag with urlRE, as parseURL; the "Query Parameters"
// bag is left empty.
func chParseURL(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	g := func(i int64) Expr { return Call("toJSONString", Call("regexpExtract", a[0], Str(urlRE), Int(i))) }
	member := func(k string, v Expr, first bool) []Expr {
		sep := ","
		if first {
			sep = "{"
		}
		return []Expr{Str(sep + strconv.Quote(k) + ":"), v}
	}
	var parts []Expr
	parts = append(parts, member("Scheme", g(1), true)...)
	parts = append(parts, member("Host", g(4), false)...)
	parts = append(parts, member("Port", g(5), false)...)
	parts = append(parts, member("Path", g(6), false)...)
	parts = append(parts, member("Username", g(2), false)...)
	parts = append(parts, member("Password", g(3), false)...)
	parts = append(parts, member("Query Parameters", Str("{}"), false)...)
	parts = append(parts, member("Fragment", g(8), false)...)
	return Call("concat", append(parts, Str("}"))...)
}

// chDateParts are format_datetime's specifiers, tried in order at each position as
// strftimeFormat tries them: padded ones map to a formatDateTime specifier, the one-letter
// unpadded ones to a number printed as it is.
var chDateParts = []struct {
	k, spec string
	num     func(t Expr) Expr
}{
	{k: "yyyy", spec: "%Y"}, {k: "yy", spec: "%y"}, {k: "MM", spec: "%m"}, {k: "dd", spec: "%d"},
	{k: "HH", spec: "%H"}, {k: "hh", spec: "%I"}, {k: "mm", spec: "%i"}, {k: "ss", spec: "%S"}, {k: "tt", spec: "%p"},
	{k: "y", num: func(t Expr) Expr { return Bin("%", Call("toYear", t), Int(100)) }},
	{k: "M", num: func(t Expr) Expr { return Call("toMonth", t) }},
	{k: "d", num: func(t Expr) Expr { return Call("toDayOfMonth", t) }},
	{k: "H", num: func(t Expr) Expr { return Call("toHour", t) }},
	{k: "h", num: func(t Expr) Expr { return Bin("+", Bin("%", Bin("+", Call("toHour", t), Int(11)), Int(12)), Int(1)) }},
	{k: "m", num: func(t Expr) Expr { return Call("toMinute", t) }},
	{k: "s", num: func(t Expr) Expr { return Call("toSecond", t) }},
}

// chFormatDatetime is format_datetime(t, format) as formatDatetime writes it: runs of
// padded specifiers and other characters go through formatDateTime, unpadded numbers are
// printed, and a run of k 'f' is the first k digits of the nanoseconds.
func chFormatDatetime(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	f, _ := constString(in[1])
	t := a[0]
	var parts []Expr
	var spec strings.Builder
	flush := func() {
		if spec.Len() > 0 {
			parts = append(parts, Call("formatDateTime", t, Str(spec.String())))
			spec.Reset()
		}
	}
outer:
	for i := 0; i < len(f); {
		if f[i] == 'f' {
			k := len(f[i:]) - len(strings.TrimLeft(f[i:], "f"))
			flush()
			us := Call("toString", floorModValue(Call("toUnixTimestamp64Micro", t), 1_000_000))
			nanos := Call("concat", Call("leftPad", us, Call("toUInt64", Int(6)), Str("0")), Str("000"))
			parts = append(parts, Call("substring", nanos, Int(1), Int(int64(min(k, 9)))))
			i += k
			continue
		}
		for _, p := range chDateParts {
			if strings.HasPrefix(f[i:], p.k) {
				if p.num != nil {
					flush()
					parts = append(parts, Call("toString", p.num(t)))
				} else {
					spec.WriteString(p.spec)
				}
				i += len(p.k)
				continue outer
			}
		}
		if f[i] == '%' {
			spec.WriteString("%%")
		} else {
			spec.WriteByte(f[i])
		}
		i++
	}
	flush()
	if len(parts) == 0 {
		return Str("")
	}
	if len(parts) == 1 {
		return Call("COALESCE", parts[0], Str(""))
	}
	return Call("COALESCE", Call("concat", parts...), Str(""))
}

// floorModValue is x modulo k, from 0 to k-1 for a negative x too.
func floorModValue(x Expr, k int64) Expr {
	return Bin("%", Bin("+", Bin("%", x, Int(k)), Int(k)), Int(k))
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func duckStringFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"strlen":    func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("length", a[0]) },
		"tolower":   fn("lower"),
		"toupper":   fn("upper"),
		"substring": substring("substr"),
		"strcat":    func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("concat", a...) },
		"strcat_delim": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("concat_ws", a...)
		},
		"split":          split,
		"replace_string": fn("replace"),
		"replace_regex": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("regexp_replace", a[0], a[1], a[2], Str("g"))
		},
		"trim":       trimRegex("regexp_replace", true, true),
		"trim_start": trimRegex("regexp_replace", true, false),
		"trim_end":   trimRegex("regexp_replace", false, true),
		"extract":    extract("regexp_extract"),
		"indexof": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin("-", Call("strpos", a[0], a[1]), Int(1))
		},
		"reverse":                fn("reverse"),
		"hash_sha256":            fn("sha256"),
		"hash_md5":               fn("md5"),
		"base64_encode_tostring": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("to_base64", Call("encode", a[0])) },
		"base64_decode_tostring": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("COALESCE", &Cast{X: Call("try", Call("from_base64", a[0])), T: schema.TypeString, Try: true}, Str(""))
		},
		"ipv4_is_private": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("regexp_matches", a[0], Str(`^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.)[0-9.]+(/[0-9]+)?$`))
		},
		"ipv4_is_in_range": ipv4InRange,
	}
}

// trimRegex removes a leading and/or trailing match of a regex; replace names the dialect's
// function that replaces the first match of a regex.
func trimRegex(replace string, start, end bool) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		re, s := a[0], a[1]
		if start {
			s = Call(replace, s, Call("concat", Str("^(?:"), re, Str(")")), Str(""))
		}
		if end {
			s = Call(replace, s, Call("concat", Str("(?:"), re, Str(")$")), Str(""))
		}
		return s
	}
}

// substring is Kusto's substring (zero-based start, negative start and length as 0) with
// the dialect's one-based substring function name.
func substring(name string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		start := Bin("+", Call("greatest", a[1], Int(0)), Int(1))
		if len(a) == 3 {
			return Call(name, a[0], start, Call("greatest", a[2], Int(0)))
		}
		return Call(name, a[0], start)
	}
}

// extract is Kusto's extract(regex, group, text) with the dialect's regex extract function name.
func extract(name string) FuncSQL {
	return func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
		n, _ := constLong(in[1])
		return Call(name, a[2], a[0], &Lit{V: n, T: schema.TypeInt})
	}
}

// ipv4Int converts dotted IPv4 text to its 32-bit value (null when invalid).
func ipv4Int(ip Expr) Expr {
	addr := Call("split_part", ip, Str("/"), Int(1))
	var out Expr
	for i := int64(1); i <= 4; i++ {
		oct := &Cast{X: Call("split_part", addr, Str("."), Int(i)), T: schema.TypeLong, Try: true}
		part := Bin("*", oct, Int(1<<(8*(4-i))))
		if out == nil {
			out = part
		} else {
			out = Bin("+", out, part)
		}
	}
	return out
}

// ipv4InRange compares the leading prefix bits of an address and a CIDR range.
func ipv4InRange(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	prefix := Call("COALESCE", &Cast{X: Call("nullif", Call("split_part", a[1], Str("/"), Int(2)), Str("")), T: schema.TypeLong, Try: true}, Int(32))
	shift := Call("pow", Int(2), Bin("-", Int(32), prefix))
	return Bin("=", Call("floor", Bin("/", ipv4Int(a[0]), shift)), Call("floor", Bin("/", ipv4Int(a[1]), shift)))
}

// split is split(s, delim) as a JSON array, or with an index the array of
// the one part at that zero-based index (empty when there is no such part).
func split(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	parts := Call("string_split", a[0], a[1])
	if len(a) == 2 {
		return Call("to_json", parts)
	}
	at := Bin("+", a[2], Int(1))
	one := Call("to_json", Call("list_slice", parts, at, at))
	return &Case{Whens: []When{{Cond: Bin(">=", a[2], Int(0)), Then: one}}, Else: Call("to_json", Call("list_value"))}
}

package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

func chStringFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"strlen": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("lengthUTF8", a[0]), T: schema.TypeLong}
		},
		"tolower":      fn("lowerUTF8"),
		"toupper":      fn("upperUTF8"),
		"substring":    substring("substringUTF8"),
		"strcat":       func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return Call("concat", append(a, Str(""))...) },
		"strcat_delim": fn("concatWithSeparator"),
		"split": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			parts := Call("splitByString", a[1], a[0])
			if len(a) == 2 {
				return Call("toJSONString", parts)
			}
			one := Call("toJSONString", Call("arraySlice", parts, Bin("+", a[2], Int(1)), Int(1)))
			return &Case{Whens: []When{{Cond: Bin(">=", a[2], Int(0)), Then: one}}, Else: Str("[]")}
		},
		"replace_string": fn("replaceAll"),
		"replace_regex":  fn("replaceRegexpAll"),
		"trim":           trimRegex("replaceRegexpOne", true, true),
		"trim_start":     trimRegex("replaceRegexpOne", true, false),
		"trim_end":       trimRegex("replaceRegexpOne", false, true),
		"extract":        extract("regexpExtract"),
		"indexof": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Bin("-", &Cast{X: Call("positionUTF8", a[0], a[1]), T: schema.TypeLong}, Int(1))
		},
		"reverse": fn("reverseUTF8"),
		"hash_sha256": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("lower", Call("hex", Call("SHA256", a[0])))
		},
		"hash_md5": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("lower", Call("hex", Call("MD5", a[0])))
		},
		"base64_encode_tostring": fn("base64Encode"),
		"base64_decode_tostring": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("COALESCE", Call("tryBase64Decode", a[0]), Str(""))
		},
		"ipv4_is_private": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return Call("match", a[0], Str(`^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.)[0-9.]+(/[0-9]+)?$`))
		},
		"ipv4_is_in_range":   chIPv4InRange,
		"binary_and":         chBits("bitAnd"),
		"binary_or":          chBits("bitOr"),
		"binary_xor":         chBits("bitXor"),
		"binary_not":         chBits("bitNot"),
		"binary_shift_left":  chBits("bitShiftLeft"),
		"binary_shift_right": chBits("bitShiftRight"),
		"countof_regex": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			return &Cast{X: Call("countMatches", a[0], a[1]), T: schema.TypeLong}
		},
		"extract_all": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			if len(a) != 2 {
				panic(unsupported("ClickHouse", "extract_all with capture groups"))
			}
			all := Call("extractAll", a[1], a[0])
			return &Case{Whens: []When{{Cond: Call("notEmpty", all), Then: Call("toJSONString", all)}}}
		},
		"countof": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			if len(a) == 3 {
				if k, _ := constString(in[2]); k == "regex" {
					return &Cast{X: Call("countMatches", a[0], a[1]), T: schema.TypeLong}
				}
			}
			// Kusto counts overlapping matches of plain text ("aaaa" holds "aa" 3 times);
			// countSubstrings does not, so every start position is tried.
			i := &Ident{Name: "__i"}
			at := Lambda{Params: []string{"__i"}, Body: Bin("=", Call("substring", a[0], i, Call("length", a[1])), a[1])}
			starts := Call("range", Int(1), Bin("+", Call("length", a[0]), Int(1)))
			return &Cast{X: Call("length", Call("arrayFilter", &at, starts)), T: schema.TypeLong}
		},
	}
}

func chMathFuncs() map[string]FuncSQL {
	m := mathFuncs("log", "randCanonical")
	m["round"] = func(a []Expr, _ []plan.Expr, t schema.Type) Expr {
		// Half away from zero, as Kusto and DuckDB round (ClickHouse rounds floats half to even).
		scale := Expr(&Lit{V: float64(1), T: schema.TypeReal})
		if len(a) == 2 {
			scale = Call("pow", &Lit{V: float64(10), T: schema.TypeReal}, a[1])
		}
		x := Bin("*", a[0], scale)
		var r Expr = Bin("/", Bin("*", Call("sign", x), Call("floor", Bin("+", Call("abs", x), &Lit{V: 0.5, T: schema.TypeReal}))), scale)
		if t != schema.TypeReal {
			r = &Cast{X: r, T: t}
		}
		return r
	}
	return m
}

// chIPv4InRange compares the leading prefix bits of an address and a CIDR range (a plain
// address is a /32); invalid text gives null, as on DuckDB.
func chIPv4InRange(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	part := func(x Expr, i int64) Expr { return Call("arrayElement", Call("splitByChar", Str("/"), x), Int(i)) }
	addr := func(x Expr) Expr { return Call("toUInt32", Call("toIPv4OrNull", part(x, 1))) }
	prefix := Call("COALESCE", Call("toInt64OrNull", part(a[1], 2)), Int(32))
	shift := Bin("-", Int(32), prefix)
	return Bin("=", Call("bitShiftRight", addr(a[0]), shift), Call("bitShiftRight", addr(a[1]), shift))
}

// chBits is a bitwise function, its result of the Kusto result type.
func chBits(name string) FuncSQL {
	return func(a []Expr, _ []plan.Expr, t schema.Type) Expr { return &Cast{X: Call(name, a...), T: t} }
}

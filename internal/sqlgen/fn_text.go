package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// duckTextFuncs lowers the text functions public Sentinel rules use that
// DuckDB has no direct counterpart for: translate with Kusto's padding,
// indexof_regex, hash, ipv4_is_match, base64_decode_toarray, extract_json.
func duckTextFuncs() map[string]FuncSQL {
	return map[string]FuncSQL{
		"translate":             translate,
		"indexof_regex":         indexofRegex,
		"hash":                  hash,
		"ipv4_is_match":         ipv4IsMatch,
		"base64_decode_toarray": base64DecodeToArray,
		"make_string":           makeString,
		"extract_json": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
			v := &Case{Whens: []When{{Cond: Call("json_valid", a[1]), Then: Call("json_extract_string", a[1], a[0])}}}
			return Call("COALESCE", v, Str(""))
		},
	}
}

// translate is translate(searchList, replacementList, text): a replacement
// list shorter than the search list repeats its last character (Kusto),
// where DuckDB's translate would delete the unmatched characters; an empty
// replacement list deletes every searched character in both.
func translate(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	from, to := a[0], a[1]
	width := &Cast{X: Call("greatest", Call("length", from), Call("length", to)), T: schema.TypeInt}
	padded := Call("rpad", to, width, Call("right", to, Int(1)))
	to = &Case{Whens: []When{{Cond: Bin("=", Call("length", to), Int(0)), Then: Str("")}}, Else: padded}
	return Call("translate", a[2], from, to)
}

// indexofRegex is the zero-based character index of the first match of a
// constant regex, or -1: the length of the shortest prefix before a match.
func indexofRegex(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	re, _ := constString(in[1])
	prefix := Call("regexp_extract", a[0], Str("(?s)^(.*?)(?:"+re+")"), &Lit{V: int64(1), T: schema.TypeInt})
	return &Case{Whens: []When{{Cond: Call("regexp_matches", a[0], a[1]), Then: Call("length", prefix)}}, Else: Int(-1)}
}

// hash is DuckDB's 64-bit hash of the value with the top bit cleared (a
// non-negative long), modulo the second argument when given. Kusto uses
// xxhash64, so the values differ from Kusto's: they are only good for
// comparing and bucketing within Vigil, which is what rules use them for.
func hash(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	h := &Cast{X: Bin("&", Call("hash", a[0]), &Lit{V: int64(1<<63 - 1), T: schema.TypeLong}), T: schema.TypeLong}
	if len(a) == 2 {
		return Bin("%", h, a[1])
	}
	return h
}

// ipv4IsMatch compares two IPv4 addresses (each optionally with a /prefix)
// on the leading bits of the smallest prefix among them and the optional
// third argument.
func ipv4IsMatch(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	prefixOf := func(ip Expr) Expr {
		return Call("COALESCE", &Cast{X: Call("nullif", Call("split_part", ip, Str("/"), Int(2)), Str("")), T: schema.TypeLong, Try: true}, Int(32))
	}
	bits := []Expr{prefixOf(a[0]), prefixOf(a[1])}
	if len(a) == 3 {
		bits = append(bits, a[2])
	}
	shift := Call("pow", Int(2), Bin("-", Int(32), Call("least", bits...)))
	return Bin("=", Call("floor", Bin("/", ipv4Int(a[0]), shift)), Call("floor", Bin("/", ipv4Int(a[1]), shift)))
}

// base64DecodeToArray decodes base64 text to a JSON array of byte values,
// read two hex digits at a time from the decoded bytes; text that is not
// base64 gives null rather than failing the query.
func base64DecodeToArray(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	hex := Call("hex", Call("try", Call("from_base64", a[0])))
	digit := func(off int64) Expr {
		pos := Bin("+", Bin("*", &Ident{Name: "i"}, Int(2)), Int(off))
		return Bin("-", Call("instr", Str("0123456789ABCDEF"), Call("substr", hex, pos, Int(1))), Int(1))
	}
	byteAt := &Lambda{Params: []string{"i"}, Body: Bin("+", Bin("*", digit(1), Int(16)), digit(2))}
	return toJSONArray(Call("list_transform", Call("range", Int(0), Bin("//", Call("length", hex), Int(2))), byteAt))
}

// makeString concatenates the characters of Unicode code points given as
// numbers or as dynamic arrays of numbers.
func makeString(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	parts := make([]Expr, len(a))
	for i, x := range a {
		if in[i].Type() != schema.TypeDynamic {
			parts[i] = Call("chr", &Cast{X: x, T: schema.TypeInt})
			continue
		}
		code := &Cast{X: Call("json_extract_string", &Ident{Name: "x"}, Str("$")), T: schema.TypeInt}
		chars := Call("list_transform", Call("COALESCE", jsonList(x), Call("list_value")), &Lambda{Params: []string{"x"}, Body: Call("chr", code)})
		parts[i] = Call("array_to_string", chars, Str(""))
	}
	return Call("concat", parts...)
}

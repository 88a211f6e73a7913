package sqlgen

import (
	"strconv"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// chText spells the regex-built functions for ClickHouse: a bag is concatenated JSON
// text, as chParseURL builds it.
var chText = textSQL{
	extract:    func(x Expr, re string, i int64) Expr { return Call("regexpExtract", x, Str(re), Int(i)) },
	matches:    func(x Expr, re string) Expr { return Call("match", x, Str(re)) },
	jsonString: func(x Expr) Expr { return Call("toJSONString", x) },
	object: func(keys []string, vals []Expr) Expr {
		var parts []Expr
		for i, k := range keys {
			sep := ","
			if i == 0 {
				sep = "{"
			}
			parts = append(parts, Str(sep+strconv.Quote(k)+":"), vals[i])
		}
		if len(parts) == 0 {
			return Str("{}")
		}
		return Call("concat", append(parts, Str("}"))...)
	},
	// splitByRegexp with an empty pattern splits into bytes: a character of several
	// bytes is encoded byte by byte, which gives the same %xx sequence.
	chars: func(x Expr, f func(c Expr) Expr) Expr {
		c := &Ident{Name: "c"}
		return Call("arrayStringConcat", Call("arrayMap", &Lambda{Params: []string{"c"}, Body: f(c)}, Call("splitByRegexp", Str(""), x)), Str(""))
	},
	hexLower: func(x Expr) Expr { return Call("lower", Call("hex", x)) },
	replaceAll: func(x Expr, re, rewrite string) Expr {
		return Call("replaceRegexpAll", x, Str(re), Str(rewrite))
	},
}

func chWebFuncs() map[string]FuncSQL {
	return webFuncs(chText, func(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
		return Call("decodeURLFormComponent", a[0])
	})
}

// ClickHouse's DateTime64 holds 1900-01-01 to 2299-12-31 23:59:59.999999.
const (
	chMinUs = -2_208_988_800_000_000
	chMaxUs = 10_413_791_999_999_999
)

func chTimeExtraFuncs() map[string]FuncSQL {
	return timeExtraFuncs(timeExtraSQL{
		text:     chText,
		timespan: func(us Expr) Expr { return us },
		datetime: func(us Expr) Expr { return Call("fromUnixTimestamp64Micro", us, Str("UTC")) },
		minUs:    chMinUs, maxUs: chMaxUs,
	})
}

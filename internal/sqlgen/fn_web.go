package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// textSQL is what a dialect supplies to the functions built from regular expressions
// (url_*, parse_path, parse_user_agent, totimespan): both engines use RE2, so the
// expressions are shared and only the spelling differs.
type textSQL struct {
	// extract is the text of group i of re's first match in x, "" when it does not match.
	extract func(x Expr, re string, i int64) Expr
	// matches reports whether re matches somewhere in x.
	matches func(x Expr, re string) Expr
	// jsonString makes a string a value object can hold as a JSON string.
	jsonString func(x Expr) Expr
	// object builds a JSON object of the keys and values (JSON strings or objects).
	object func(keys []string, vals []Expr) Expr
	// chars applies f to each character of x (a one-character string) and concatenates
	// the results.
	chars func(x Expr, f func(c Expr) Expr) Expr
	// hexLower is the lowercase hexadecimal of the UTF-8 bytes of x.
	hexLower func(x Expr) Expr
	// replaceAll replaces every match of re in x with rewrite (\1 is a group).
	replaceAll func(x Expr, re, rewrite string) Expr
}

var duckText = textSQL{
	extract: func(x Expr, re string, i int64) Expr {
		return Call("regexp_extract", x, Str(re), &Lit{V: i, T: schema.TypeInt})
	},
	matches:    func(x Expr, re string) Expr { return Call("regexp_matches", x, Str(re)) },
	jsonString: func(x Expr) Expr { return x },
	object: func(keys []string, vals []Expr) Expr {
		args := make([]Expr, 0, 2*len(keys))
		for i, k := range keys {
			args = append(args, Str(k), vals[i])
		}
		return Call("json_object", args...)
	},
	chars: func(x Expr, f func(c Expr) Expr) Expr {
		c := &Ident{Name: "c"}
		return Call("array_to_string", Call("list_transform", Call("string_split", x, Str("")), &Lambda{Params: []string{"c"}, Body: f(c)}), Str(""))
	},
	hexLower: func(x Expr) Expr { return Call("lower", Call("hex", Call("encode", x))) },
	replaceAll: func(x Expr, re, rewrite string) Expr {
		return Call("regexp_replace", x, Str(re), Str(rewrite), Str("g"))
	},
}

func duckWebFuncs() map[string]FuncSQL { return webFuncs(duckText, duckURLDecode) }

// webFuncs is the table of the URL, path and user-agent functions of a dialect.
func webFuncs(d textSQL, decode FuncSQL) map[string]FuncSQL {
	return map[string]FuncSQL{
		"url_encode":           func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return urlEncode(d, a[0], "+") },
		"url_encode_component": func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return urlEncode(d, a[0], "%20") },
		"url_decode":           decode,
		"parse_path":           func(a []Expr, _ []plan.Expr, _ schema.Type) Expr { return parsePath(d, a[0]) },
		"parse_user_agent": func(a []Expr, in []plan.Expr, _ schema.Type) Expr {
			targets, _ := constString(in[1])
			return parseUserAgent(d, a[0], strings.Split(targets, ","))
		},
	}
}

// urlSafe are the characters Kusto's url_encode keeps as they are (.NET's
// HttpUtility.UrlEncode): letters, digits and -_.!*().
const urlSafe = `^[A-Za-z0-9_.!*()-]$`

// urlEncode percent-encodes every other character's UTF-8 bytes in lowercase hex, as
// Kusto does ("https%3a%2f%2f"), and a space as space ("+" or "%20").
func urlEncode(d textSQL, x Expr, space string) Expr {
	return d.chars(x, func(c Expr) Expr {
		return &Case{Whens: []When{
			{Cond: d.matches(c, urlSafe), Then: c},
			{Cond: Bin("=", c, Str(" ")), Then: Str(space)},
		}, Else: d.replaceAll(d.hexLower(c), `(..)`, `%\1`)}
	})
}

// duckURLDecode decodes %xx escapes and '+' (a space in form encoding, as .NET's
// UrlDecode reads it). DuckDB's url_decode fails on bytes that are not UTF-8, so text
// that would decode to such bytes is returned as it is.
func duckURLDecode(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	plus := Call("replace", a[0], Str("+"), Str(" "))
	return Call("COALESCE", Call("try", Call("url_decode", plus)), a[0])
}

// pathRE splits a path into an optional scheme (1), the text before the last slash or
// backslash (2) and the last segment (3).
const pathRE = `^(?:([A-Za-z][A-Za-z0-9+.-]+)://)?(?:(.*)[\\/])?([^\\/]*)$`

// parsePath builds Kusto's parse_path bag. RootPath is a drive ("C:", also after a
// scheme or a \\?\ long-path prefix); the directory path is the text before the last
// separator; a ':' in the last segment starts an alternate data stream's name.
func parsePath(d textSQL, x Expr) Expr {
	dir, last := d.extract(x, pathRE, 2), d.extract(x, pathRE, 3)
	file := d.extract(last, `^([^:]*)`, 1)
	vals := []Expr{
		d.extract(x, pathRE, 1),
		d.extract(x, `^(?:[A-Za-z][A-Za-z0-9+.-]+://)?(?:\\\\\?\\)?([A-Za-z]:)`, 1),
		dir,
		d.extract(dir, `([^\\/]*)$`, 1),
		file,
		d.extract(file, `\.([^.]*)$`, 1),
		d.extract(last, `^[^:]*:(.*)$`, 1),
	}
	for i := range vals {
		vals[i] = d.jsonString(vals[i])
	}
	return d.object([]string{"Scheme", "RootPath", "DirectoryPath", "DirectoryName", "Filename", "Extension", "AlternateDataStreamName"}, vals)
}

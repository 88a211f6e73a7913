package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// datetimeDiff is datetime_diff(part, end, start): the number of part
// boundaries between start and end. Kusto's weeks start on Sunday: both
// ends move one day later, are truncated to DuckDB's (Monday) weeks, and the
// days between them are divided by 7.
func datetimeDiff(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	end, start := a[1], a[2]
	if p, ok := constString(in[0]); ok && strings.EqualFold(p, "week") {
		sunday := func(t Expr) Expr { return Call("date_trunc", Str("week"), Bin("+", t, Call("to_days", Int(1)))) }
		days := Call("date_diff", Str("day"), sunday(start), sunday(end))
		return &Cast{X: Bin("/", days, Int(7)), T: schema.TypeLong}
	}
	return Call("date_diff", a[0], start, end)
}

// formatDatetime is format_datetime(t, format). Runs of 'f' (1 to 7 digits
// of the fraction of a second) are cut from strftime's nanoseconds; the
// rest goes through strftimeFormat.
func formatDatetime(a []Expr, in []plan.Expr, _ schema.Type) Expr {
	f, _ := constString(in[1])
	var parts []Expr
	for f != "" {
		n := strings.IndexByte(f, 'f')
		if n < 0 {
			n = len(f)
		}
		if n > 0 {
			parts = append(parts, Call("strftime", a[0], Str(strftimeFormat(f[:n]))))
			f = f[n:]
			continue
		}
		k := len(f) - len(strings.TrimLeft(f, "f"))
		parts = append(parts, Call("substr", Call("strftime", a[0], Str("%n")), Int(1), Int(int64(min(k, 9)))))
		f = f[k:]
	}
	if len(parts) == 0 {
		return Str("")
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out = Bin("||", out, p)
	}
	return Call("COALESCE", out, Str(""))
}

// mvElems is the list mv-expand unnests from a dynamic column: an array's
// elements, or for a property bag one single-property bag per property (as
// Kusto's default bagexpansion=bag does). With str the elements are text.
func mvElems(col Expr, str bool) Expr {
	k := &Ident{Name: "k"}
	one := Call("json_object", k, Call("json_extract", col, Call("concat", Str(`$."`), k, Str(`"`))))
	var arr Expr = Call("json_extract", col, Str("$[*]"))
	var bag Expr = one
	if str {
		arr = Call("json_extract_string", col, Str("$[*]"))
		bag = &Cast{X: one, T: schema.TypeString}
	}
	bags := Call("list_transform", Call("json_keys", col), &Lambda{Params: []string{"k"}, Body: bag})
	return &Case{Whens: []When{{Cond: Bin("=", Call("json_type", col), Str("OBJECT")), Then: bags}}, Else: arr}
}

// limitList keeps the first maxSize elements of a make_list or make_set
// when the call gives maxSize (after the predicate of an *_if variant).
func limitList(list Expr, a []Expr, cond bool) Expr {
	i := 1
	if cond {
		i = 2
	}
	if len(a) <= i {
		return list
	}
	return Call("list_slice", list, Int(1), a[i])
}

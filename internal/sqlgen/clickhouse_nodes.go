package sqlgen

import (
	"strconv"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// chNodes lowers the plan nodes ClickHouse needs its own way: it has no generate_series
// with column names and no unnest of JSON, but arrayJoin over arrays.
func chNodes(l *lowerer, n plan.Node) Query {
	switch n := n.(type) {
	case *plan.Range:
		return l.chRange(n)
	case *plan.MvExpand:
		return l.chMvExpand(n)
	case *plan.MakeSeries:
		return l.chMakeSeries(n)
	case *plan.MvApply:
		return l.chMvApply(n)
	case *chApplyRow:
		return l.chApplyRowQuery(n)
	case *chApplyLimit:
		return l.chApplyLimitQuery(n)
	}
	return nil
}

// chRange numbers the rows 0..count-1 with arrayJoin(range(count)) and computes each value
// from the start, so datetimes, timespans, longs and reals all step the same way; the end
// is included, as Kusto's range includes it.
func (l *lowerer) chRange(n *plan.Range) Query {
	from, to, step := l.expr(n.From), l.expr(n.To), l.expr(n.Step)
	i := &Ident{Name: "__i"}
	var count, val Expr
	switch n.Col.Type {
	case schema.TypeDatetime:
		count = Call("intDiv", Call("dateDiff", Str("microsecond"), from, to), step)
		val = Call("addMicroseconds", from, Bin("*", i, step))
	case schema.TypeReal:
		count = &Cast{X: Call("floor", Bin("/", Bin("-", to, from), step)), T: schema.TypeLong}
		val = Bin("+", from, Bin("*", i, step))
	default:
		count = Call("intDiv", Bin("-", to, from), step)
		val = Bin("+", from, Bin("*", i, step))
	}
	n1 := Call("toUInt64", Call("greatest", Bin("+", count, Int(1)), Int(0)))
	idx := &Select{Items: []SelectItem{{X: Call("toInt64", Call("arrayJoin", Call("range", n1))), Alias: "__i"}}, Limit: -1}
	return &Select{Items: []SelectItem{{X: &Cast{X: val, T: n.Col.Type}, Alias: n.Col.Name}}, From: l.sub(idx), Limit: -1}
}

// chMvExpand reads each expanded column's JSON array into an array of element texts, joins
// each row to the indexes of its longest array, and reads the elements at that index (null
// past the end of a shorter array, as DuckDB's unnest pads).
func (l *lowerer) chMvExpand(n *plan.MvExpand) Query {
	arrays := l.over(n.In)
	arrName := map[string]string{}
	var lens []Expr
	for _, c := range n.In.Columns() {
		if _, ok := n.ElemType(c.Name); !ok {
			continue
		}
		a := "__mva" + strconv.Itoa(len(arrName))
		arrName[c.Name] = a
		arrays.Items = append(arrays.Items, SelectItem{X: chElements(&Ident{Name: c.Name}), Alias: a})
		lens = append(lens, Call("length", &Ident{Name: a}))
	}
	longest := lens[0]
	if len(lens) > 1 {
		longest = Call("greatest", lens...)
	}
	rows := &Select{Items: []SelectItem{{X: &Star{}}}, From: l.sub(arrays), Limit: -1}
	rows.Items = append(rows.Items, SelectItem{X: Call("toInt64", Call("arrayJoin", Call("range", longest))), Alias: mvIndex})
	return l.mvSelect(n, rows, func(col string, to schema.Type) Expr {
		elem := Call("arrayElementOrNull", &Ident{Name: arrName[col]}, Bin("+", &Ident{Name: mvIndex}, Int(1)))
		switch to {
		case schema.TypeDynamic:
			return elem
		case schema.TypeString:
			return chJSONText(elem)
		default:
		}
		return &Cast{X: chJSONText(elem), T: to, Try: true}
	})
}

// chElements is the array of element texts mv-expand expands: an array's elements, or for a
// property bag one single-property bag per key.
func chElements(x Expr) Expr {
	x = Call("COALESCE", x, Str(""))
	kv := &Ident{Name: "__kv"}
	bag := Call("concat", Str("{"), Call("toJSONString", Call("tupleElement", kv, chRaw("1"))), Str(":"), Call("tupleElement", kv, chRaw("2")), Str("}"))
	pairs := Call("arrayMap", &Lambda{Params: []string{"__kv"}, Body: bag}, Call("JSONExtractKeysAndValuesRaw", x))
	return &Case{Whens: []When{{Cond: Bin("=", Call("JSONType", x), Str("Object")), Then: pairs}}, Else: Call("JSONExtractArrayRaw", x)}
}

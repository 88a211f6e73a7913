package sema

import (
	"strconv"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// aggSig is an aggregate's signature (Args as in fnSig) and the prefix of
// its default column name (count() is count_, sum(X) is sum_X); without a
// prefix the default name is the argument's (take_any(X) is X).
type aggSig struct {
	Args   string
	Min    int
	Ret    func(args []plan.Expr) schema.Type
	Prefix string
}

func sumType(a []plan.Expr) schema.Type {
	if a[0].Type() == schema.TypeInt {
		return schema.TypeLong
	}
	return a[0].Type()
}

// avgType is real, or timespan for the average of timespans (Kusto averages
// timespans but not datetimes).
func avgType(a []plan.Expr) schema.Type {
	if a[0].Type() == schema.TypeTimespan {
		return schema.TypeTimespan
	}
	return schema.TypeReal
}

// aggregates is the table of aggregate functions.
var aggregates = map[string]*aggSig{
	"count":                {Args: "", Ret: fixed(schema.TypeLong), Prefix: "count"},
	"countif":              {Args: "b", Min: 1, Ret: fixed(schema.TypeLong), Prefix: "countif"},
	"dcount":               {Args: "an", Min: 1, Ret: fixed(schema.TypeLong), Prefix: "dcount"},
	"dcountif":             {Args: "abn", Min: 2, Ret: fixed(schema.TypeLong), Prefix: "dcountif"},
	"sum":                  {Args: "n", Min: 1, Ret: sumType, Prefix: "sum"},
	"sumif":                {Args: "nb", Min: 2, Ret: sumType, Prefix: "sumif"},
	"avg":                  {Args: "x", Min: 1, Ret: avgType, Prefix: "avg"},
	"avgif":                {Args: "nb", Min: 2, Ret: fixed(schema.TypeReal), Prefix: "avgif"},
	"min":                  {Args: "a", Min: 1, Ret: argType(0), Prefix: "min"},
	"max":                  {Args: "a", Min: 1, Ret: argType(0), Prefix: "max"},
	"minif":                {Args: "ab", Min: 2, Ret: argType(0), Prefix: "minif"},
	"maxif":                {Args: "ab", Min: 2, Ret: argType(0), Prefix: "maxif"},
	"stdev":                {Args: "n", Min: 1, Ret: fixed(schema.TypeReal), Prefix: "stdev"},
	"variance":             {Args: "n", Min: 1, Ret: fixed(schema.TypeReal), Prefix: "variance"},
	"stdevif":              {Args: "nb", Min: 2, Ret: fixed(schema.TypeReal), Prefix: "stdevif"},
	"varianceif":           {Args: "nb", Min: 2, Ret: fixed(schema.TypeReal), Prefix: "varianceif"},
	"make_list_with_nulls": {Args: "a", Min: 1, Ret: fixed(schema.TypeDynamic), Prefix: "list"},
	"hll":                  {Args: "a", Min: 1, Ret: fixed(schema.TypeDynamic), Prefix: "hll"},
	"hll_merge":            {Args: "y", Min: 1, Ret: fixed(schema.TypeDynamic), Prefix: "hll_merge"},
	"any":                  {Args: "a", Min: 1, Ret: argType(0), Prefix: "any"},
	"take_any":             {Args: "a", Min: 1, Ret: argType(0)},
	"take_anyif":           {Args: "ab", Min: 2, Ret: argType(0)},
	"count_distinct":       {Args: "a", Min: 1, Ret: fixed(schema.TypeLong), Prefix: "count_distinct"},
	"make_set":             {Args: "an", Min: 1, Ret: fixed(schema.TypeDynamic), Prefix: "set"},
	"make_set_if":          {Args: "abn", Min: 2, Ret: fixed(schema.TypeDynamic), Prefix: "set"},
	"make_list":            {Args: "an", Min: 1, Ret: fixed(schema.TypeDynamic), Prefix: "list"},
	"make_list_if":         {Args: "abn", Min: 2, Ret: fixed(schema.TypeDynamic), Prefix: "list"},
	"make_bag":             {Args: "yn", Min: 1, Ret: fixed(schema.TypeDynamic), Prefix: "bag"},
	"make_bag_if":          {Args: "ybn", Min: 2, Ret: fixed(schema.TypeDynamic), Prefix: "bag"},
	"percentile":           {Args: "nn", Min: 2, Ret: argType(0), Prefix: "percentile"},
	"percentiles":          {Prefix: "percentile"},
	"arg_max":              {Prefix: "arg_max"},
	"arg_min":              {Prefix: "arg_min"},
}

// aggCollector gathers the aggregates found while checking summarize columns.
type aggCollector struct {
	aggs []plan.Agg
}

// aggregateCall checks an aggregate inside a summarize column: it is
// collected under a hidden name and replaced by a reference to it.
func (c *checker) aggregateCall(e *syntax.CallExpr, sig *aggSig, s *scope) plan.Expr {
	col := c.aggs
	if col == nil {
		c.errorf(e.Name, "aggregate %s() can only be used in summarize", e.Name.Name)
		return bad()
	}
	if sig.Ret == nil {
		c.errorf(e, "%s() must be a whole summarize column", e.Name.Name)
		return bad()
	}
	c.aggs = nil
	defer func() { c.aggs = col }()
	args := make([]plan.Expr, len(e.Args))
	for i, a := range e.Args {
		if args[i] = c.expr(a, s); isBad(args[i]) {
			return bad()
		}
	}
	if !c.checkArgs(e, &fnSig{Args: sig.Args, Min: sig.Min}, args) {
		return bad()
	}
	if e.Name.Name == "avg" && args[0].Type() == schema.TypeDatetime {
		c.errorf(e.Args[0], "argument 1 of avg() must be a number or timespan, not datetime")
		return bad()
	}
	if e.Name.Name == "percentile" {
		if _, ok := args[1].(*plan.Const); !ok {
			c.errorf(e.Args[1], "the percentile must be a constant")
			return bad()
		}
	}
	t := sig.Ret(args)
	name := "__agg" + strconv.Itoa(len(col.aggs))
	col.aggs = append(col.aggs, plan.Agg{Name: name, Fn: e.Name.Name, Args: args, T: t})
	return &plan.Col{Name: name, T: t}
}

// aggDefaultName is Kusto's default column name for a summarize aggregate.
func aggDefaultName(e *syntax.CallExpr) string {
	e = canonicalCall(e)
	sig := aggregates[e.Name.Name]
	arg := ""
	if len(e.Args) > 0 && sig.Args != "" {
		arg = defaultName(e.Args[0])
	}
	if sig.Prefix == "" { // take_any(X) and take_anyif(X, p) are named X
		return arg
	}
	name := sig.Prefix + "_" + arg
	if e.Name.Name == "percentile" && len(e.Args) == 2 {
		if p, ok := e.Args[1].(*syntax.IntLit); ok {
			name += "_" + p.Text
		}
	}
	return name
}

package sema

import (
	"reflect"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// opFunc checks one tabular operator over its input and plans it; nil means
// an error was reported.
type opFunc func(c *checker, in plan.Node, op syntax.Operator) plan.Node

// operators is the table of tabular operators, by syntax node type. Each
// family lives in its own op_*.go file.
var operators func() map[reflect.Type]opFunc

func initOperators() map[reflect.Type]opFunc {
	return map[reflect.Type]opFunc{
		reflect.TypeFor[*syntax.WhereOp]():         checkWhere,
		reflect.TypeFor[*syntax.ProjectOp]():       checkProject,
		reflect.TypeFor[*syntax.ProjectAwayOp]():   checkProjectAway,
		reflect.TypeFor[*syntax.ProjectRenameOp](): checkProjectRename,
		reflect.TypeFor[*syntax.ExtendOp]():        checkExtend,
		reflect.TypeFor[*syntax.SummarizeOp]():     checkSummarize,
		reflect.TypeFor[*syntax.CountOp]():         checkCount,
		reflect.TypeFor[*syntax.DistinctOp]():      checkDistinct,
		reflect.TypeFor[*syntax.TakeOp]():          checkTake,
		reflect.TypeFor[*syntax.TopOp]():           checkTop,
		reflect.TypeFor[*syntax.SortOp]():          checkSort,
		reflect.TypeFor[*syntax.JoinOp]():          checkJoin,
		reflect.TypeFor[*syntax.UnionOp](): func(c *checker, in plan.Node, op syntax.Operator) plan.Node {
			return c.union(in, op.(*syntax.UnionOp))
		},
		reflect.TypeFor[*syntax.MvExpandOp]():   checkMvExpand,
		reflect.TypeFor[*syntax.SerializeOp]():  checkSerialize,
		reflect.TypeFor[*syntax.RenderOp]():     func(_ *checker, in plan.Node, _ syntax.Operator) plan.Node { return in },
		reflect.TypeFor[*syntax.GetSchemaOp]():  checkGetSchema,
		reflect.TypeFor[*syntax.ParseOp]():      checkParse,
		reflect.TypeFor[*syntax.AsOp]():         checkAs,
		reflect.TypeFor[*syntax.SampleOp]():     checkSample,
		reflect.TypeFor[*syntax.InvokeOp]():     checkInvoke,
		reflect.TypeFor[*syntax.MakeSeriesOp](): checkMakeSeries,
		reflect.TypeFor[*syntax.EvaluateOp]():   checkEvaluate,
		reflect.TypeFor[*syntax.TopNestedOp]():  checkTopNested,
		reflect.TypeFor[*syntax.ParseKVOp]():    checkParseKV,
		reflect.TypeFor[*syntax.SearchOp]():     checkSearchOp,
		reflect.TypeFor[*syntax.MvApplyOp]():    checkMvApply,
	}
}

// operatorNames are the spellings used in "not supported" messages.
var operatorNames = map[reflect.Type]string{
	reflect.TypeFor[*syntax.MvApplyOp](): "mv-apply",
	reflect.TypeFor[*syntax.ParseKVOp](): "parse-kv",
	reflect.TypeFor[*syntax.FacetOp]():   "facet",
	reflect.TypeFor[*syntax.ForkOp]():    "fork",
	reflect.TypeFor[*syntax.SearchOp]():  "search",
}

func (c *checker) operator(in plan.Node, op syntax.Operator) plan.Node {
	f, ok := operators()[reflect.TypeOf(op)]
	if !ok {
		name := operatorNames[reflect.TypeOf(op)]
		if name == "" {
			name = "this"
		}
		c.errorf(op, "operator %s is not supported yet", name)
		return nil
	}
	return f(c, in, op)
}

func checkWhere(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	w := op.(*syntax.WhereOp)
	p := convert(c.expr(c.rewriteStarPred(w.Pred, in.Columns()), newScope(in)), schema.TypeBool)
	if isBad(p) {
		return nil
	}
	if p.Type() != schema.TypeBool {
		c.errorf(w.Pred, "the predicate of %s must be a bool, not %s", w.Keyword, p.Type())
		return nil
	}
	return &plan.Filter{In: in, Pred: p}
}

func checkTake(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	t := op.(*syntax.TakeOp)
	n, ok := c.constCount(t.Count)
	if !ok {
		return nil
	}
	return &plan.Limit{In: in, N: n}
}

func (c *checker) constCount(e syntax.Expr) (int64, bool) {
	v := c.expr(e, nil)
	k, ok := v.(*plan.Const)
	if !ok || !isNumeric(k.T) {
		if !isBad(v) {
			c.errorf(e, "expected a constant row count")
		}
		return 0, false
	}
	n, ok := k.V.(int64)
	if !ok || n < 0 {
		c.errorf(e, "expected a non-negative integer row count")
		return 0, false
	}
	return n, true
}

// sortKeys checks sort keys: Kusto sorts descending by default, with nulls
// first when ascending and last when descending.
func (c *checker) sortKeys(in plan.Node, keys []*syntax.SortKey) ([]plan.SortKey, bool) {
	s := newScope(in)
	out := make([]plan.SortKey, 0, len(keys))
	ok := true
	for _, k := range keys {
		x := c.expr(k.Expr, s)
		if isBad(x) {
			ok = false
			continue
		}
		desc := k.Order != "asc"
		nullsFirst := !desc
		switch k.Nulls {
		case "first":
			nullsFirst = true
		case "last":
			nullsFirst = false
		}
		out = append(out, plan.SortKey{Expr: x, Desc: desc, NullsFirst: nullsFirst})
	}
	return out, ok
}

func checkSort(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	keys, ok := c.sortKeys(in, op.(*syntax.SortOp).By)
	if !ok {
		return nil
	}
	return &plan.Sort{In: in, Keys: keys}
}

func checkTop(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	t := op.(*syntax.TopOp)
	n, ok := c.constCount(t.Count)
	keys, ok2 := c.sortKeys(in, t.By)
	if !ok || !ok2 {
		return nil
	}
	return &plan.Limit{In: &plan.Sort{In: in, Keys: keys}, N: n}
}

func checkCount(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	name := "Count"
	if a := op.(*syntax.CountOp).As; a != nil {
		name = a.Name
	}
	return &plan.Aggregate{In: in, Aggs: []plan.Agg{{Name: name, Fn: "count", T: schema.TypeLong}}}
}

func checkGetSchema(c *checker, in plan.Node, _ syntax.Operator) plan.Node {
	cols := []plan.Column{{Name: "ColumnName", Type: schema.TypeString}, {Name: "ColumnOrdinal", Type: schema.TypeLong},
		{Name: "DataType", Type: schema.TypeString}, {Name: "ColumnType", Type: schema.TypeString}}
	var rows [][]plan.Expr
	for i, col := range in.Columns() {
		rows = append(rows, []plan.Expr{plan.Str(col.Name), plan.Long(int64(i)), plan.Str(dotnetType(col.Type)), plan.Str(col.Type.String())})
	}
	return &plan.Values{Cols: cols, Rows: rows}
}

func dotnetType(t schema.Type) string {
	return map[schema.Type]string{schema.TypeString: "System.String", schema.TypeDatetime: "System.DateTime",
		schema.TypeLong: "System.Int64", schema.TypeInt: "System.Int32", schema.TypeReal: "System.Double",
		schema.TypeBool: "System.SByte", schema.TypeDynamic: "System.Object", schema.TypeGUID: "System.Guid",
		schema.TypeTimespan: "System.TimeSpan", schema.TypeDecimal: "System.Data.SqlTypes.SqlDecimal"}[t]
}

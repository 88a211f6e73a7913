package sema

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// pluginFunc checks one evaluate plugin over its input and plans it.
type pluginFunc func(c *checker, in plan.Node, e *syntax.EvaluateOp) plan.Node

// plugins is the table of evaluate plugins, by lower-case name.
var plugins = map[string]pluginFunc{
	"bag_unpack": checkBagUnpack,
	"pivot":      checkPivot,
}

func checkEvaluate(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	e := op.(*syntax.EvaluateOp)
	name := strings.ToLower(e.Call.Name.Name)
	f, ok := plugins[name]
	if !ok {
		c.errorf(e.Call.Name, "plugin '%s' is not supported yet (supported: bag_unpack, pivot)", e.Call.Name.Name)
		return nil
	}
	return f(c, in, e)
}

// checkBagUnpack plans evaluate bag_unpack(Col [, Prefix]) : ([*,] Name:type, ...)
// as a projection reading each declared slot of the bag. Kusto infers the
// output columns from the data; a SQL plan needs them before it runs, so the
// output schema is required here. As in Kusto, the schema lists exactly the
// output columns (with their prefix); '*' keeps the input columns other than
// the bag; a missing slot is null (empty for strings).
func checkBagUnpack(c *checker, in plan.Node, e *syntax.EvaluateOp) plan.Node {
	bag, prefix, ok := c.bagUnpackArgs(in, e)
	if !ok {
		return nil
	}
	if e.Schema == nil {
		c.errorf(e, "bag_unpack needs an output schema here, as in 'evaluate bag_unpack(%s) : (*, Name:string, Count:long)': Kusto infers the columns from the data, but Vigil must know them before the query runs", bag.Name)
		return nil
	}
	var items []plan.Item
	if e.AllInput {
		for _, it := range passThrough(in.Columns()) {
			if it.Name != bag.Name {
				items = append(items, it)
			}
		}
	}
	for _, cd := range e.Schema {
		x, ok := c.bagSlot(in, bag, prefix, cd)
		if !ok {
			return nil
		}
		items = setItem(items, cd.Name.Name, x)
	}
	return &plan.Project{In: in, Items: items}
}

// bagUnpackArgs checks the bag column and the optional constant prefix.
func (c *checker) bagUnpackArgs(in plan.Node, e *syntax.EvaluateOp) (*plan.Col, string, bool) {
	args := e.Call.Args
	if len(args) < 1 || len(args) > 2 {
		c.errorf(e.Call, "bag_unpack takes a dynamic column and an optional column prefix")
		return nil, "", false
	}
	col, ok := c.expr(args[0], newScope(in)).(*plan.Col)
	if !ok || col.T != schema.TypeDynamic {
		c.errorf(args[0], "the first argument of bag_unpack must be a dynamic column")
		return nil, "", false
	}
	prefix := ""
	if len(args) == 2 {
		k, ok := c.expr(args[1], nil).(*plan.Const)
		s, isStr := kConstString(k, ok)
		if !isStr {
			c.errorf(args[1], "the column prefix of bag_unpack must be a constant string")
			return nil, "", false
		}
		prefix = s
	}
	return col, prefix, true
}

func kConstString(k *plan.Const, ok bool) (string, bool) {
	if !ok || k == nil {
		return "", false
	}
	s, isStr := k.V.(string)
	return s, isStr
}

// bagSlot is the value of one declared output column: an input column of
// that name, or else the bag's slot named by the column without its prefix,
// converted to the declared type.
func (c *checker) bagSlot(in plan.Node, bag *plan.Col, prefix string, cd *syntax.ColumnDecl) (plan.Expr, bool) {
	t, err := schema.ParseType(cd.Type)
	if err != nil {
		c.errorf(cd, "unknown type '%s'", cd.Type)
		return nil, false
	}
	name := cd.Name.Name
	for _, col := range in.Columns() {
		if col.Name == name && col.Name != bag.Name {
			return convert(&plan.Col{Name: col.Name, T: col.Type}, t), true
		}
	}
	slot, ok := strings.CutPrefix(name, prefix)
	if !ok {
		c.errorf(cd, "column '%s' does not start with the prefix '%s' given to bag_unpack", name, prefix)
		return nil, false
	}
	x := convert(&plan.Call{Fn: "getpath", Args: []plan.Expr{bag, plan.Str("$." + jsonKey(slot))}, T: schema.TypeDynamic}, t)
	if x.Type() != t {
		c.errorf(cd, "bag_unpack cannot convert a slot to %s here; declare it as long, real, string, bool, datetime, guid or dynamic", t)
		return nil, false
	}
	return x, true
}

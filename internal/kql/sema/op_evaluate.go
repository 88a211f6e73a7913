package sema

import (
	"encoding/json"
	"fmt"
	"slices"
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

// checkBagUnpack plans evaluate bag_unpack(Col [, Prefix [, ColumnsConflict
// [, IgnoredProperties]]]) [: ([*,] Name:type, ...)] as a projection reading
// each slot of the bag. As in Kusto, a declared schema lists exactly the
// output columns (with their prefix); '*' keeps the input columns other than
// the bag; a missing slot is null (empty for strings). Without a schema the
// slots come from the data, through a discovery (see bagUnpackDiscovered).
func checkBagUnpack(c *checker, in plan.Node, e *syntax.EvaluateOp) plan.Node {
	a, ok := c.bagUnpackArgs(in, e)
	if !ok {
		return nil
	}
	if e.Schema == nil {
		return c.bagUnpackDiscovered(in, e, a)
	}
	var items []plan.Item
	if e.AllInput {
		for _, it := range passThrough(in.Columns()) {
			if it.Name != a.bag.Name {
				items = append(items, it)
			}
		}
	}
	for _, cd := range e.Schema {
		x, ok := c.bagSlot(in, a.bag, a.prefix, cd)
		if !ok {
			return nil
		}
		items = setItem(items, cd.Name.Name, x)
	}
	return &plan.Project{In: in, Items: items}
}

// bagUnpack holds the arguments of bag_unpack.
type bagUnpack struct {
	bag      *plan.Col
	prefix   string
	conflict string   // columnsConflict: error (the default), replace_source or keep_source
	ignored  []string // ignoredProperties: slot names to leave packed
}

// bagUnpackDiscovered plans bag_unpack with the slots the data holds: the
// input columns but the bag, then a column per slot in key order, typed by
// its values as Kusto does (dynamic when they differ in type). A slot whose
// name is taken by an input column is an error unless columnsConflict says
// which to keep.
func (c *checker) bagUnpackDiscovered(in plan.Node, e *syntax.EvaluateOp, a bagUnpack) plan.Node {
	rows, ok := c.discover(&Discovery{Span: e.Span, Plugin: "bag_unpack", Plan: bagSlotsPlan(in, a.bag)})
	if !ok {
		return nil
	}
	slots, ok := c.bagSlots(e, a.bag.Name, rows)
	if !ok {
		return nil
	}
	var items []plan.Item
	for _, it := range passThrough(in.Columns()) {
		if it.Name != a.bag.Name {
			items = append(items, it)
		}
	}
	for _, s := range slots {
		if slices.Contains(a.ignored, s.key) {
			continue
		}
		if s.key == "" {
			c.warnf(e, "bag_unpack(%s) leaves out a slot with an empty name: a column needs a name", a.bag.Name)
			continue
		}
		name := a.prefix + s.key
		if i := slices.IndexFunc(items, func(it plan.Item) bool { return it.Name == name }); i >= 0 {
			switch a.conflict {
			case "keep_source":
				continue
			case "replace_source":
				items = slices.Delete(items, i, i+1)
			default:
				c.errorf(e, "bag_unpack(%s) makes a column '%s' from the data, but the input has a column of that name; pass a prefix, or columnsConflict 'replace_source' or 'keep_source'", a.bag.Name, name)
				return nil
			}
		}
		slot := &plan.Call{Fn: "getpath", Args: []plan.Expr{a.bag, plan.Str("$." + jsonKey(s.key))}, T: schema.TypeDynamic}
		items = append(items, plan.Item{Name: name, Expr: convert(slot, s.t)})
	}
	return &plan.Project{In: in, Items: items}
}

// bagUnpackArgs checks the bag column and the optional constant prefix,
// columnsConflict and ignoredProperties, given in order or by name.
func (c *checker) bagUnpackArgs(in plan.Node, e *syntax.EvaluateOp) (bagUnpack, bool) {
	args, ok := c.bagUnpackSlots(e)
	if !ok {
		return bagUnpack{}, false
	}
	col, ok := c.expr(args[0], newScope(in)).(*plan.Col)
	if !ok || col.T != schema.TypeDynamic {
		c.errorf(args[0], "the first argument of bag_unpack must be a dynamic column")
		return bagUnpack{}, false
	}
	a := bagUnpack{bag: col}
	for i, dst := range []*string{&a.prefix, &a.conflict} {
		if args[i+1] == nil {
			continue
		}
		k, ok := c.expr(args[i+1], nil).(*plan.Const)
		s, isStr := kConstString(k, ok)
		if !isStr {
			c.errorf(args[i+1], "%s of bag_unpack must be a constant string", bagUnpackParams[i+1])
			return bagUnpack{}, false
		}
		*dst = s
	}
	if a.conflict != "" && a.conflict != "error" && a.conflict != "replace_source" && a.conflict != "keep_source" {
		c.errorf(args[2], "columnsConflict of bag_unpack is 'error', 'replace_source' or 'keep_source', not '%s'", a.conflict)
		return bagUnpack{}, false
	}
	if args[3] != nil {
		k, ok := c.expr(args[3], nil).(*plan.Const)
		if !ok || k.T != schema.TypeDynamic || json.Unmarshal([]byte(fmt.Sprint(k.V)), &a.ignored) != nil {
			c.errorf(args[3], "ignoredProperties of bag_unpack must be a constant dynamic array of strings, as in dynamic(['a', 'b'])")
			return bagUnpack{}, false
		}
	}
	return a, true
}

// bagUnpackParams are the parameters of bag_unpack, in order.
var bagUnpackParams = []string{"Column", "OutputColumnPrefix", "columnsConflict", "ignoredProperties"}

// bagUnpackSlots places the arguments of bag_unpack by position, then by
// name (as in bag_unpack(d, columnsConflict='keep_source')); a missing
// optional argument is nil.
func (c *checker) bagUnpackSlots(e *syntax.EvaluateOp) ([]syntax.Expr, bool) {
	args := make([]syntax.Expr, len(bagUnpackParams))
	if len(e.Call.Args) < 1 || len(e.Call.Args) > len(args) {
		c.errorf(e.Call, "bag_unpack takes a dynamic column, and optionally OutputColumnPrefix, columnsConflict and ignoredProperties")
		return nil, false
	}
	named := false
	for i, x := range e.Call.Args {
		na, isNamed := x.(*syntax.NamedArg)
		if !isNamed {
			if named {
				c.errorf(x, "an argument by position cannot follow one by name")
				return nil, false
			}
			args[i] = x
			continue
		}
		named = true
		j := slices.IndexFunc(bagUnpackParams, func(p string) bool { return strings.EqualFold(p, na.Name.Name) })
		if j <= 0 || args[j] != nil {
			c.errorf(na.Name, "bag_unpack has no parameter '%s' to set here (OutputColumnPrefix, columnsConflict, ignoredProperties)", na.Name.Name)
			return nil, false
		}
		args[j] = na.Value
	}
	if args[0] == nil {
		c.errorf(e.Call, "bag_unpack takes the dynamic column to unpack first")
		return nil, false
	}
	return args, true
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

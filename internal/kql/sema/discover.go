package sema

import (
	"fmt"
	"slices"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// MaxDiscovered is the most columns an evaluate bag_unpack or pivot takes
// from the data; past it the query must declare its output schema. A
// discovery plan reads one row more, so that going past is seen.
const MaxDiscovered = 1000

// Discovery is the question an evaluate bag_unpack or pivot without an output
// schema asks of the data before its output columns are known. Plan reads
// the operator's input: for bag_unpack its rows are (Key, Type), each slot of
// the bag once with the Kusto type of its values ("dynamic" when they
// differ); for pivot its rows are (Value), each distinct value of the pivot
// column as a string. Both are sorted and hold at most MaxDiscovered+1 rows.
type Discovery struct {
	Span   syntax.Span // the evaluate operator
	Plugin string      // "bag_unpack" or "pivot"
	Plan   plan.Node
}

// discover asks opts.Discover for the rows of d. It returns false when they
// are not available (no discoverer, or it could not run them): the query
// then has no plan, without an error of its own.
func (c *checker) discover(d *Discovery) ([][]any, bool) {
	if c.opts.Discover == nil {
		c.pending = true
		return nil, false
	}
	rows, ok := c.opts.Discover(d)
	if !ok {
		c.pending = true
	}
	return rows, ok
}

// bagSlotsPlan is the discovery plan of bag_unpack over bag: each key of the
// bag's top-level slots with the Kusto type of its non-null values. A key
// whose values have several types has a Lo type below its Hi type, which
// makes it dynamic, as in Kusto.
func bagSlotsPlan(in plan.Node, bag *plan.Col) plan.Node {
	str := schema.TypeString
	keys := &plan.Project{In: in, Items: []plan.Item{
		{Name: "Bag", Expr: bag},
		{Name: "Key", Expr: &plan.Call{Fn: "bag_slot_keys", Args: []plan.Expr{bag}, T: schema.TypeDynamic}},
	}}
	rows := &plan.MvExpand{In: keys, Cols: []plan.MvCol{{Name: "Key", To: str}}}
	key := &plan.Col{Name: "Key", T: str}
	typ := &plan.Col{Name: "Type", T: str}
	// The engine's JSON type name is mapped to Kusto's by a second projection, so
	// that the slot is read once.
	jsonTypes := &plan.Project{In: rows, Items: []plan.Item{
		{Name: "Key", Expr: key},
		{Name: "Type", Expr: &plan.Call{Fn: "bag_slot_jsontype", Args: []plan.Expr{&plan.Col{Name: "Bag", T: schema.TypeDynamic}, key}, T: str}},
	}}
	typed := &plan.Project{In: jsonTypes, Items: []plan.Item{
		{Name: "Key", Expr: key},
		{Name: "Type", Expr: &plan.Call{Fn: "kusto_jsontype", Args: []plan.Expr{typ}, T: str}},
	}}
	set := &plan.Filter{In: typed, Pred: &plan.Call{Fn: "isnotnull", Args: []plan.Expr{typ}, T: schema.TypeBool}}
	agg := &plan.Aggregate{In: set, Keys: []plan.Item{{Name: "Key", Expr: key}},
		Aggs: []plan.Agg{{Name: "Lo", Fn: "min", Args: []plan.Expr{typ}, T: str}, {Name: "Hi", Fn: "max", Args: []plan.Expr{typ}, T: str}}}
	return &plan.Limit{In: &plan.Sort{In: agg, Keys: []plan.SortKey{{Expr: key}}}, N: MaxDiscovered + 1}
}

// pivotValuesPlan is the discovery plan of pivot over the column pivot: its
// distinct non-empty values as strings.
func pivotValuesPlan(in plan.Node, pivot plan.Column) plan.Node {
	str := schema.TypeString
	var v plan.Expr = &plan.Col{Name: pivot.Name, T: pivot.Type}
	if pivot.Type != str {
		v = &plan.Call{Fn: "tostring", Args: []plan.Expr{v}, T: str}
	}
	val := &plan.Col{Name: "Value", T: str}
	vals := &plan.Project{In: in, Items: []plan.Item{{Name: "Value", Expr: v}}}
	set := &plan.Filter{In: vals, Pred: &plan.Call{Fn: "isnotempty", Args: []plan.Expr{val}, T: schema.TypeBool}}
	agg := &plan.Aggregate{In: set, Keys: []plan.Item{{Name: "Value", Expr: val}}}
	return &plan.Limit{In: &plan.Sort{In: agg, Keys: []plan.SortKey{{Expr: val}}}, N: MaxDiscovered + 1}
}

// discoveredSlot is one bag slot the data holds: its key and Kusto type.
type discoveredSlot struct {
	key string
	t   schema.Type
}

// bagSlots reads the rows of a bag_unpack discovery. The types are the
// dialect-neutral names the discovery plan produces.
func (c *checker) bagSlots(e *syntax.EvaluateOp, bag string, rows [][]any) ([]discoveredSlot, bool) {
	if len(rows) > MaxDiscovered {
		c.errorf(e, "bag_unpack(%s) would make more than %d columns from the data (the limit); declare the output schema, as in 'evaluate bag_unpack(%s) : (*, Name:string)'", bag, MaxDiscovered, bag)
		return nil, false
	}
	out := make([]discoveredSlot, 0, len(rows))
	for _, r := range rows {
		if len(r) != 3 {
			c.errorf(e, "internal error: a bag_unpack discovery row has %d values, want 3", len(r))
			return nil, false
		}
		key, lo, hi := cellString(r[0]), cellString(r[1]), cellString(r[2])
		t, err := schema.ParseType(lo)
		if err != nil || lo != hi {
			t = schema.TypeDynamic
		}
		out = append(out, discoveredSlot{key: key, t: t})
	}
	return out, true
}

// pivotValues reads the rows of a pivot discovery.
func (c *checker) pivotValues(e *syntax.EvaluateOp, pivot string, rows [][]any) ([]string, bool) {
	if len(rows) > MaxDiscovered {
		c.errorf(e, "pivot(%s) would make more than %d columns from the data (the limit); declare the output schema, as in 'evaluate pivot(%s) : (Key:string, Value1:long)'", pivot, MaxDiscovered, pivot)
		return nil, false
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if len(r) != 1 {
			c.errorf(e, "internal error: a pivot discovery row has %d values, want 1", len(r))
			return nil, false
		}
		out = append(out, cellString(r[0]))
	}
	// The store sorts by its collation; the columns come in byte order in every dialect.
	slices.Sort(out)
	return slices.Compact(out), true
}

// cellString renders a discovery cell as text, whatever driver type holds it.
func cellString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case *string:
		if v == nil {
			return ""
		}
		return *v
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}

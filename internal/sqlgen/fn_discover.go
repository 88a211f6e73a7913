package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/schema"
)

// bag_slot_jsontype(bag, key) is the engine's name of the JSON type of the
// bag's slot key, null when the slot is missing; kusto_jsontype(name) maps
// that name to the Kusto type ("string", "long", "real", "bool", "dynamic"
// for arrays and bags), null for a null value. The discovery of evaluate
// bag_unpack reads them, so that its rows are the same in every dialect.

// bag_slot_keys(bag) is the keys of the bag as a dynamic array, empty for a
// null bag or one that is not an object: the bag_unpack discovery expands it.

// chBagSlotKeys reads the keys of a bag that may be null (ClickHouse has no
// Nullable(Array)).
func chBagSlotKeys(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	return Call("toJSONString", Call("JSONExtractKeys", Call("COALESCE", a[0], Str(""))))
}

// duckBagSlotJSONType reads the slot by a JSON pointer, in which '~' and '/'
// in the key are escaped, so that any key is one path step.
func duckBagSlotJSONType(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	esc := Call("replace", Call("replace", a[1], Str("~"), Str("~0")), Str("/"), Str("~1"))
	return Call("json_type", a[0], Call("concat", Str("/"), esc))
}

// duckKustoJSONType maps DuckDB's JSON type names.
func duckKustoJSONType(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	return jsonTypeCase(a[0], [][2]string{{"VARCHAR", "string"}, {"BIGINT", "long"}, {"UBIGINT", "long"},
		{"DOUBLE", "real"}, {"BOOLEAN", "bool"}, {"ARRAY", "dynamic"}, {"OBJECT", "dynamic"}})
}

// chBagSlotJSONType reads the slot's type by key; ClickHouse names a missing
// slot 'Null' like a null one.
func chBagSlotJSONType(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	return Call("toString", Call("JSONType", a[0], a[1]))
}

// chKustoJSONType maps ClickHouse's JSON type names.
func chKustoJSONType(a []Expr, _ []plan.Expr, _ schema.Type) Expr {
	return jsonTypeCase(a[0], [][2]string{{"String", "string"}, {"Int64", "long"}, {"UInt64", "long"},
		{"Double", "real"}, {"Bool", "bool"}, {"Array", "dynamic"}, {"Object", "dynamic"}})
}

// jsonTypeCase maps engine type names to Kusto's; others are null.
func jsonTypeCase(t Expr, names [][2]string) Expr {
	whens := make([]When, len(names))
	for i, n := range names {
		whens[i] = When{Cond: Bin("=", t, Str(n[0])), Then: Str(n[1])}
	}
	return &Case{Whens: whens}
}

// Package sqlgen lowers a KQL relational plan (package plan) to SQL.
//
// The SQL tree ([Select], [Expr], ...) is dialect-neutral: types are Kusto
// types and function calls are generic. A [Dialect] supplies where engines
// differ: how each Kusto operator or function becomes SQL (a table from name
// to lowering function, one file per family; functions that differ only in a
// name are one function taking the name) and how the tree is spelled. One
// printer walks the tree for both DuckDB and ClickHouse; each dialect's
// spelling supplies identifier quoting, literals, casts, function calls and
// the few nodes it writes its own way (lambdas, structs, VALUES, joins).
//
// The lowering wraps each KQL operator in a subquery and projects every
// column of a table at its scan. Before printing DuckDB SQL, [Generate]
// folds those layers and drops the columns nothing reads (simplify.go), so
// that the text DuckDB parses and plans is about the size of hand-written
// SQL; the goldens' rows check that the answers stay the same.
package sqlgen

// Package sqlgen lowers a KQL relational plan (package plan) to SQL.
//
// The SQL tree ([Select], [Expr], ...) is dialect-neutral: types are Kusto
// types and function calls are generic. A [Dialect] supplies the one place
// where engines differ: how each Kusto operator or function becomes SQL (a
// table from name to lowering function, one file per family) and how the
// tree is printed. DuckDB is the dialect implemented here; a ClickHouse
// dialect adds its own function table and printer over the same tree.
package sqlgen

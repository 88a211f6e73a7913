// Package sema is the semantic phase of the KQL compiler: it resolves table,
// column, let and function names against the schema registry, computes the
// Kusto type of every expression, applies Kusto's rules (default column
// names, implicit dynamic conversions, join column renames) and builds the
// relational plan (package plan). Every table scan it builds carries the
// tenant of [Options] and the optional time range, so no query can read
// another tenant's rows.
//
// Problems are reported as syntax.Diagnostic values with the span of the
// offending node; unknown tables, columns, functions and operators are
// errors with a "did you mean" suggestion, and a column written in another
// letter case resolves with a warning.
//
// Tabular operators are dispatched through a table keyed by syntax node type
// (ops.go); scalar functions and aggregates through tables of signatures
// (fn_*.go).
package sema

// Package plan is the relational plan of a checked KQL query: a tree of
// [Node] values (scan, filter, project, aggregate, sort, limit, distinct,
// union, join, mv-expand, values, range) over typed scalar [Expr] values.
//
// The semantic checker (package sema) builds plans; the SQL generator
// (package sqlgen) lowers them to a dialect-neutral SQL tree. A plan is
// already resolved: every column reference names a column of the node's
// input and every expression carries its Kusto type. Scalar operators and
// functions are all [Call] values named by their Kusto spelling ("==",
// "has", "tolower", ...); each back end maps names to SQL through a table.
package plan

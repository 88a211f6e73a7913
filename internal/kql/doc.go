// Package kql compiles Kusto Query Language to SQL for the event store: it
// runs the phases syntax (parse) -> sema (names, types, tenant and time
// predicates, plan) -> sqlgen (SQL for one dialect) and returns the SQL with
// the output columns and their Kusto types.
package kql

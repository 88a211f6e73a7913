// Package kql compiles Kusto Query Language to SQL for the event store: it
// runs the phases syntax (parse) -> sema (names, types, tenant and time
// predicates, plan) -> sqlgen (SQL for one dialect) and returns the SQL with
// the output columns and their Kusto types.
//
// # Columns from the data
//
// Kusto's evaluate bag_unpack() and evaluate pivot() without an output
// schema name their output columns after the data: the keys of a bag, the
// values of a column. SQL needs its columns before it runs, so compilation
// has two phases. When the checker reaches such an operator it builds a
// discovery query over the operator's input (with the query's tenant, time,
// ingest and device predicates) and asks for its rows; the operator is then
// planned with the columns found, as if the query had declared them, and
// checking goes on. [CompileDiscover] answers through the caller's [Runner],
// which runs the SQL on the store: every caller that executes queries uses
// it. [Compile] has no runner: a query that needs discovery compiles to a
// [Query] whose Discoveries list the queries to run (those the checker
// reached) and whose SQL is empty; linting accepts it so. A discovery yields
// at most [MaxDiscovered] columns; more is an error asking for a schema.
package kql

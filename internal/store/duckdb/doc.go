// Package duckdb is the embedded event store: one DuckDB database file per data directory.
// Batches are written with the appender API, and each write commits the rows together with the
// bus consumer's offset in one transaction, so a replay after a crash is exactly-once.
//
// Kusto types map to DuckDB types as: string VARCHAR, datetime TIMESTAMP (microseconds), long
// BIGINT, int INTEGER, real DOUBLE, bool BOOLEAN, dynamic JSON, guid UUID, timespan INTERVAL,
// decimal DECIMAL(38,9): 29 digits before the point, as .NET's decimal that Kusto uses, and 9 after.
package duckdb

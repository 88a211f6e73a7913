// Package store defines the event store: where rows of the schema tables are kept and queried.
// Engines live in subpackages (duckdb today; clickhouse with the scale-out work); the rest of
// Vigil depends only on the interfaces here.
package store

// Package asimkql holds no code: its tests store the Zeek and Suricata samples of
// internal/ingest/normalize in a real DuckDB store and run KQL in the style of public ASIM and
// Sentinel content over them through the compiler. They live apart so that the normalize
// package's own tests do not link DuckDB.
package asimkql

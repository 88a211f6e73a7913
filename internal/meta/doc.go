// Package meta is Vigil's state store: tenants, custom table definitions,
// settings and, as features land, incidents, alerts, rules, playbooks,
// Action Center items, users, roles and audit records.
//
// Two engines sit behind one API. SQLite (modernc.org/sqlite, pure Go) is the
// embedded default and keeps the whole state in one file; PostgreSQL (pgx) is
// used when Vigil is scaled out. Only this package imports their drivers.
//
// # Migrations
//
// The schema is built by numbered SQL files embedded from migrations/, named
// NNNN_short_name.sql and numbered 1, 2, 3, ... without gaps. Open applies the
// ones a database lacks, in order, each in its own transaction, and records
// each in the schema_migrations table with its name, a checksum of its text
// and the time it was applied. Applying them again is a no-op. Several
// processes opening one PostgreSQL database at once serialize on a
// transaction-scoped advisory lock; on SQLite the write lock taken by BEGIN
// IMMEDIATE does the same. A database migrated by a newer binary, or whose
// recorded checksum no longer matches the embedded file, is refused: a
// released migration is never edited, a new one is added.
//
// One set of SQL serves both engines. Write portable SQL (TEXT, INTEGER,
// BIGINT, BOOLEAN, ON CONFLICT ... DO UPDATE, RETURNING); where the engines
// differ, use one of the macros below, which each dialect expands:
//
//	{{timestamp}}  a UTC time, microsecond precision (TEXT / TIMESTAMPTZ)
//	{{now}}        the current time as a {{timestamp}} value (milliseconds on SQLite)
//	{{bytes}}      binary data (BLOB / BYTEA)
//	{{autoid}}     an auto-increment BIGINT primary key, read back with RETURNING
//
// An unknown macro fails loading, so a typo never reaches a database.
// Statements such as CREATE INDEX CONCURRENTLY that cannot run inside a
// transaction are not supported.
//
// To add a feature's tables: add migrations/NNNN_feature.sql with the next
// number (a test fails on gaps and duplicates), add feature.go with the
// types and Store methods and feature_test.go whose tests call
// forEachEngine, so they run on SQLite and PostgreSQL alike. Tables, columns
// and constraints change only through new migrations. SQLite's ALTER TABLE
// can add, rename and drop columns but not change them: to change a column,
// create a new table, copy the rows, drop the old table and rename the new.
//
// # Queries
//
// Code in this package writes queries with ? placeholders and runs them
// through the store's exec, query and queryRow helpers (or a transaction from
// inTx), which rebind them for the engine. Times are bound with timeArg and
// scanned with timeDest, so they round-trip exactly at microsecond precision
// in UTC; Store.clock gives the current time in that form. ORDER BY on text sorts by the database's
// collation on PostgreSQL and bytewise on SQLite, so lists whose order is part
// of the API are sorted in Go.
package meta

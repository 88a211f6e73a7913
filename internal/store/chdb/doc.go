// Package chdb runs ClickHouse SQL in process on chDB (ClickHouse as a library), loaded through
// cgo from the npm package @chdb/lib-linux-x64-gnu pinned in tools/chdb. It exists so that the
// ClickHouse dialect of the KQL compiler is tested on a real, current ClickHouse engine.
//
// The package is built only with the build tag chdb: normal builds need no libchdb.so. The
// Makefile's test-chdb target sets CGO_LDFLAGS (-L and an rpath) to the npm package directory.
// The npm package ships the library without a header, so the few functions of chdb.h used here
// (chdb_connect, chdb_query_n, chdb_result_*, chdb_destroy_query_result, chdb_close_conn) are
// declared in session.go.
//
// The engine keeps one storage path per process, so a process opens one [Session] at a time.
package chdb

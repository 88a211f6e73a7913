// Package cli is the vigil command line: server, version, config check, ingest and sql. Each
// command is built by a function and wired in NewRoot; nothing registers itself.
package cli

// Package app holds Vigil's configuration and wires the components (bus, event store, state
// store, store writer, HTTP API) into one server with one lifecycle.
package app

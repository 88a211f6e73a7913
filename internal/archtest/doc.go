// Package archtest holds the tests that keep Vigil's import direction (ARCHITECTURE.md,
// "Layout"): the KQL parser imports only the standard library, only the store, state store
// and bus packages import database and bus drivers, and only the app wiring imports the API.
package archtest

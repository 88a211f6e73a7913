// Package api is Vigil's HTTP API: ingest endpoints (Vigil's own and the Azure Monitor Logs
// Ingestion API shape), the table list and custom tables, an admin SQL endpoint, health,
// readiness and Prometheus metrics. Errors are mapped to HTTP status in one place (errors.go).
// Nothing imports this package but the app wiring.
package api

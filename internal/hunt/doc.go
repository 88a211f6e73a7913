// Package hunt runs KQL hunting queries on an event store: it compiles a query for a tenant
// and a time range, runs it with a row limit and shapes the answer with the compiler's Kusto
// column types and the values as the store renders them (Kusto's text for datetimes,
// timespans, guids and decimals). The API's runHuntingQuery and `vigil query --data` both
// run queries through it, so a query answers the same columns, types and values either way.
package hunt

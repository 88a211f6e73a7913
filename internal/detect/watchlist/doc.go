// Package watchlist turns watchlists (Sentinel's named lists of items, made from a CSV) into
// what the rest of Vigil uses: ParseCSV reads the CSV and infers each column's Kusto type,
// Rows renders item changes as records of the append-only Watchlist table that KQL reads,
// and Resolver answers the compiler's questions about the aliases _GetWatchlist() names.
//
// The state store (internal/meta) keeps the definitions and the current items, for the API;
// the Watchlist table keeps every change: a Create, Update or Delete record per item, the
// latest of which (by _DTTimestamp) is the item's state.
package watchlist

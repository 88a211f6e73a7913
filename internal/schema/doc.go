// Package schema is Vigil's table registry: the Defender XDR and Sentinel tables, Vigil's own
// tables and the custom (_CL) tables created through the API, each with its columns and Kusto
// types. The built-in list is data (tables.tsv, vigil.tsv) generated into zz_tables.go by
// `make generate`.
//
// It also defines the Go representation of Kusto values that travel from the receivers, over
// the bus, to the event stores (see Value).
package schema

//go:generate go run ./gen -out zz_tables.go tables.tsv vigil.tsv

// Package hec decodes the Splunk HTTP Event Collector formats and routes the events to rows of
// Vigil tables. The HTTP side (authentication, body limits, Splunk-shaped answers) is in
// internal/api; this package is pure decoding, so it is fuzzed on its own.
//
// Formats:
//   - /services/collector/event: JSON event objects concatenated with optional whitespace
//     between them ({"time":..., "host":..., "source":..., "sourcetype":..., "index":...,
//     "event": string|object, "fields": {...}}); Decode.
//   - /services/collector/raw: one event a line, metadata from the query string; DecodeRaw.
//
// Sourcetype routes (Rules, configured as receivers.hec.routes) come first and are applied by
// the HTTP side: an event whose sourcetype (and index, when the rule names one) has a rule
// and no fields.vigil_table goes to the rule's table (as fields.vigil_table) or through its
// source format (normalize's formats, or syslog to parse the event as a syslog line).
//
// Routing (Route), in order:
//  1. fields.vigil_table names a table (built-in or custom _CL): the event must be a JSON
//     object, decoded as a row of that table like any JSON ingest; "time" fills TimeGenerated
//     when the object carries neither TimeGenerated nor the table's event time column. An
//     unknown table or a row that does not fit goes to IngestionErrors.
//  2. Everything else lands in the built-in Syslog table: SyslogMessage = the event text (a
//     JSON string as is; an object or other JSON value as its JSON text), Computer and
//     HostName = host, ProcessName = source, Facility = sourcetype, SourceSystem =
//     "Splunk HEC". index and the other fields are not kept on this route (Syslog has no
//     column for them): send events with fields.vigil_table to keep structure.
//
// Time: "time" is epoch seconds, a number or a string, with up to nanosecond fraction, parsed
// from its decimal text so no precision is lost to float64. An event without "time" takes the
// receive time, as Splunk does.
package hec

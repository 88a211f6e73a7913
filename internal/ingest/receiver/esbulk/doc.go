// Package esbulk decodes Elasticsearch _bulk request bodies (NDJSON action/source line pairs)
// and routes their documents to rows of Vigil tables. The HTTP side (the _bulk endpoint, the
// handshake endpoints Beats, Logstash and Vector call first, and the response they check) is
// in internal/api.
//
// Actions: index and create take the source line that follows and become rows; update (which
// also has a source line) and delete are answered per item with status 400, since Vigil's
// tables are append-only. A malformed action line fails the whole request, as it does in
// Elasticsearch; a source line that is not a JSON object fails only its item.
//
// Routing, by the item's _index (or the index in the URL):
//  1. An index equal to a table name, case-insensitively (built-in or custom _CL), takes the
//     document as a row of that table like any JSON ingest; "@timestamp" becomes TimeGenerated
//     when the document has neither TimeGenerated nor the table's event time column.
//  2. Any other index lands in the built-in Syslog table: TimeGenerated = @timestamp,
//     SyslogMessage = message (the whole document's JSON when it has no message), Computer and
//     HostName = host.name (or host.hostname, or host when it is a string), HostIP = the first
//     host.ip, ProcessName = process.name, ProcessID = process.pid, SeverityLevel = log.level
//     or log.syslog.severity.name, Facility = log.syslog.facility.name or else the index name,
//     SourceSystem = "Elasticsearch bulk". Other fields are not kept on this route: name a
//     table as the index to keep structure.
//
// Before rule 2, a document with Winlogbeat's shape (a winlog object with channel or
// provider_name, and winlog.event_id or event.code) goes through the Windows normalizer as
// POST /api/v1/ingest/format/winlogbeat does (winlogbeat.go): Sysmon to the Device* tables,
// Security to SecurityEvent and the Defender tables, other channels to WindowsEvent; one the
// normalizer cannot read is answered 400 with its reason and kept in IngestionErrors.
//
// Before rule 2 too, a Zeek or Suricata document (Filebeat's zeek and suricata modules with the
// log line in message, suricata.eve.* or zeek.<log>.* parsed by a pipeline, or the raw EVE or
// Zeek JSON record) goes through the zeek or suricata-eve normalizer (netsensor.go) to the ASIM
// tables and, for Suricata alerts, CommonSecurityLog; a record the normalizer rejects is
// answered 400 with its reason and kept in IngestionErrors.
//
// A document without a time is rejected with its item answered 400 and the document in
// IngestionErrors, as Vigil does for every receiver whose protocol carries the time.
package esbulk

// Package normalize turns raw log messages into rows of the schema tables.
//
// One file per source format: rfc3164.go and rfc5424.go parse syslog headers, cef.go and
// leef.go parse ArcSight CEF and IBM QRadar LEEF payloads (with or without a syslog header).
// Windows events: winevent.go parses the event XML and wineventjson.go the JSON forms of
// Winlogbeat, NXLog and EVTX-to-JSON converters into a WinEvent; a WinMapper (windows.go) maps
// it to rows: Sysmon (sysmon.go) to the Defender Device* tables, the Security channel
// (winsecurity.go) to SecurityEvent plus DeviceLogonEvents/DeviceProcessEvents, and every other
// event to WindowsEvent.
//
// Cloud, identity and email sources are JSON formats read by a Normalizer (formats.go holds
// the table of formats, dispatched by name): entra-signin (entra.go) to SigninLogs,
// AADNonInteractiveUserSignInLogs and AADSignInEventsBeta; entra-audit (entraaudit.go) to
// AuditLogs; o365-audit (o365.go) to OfficeActivity and CloudAppEvents; cloudtrail (cloudtrail.go) to AWSCloudTrail; email-trace
// (email.go) to EmailEvents, EmailAttachmentInfo and EmailUrlInfo; url-click (urlclick.go) to
// UrlClickEvents. jsonrecords.go splits a body into records (arrays, NDJSON, envelopes such as
// {"Records":[...]}) and converts JSON values to column types. Domain controller
// authentications in the Security channel (winidentity.go) also fill IdentityLogonEvents.
// okta (okta.go) fills OktaSSO and github-audit (github.go) GitHubAuditData. The Linux audit
// log is a text format of the same table: auditd.go reads audit.log lines and groups them into
// events, auditdmap.go maps them to Syslog, DeviceProcessEvents and DeviceLogonEvents.
//
// Network sensors fill the ASIM tables: zeek (zeek.go, with zeektsv.go reading Zeek's TSV and
// JSON logs) maps conn, dns, http and ssl to ASimNetworkSessionLogs, ASimDnsActivityLogs and
// ASimWebSessionLogs; suricata-eve (suricata.go, suricatadns.go) maps EVE alert to
// CommonSecurityLog and ASimNetworkSessionLogs, and flow, dns, http and tls to the ASIM tables;
// netrow.go holds what both share. Normalizer.ShippedRecords (netship.go) finds such a record
// in a document a shipper sent (Filebeat's zeek and suricata modules) for the _bulk receiver.
//
// A Parser maps plain syslog messages to the Syslog table and CEF/LEEF messages to
// CommonSecurityLog; Parser.Derive (linuxauth.go) adds the DeviceLogonEvents row of an sshd
// logon line and the DeviceProcessEvents row of a sudo command line. A message it cannot parse is returned as a *ParseError naming the table
// it was meant for, so that the receiver can send it to IngestionErrors with its raw bytes.
//
// The package uses only the standard library and the schema package; a Parser is immutable
// after NewParser and safe for concurrent use.
package normalize

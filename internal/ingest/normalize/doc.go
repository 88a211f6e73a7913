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
//
// A Parser maps plain syslog messages to the Syslog table and CEF/LEEF messages to
// CommonSecurityLog. A message it cannot parse is returned as a *ParseError naming the table
// it was meant for, so that the receiver can send it to IngestionErrors with its raw bytes.
//
// The package uses only the standard library and the schema package; a Parser is immutable
// after NewParser and safe for concurrent use.
package normalize

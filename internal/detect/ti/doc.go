// Package ti matches the event stream against threat-intelligence indicators.
//
// Indicators arrive as STIX 2.1 bundles (ParseBundle), become rows of Sentinel's
// ThreatIntelligenceIndicator and ThreatIntelIndicators tables (Rows), and so are huntable in
// KQL. The Matcher is a stream.Detector: it keeps an immutable per-tenant Index of the active
// indicators (IP addresses and CIDR blocks, domains and their subdomains, normalized URLs, file
// hashes by type, email senders), learns new indicators from the indicator tables as they pass
// through the stream and, at start, from the event store through a Source. Which columns of
// which tables are checked is the data in fields.go (DefaultFields).
package ti

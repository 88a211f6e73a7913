// Package rule is Vigil's in-memory model of a detection rule, the parsers that read it from
// Microsoft Sentinel analytics-rule YAML, the Sentinel ARM/JSON export and Defender XDR custom
// detections (the Graph detectionRule resource), and Lint, which checks a rule against the
// schema registry by compiling its query.
//
// Every problem is a Finding with a file position: parsers keep the position of each field
// (yaml.v3 nodes; JSON is read through the same YAML parser), and KQL diagnostics are mapped
// from their offset in the query to the line and column inside the file.
package rule

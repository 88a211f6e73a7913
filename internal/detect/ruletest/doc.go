// Package ruletest is Vigil's scripted detection suite, in the spirit of Prometheus's
// promqltest: a small text file loads events into tables at times relative to a base time,
// evaluates detection rules at given times, and states exactly which alerts must come out.
//
// Scripts run on a real DuckDB event store (rows are converted by ingest.Decode, as ingested
// rows are), with the real KQL compiler and the scheduler's evaluator (schedule.KQL), and
// alerts are made by alert.Extract, so triggers, entity mappings, custom details,
// alertDetailsOverride and event grouping behave as in production. Each script has a tenant
// of its own in a shared store. Nothing sleeps: time is only what the script says.
//
// # Format
//
// One command a line; indented lines belong to the load or eval above them; # starts a
// comment line.
//
//	# Tests for encoded_powershell.yaml
//	rule ../encoded_powershell.yaml    # a rule file, relative to this file; repeatable
//	base 2026-01-01T00:00:00Z          # optional; offsets count from here (this is the default)
//
//	load DeviceProcessEvents at -10m   # rows of a table, at base-10m
//	  {"DeviceName":"ws1","FileName":"powershell.exe","ProcessCommandLine":"powershell -enc SQBFAFgA..."}
//	  +2m {"DeviceName":"ws2","FileName":"powershell.exe","ProcessCommandLine":"powershell -File a.ps1"}
//	  repeat 20 every 1m {"DeviceName":"ws{{i}}","FileName":"cmd.exe"}
//
//	eval at 0m                         # run every rule for the slot at base+0
//	  expect 1 alert                   # or: expect N alerts, expect no alerts
//	  expect alert title="Encoded PowerShell on ws1" severity=Medium Host.FullName=ws1
//
// A row is a JSON object as the ingest API takes it. Its TimeGenerated is the block's time
// plus the row's optional +OFFSET (or -OFFSET), unless the row sets TimeGenerated or the
// table's event time (Timestamp) itself; Defender tables get Timestamp from it as at ingest.
// "repeat N every D" writes N rows D apart, replacing {{i}} with 1..N. Offsets and
// durations are Go durations (-10m, +1h30m, 45s) or whole days (2d).
//
// "eval at T" runs each rule as one scheduler run for the slot base+T: the window
// [slot-queryPeriod, slot), now() at the slot, the trigger threshold, and suppression after
// an alert (kept across evals of the script). An NRT rule reads the rows loaded since its
// previous eval whatever their times, by ingest order as the scheduler's near-real-time runs
// do; its first eval reads every row loaded before it.
//
// Expectations: "expect N alerts" is the exact count of all the rules' alerts at that
// eval; each "expect alert" line must match a distinct alert, tried in file order, on every
// KEY=VALUE (equal in any letter case) or KEY~VALUE (contains, any case). Keys: rule (id or
// name), title, description, severity, tactic, technique, rows (evidence rows),
// detail.KEY (a custom detail value), prop.NAME (an alertDetailsOverride dynamic property)
// and EntityType.Identifier (Host.FullName, Account.Name, IP.Address, ...). Values with
// spaces are Go-quoted strings.
//
// Errors in a script and failed expectations are reported as file:line, with the rule.
package ruletest

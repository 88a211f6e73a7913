// Package automation runs automation rules, Sentinel's model: when an incident is created
// or updated, or an alert is created, the enabled, unexpired rules whose trigger and
// conditions match run in order (lower order first), each applying its actions in order:
// assign an owner, change the status or severity, add tags, run a playbook, or suppress
// (close as benign positive).
//
// Changes go through the same incident methods the API uses, so they are recorded in the
// incident's history as done by automation rule "<name>" and announced like any change;
// each rule run is audited. Changes made by automation rules and playbooks never trigger
// incidentUpdated rules again, so rules cannot loop.
//
// Rules are written in YAML or JSON and validated whole (Parse): unknown fields, unknown
// properties, operators and actions are errors with the line, column and reason.
// docs/automation.md is the reference.
package automation

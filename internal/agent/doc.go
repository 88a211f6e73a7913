// Package agent is the Linux endpoint agent (`vigil agent`): it carries out response
// actions on the device (isolation with nftables, stopping processes and quarantining
// files, blocking indicators, collecting an investigation package, running live-response
// scripts) and answers the commands the server's agent responder sends it over NATS.
//
// Everything the agent changes on the device is recorded in its state file, so that a
// restarted agent re-applies isolation and blocked indicators (see State).
package agent

// Package agent is the Linux endpoint agent (`vigil agent`): it carries out response
// actions on the device (isolation with nftables, stopping processes and quarantining
// files, blocking indicators, collecting an investigation package, running live-response
// scripts) and answers the commands the server's agent responder sends it over NATS.
//
// It also sends telemetry into the Defender device tables (see Telemetry): program starts
// from the kernel's process connector, network connections from the socket tables
// (NetWatcher), file changes in watched trees from inotify (FileWatcher), logons from wtmp
// and btmp (LogonReader), the authentication log's sshd, sudo and other login lines as
// Syslog rows from auth.log or secure (AuthLogReader) or the journal (AuthJournal), from which
// the server derives logon and sudo process rows, the installed software (Inventory), and
// DeviceInfo and DeviceNetworkInfo heartbeats. Each collector fails alone (see CollectConfig).
//
// It keeps its tenant's fleet block list in force (RunFleetSync): the SHA-256 hashes and IP
// addresses blocked on every device, fetched at start, every minute and when the server says
// the list changed.
//
// Everything the agent changes on the device is recorded in its state file, so that a
// restarted agent re-applies isolation and blocked indicators (see State).
package agent

// Package respond is the Action Center: every response action, whoever asks for it (an
// analyst, a rule, a playbook, an automated investigation, attack disruption), is a record
// with a type, a target, a requester, a reason, an optional incident link and a status that
// moves through one transition table:
//
//	pendingApproval -> approved | rejected | cancelled
//	approved        -> sent | cancelled
//	sent            -> running | failed | cancelled | timedOut
//	running         -> completed | failed | cancelled | timedOut
//
// Any other change is an error wrapping meta.ErrInvalidTransition. The store applies a
// change only when the action is still in the status it was read in, so two approvers, or
// an approver and a canceller, cannot both win.
//
// # Approval and automation levels
//
// Each tenant has a response policy (an automation level and the four-eyes rule), kept as a
// setting. At level full every request is approved at once; at level semi every request
// waits for approval; at level none automation (rules, playbooks, investigations,
// disruption) cannot request actions at all and analysts' requests wait for approval.
// With four eyes on (the default), the approver must not be the requester.
//
// # Execution
//
// The Dispatcher runs approved actions asynchronously through the first Responder that
// supports the action (its type, or the action itself for an ActionSupporter such as the agent
// responder, which takes only devices with an enrolled agent), with a timeout per action and
// retries of failures wrapping ErrTransient, recording sent, running, then completed, failed or
// timedOut. Undo creates a linked action of the inverse type (releaseIsolation, enableAccount,
// restoreFile, restoreEmail, unblockIndicator). The real responders are under responders/
// (agent, fleet, ldap, imap, webhook); automation rules, playbooks, automated investigation and attack disruption request
// actions as their requester types.
//
// SimulatedResponder takes what no configured responder does (and everything in the demo): it
// performs nothing on real systems, but keeps the state it pretends to change (isolated
// devices, disabled accounts, quarantined files, blocked indicators) in the state store, so
// undo works and the state can be queried, and its results say they were simulated.
//
// Every state change is audited (auth.Auditor) and appended as a row of the huntable
// VigilActions table.
package respond

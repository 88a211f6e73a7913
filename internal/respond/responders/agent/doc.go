// Package agent is the server side of the endpoint agent: a respond.Responder that sends
// device actions to the agent enrolled for the target device, over the bus, and waits for
// its answer. Devices without an enrolled agent are left to the next responder (the
// simulated one).
//
// It also speaks the fleet block list to agents: FleetNotifier tells a tenant's agents the
// list changed (a syncBlocklist command, not waited for) and ServeBlocklists answers their
// requests for it from the event store (see package fleet).
package agent

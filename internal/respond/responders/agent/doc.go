// Package agent is the server side of the endpoint agent: a respond.Responder that sends
// device actions to the agent enrolled for the target device, over the bus, and waits for
// its answer. Devices without an enrolled agent are left to the next responder (the
// simulated one).
package agent

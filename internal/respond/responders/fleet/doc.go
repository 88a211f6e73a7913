// Package fleet carries out fleet-wide indicator blocks: a blockIndicator or
// unblockIndicator action whose target names no device. The fleet block list is the
// tenant's threat-intelligence indicators whose Action is block (as Defender's custom
// indicators are): the latest row per IndicatorId of ThreatIntelligenceIndicator that is
// active and unexpired. So an indicator a feed imports with action block is enforced as
// well as one an analyst blocks in the Action Center.
//
// The Responder writes an indicator row through the ingest path (Active=true to block,
// Active=false for the same IndicatorId to unblock), waits until the event store shows the
// change, and then tells the tenant's agents to fetch the list again (Notifier). List
// reads the list; the server answers agents' requests for it with List.Blocked. The agents
// enforce SHA-256 hashes and IP addresses; URLs, domains and other hashes are listed for
// them but not enforced (see docs/agent.md).
package fleet

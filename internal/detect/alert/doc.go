// Package alert defines the Alert that detection rules produce, the Sink that receives them
// (the scheduler and stream engine call it; the incident layer implements it), and Extract,
// which turns a rule's query results into alerts as Sentinel does: one alert per result or
// one for all, entities from the rule's mappings, custom details and alert detail overrides.
package alert

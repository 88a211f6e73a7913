// Package schedule runs scheduled detection rules (Sentinel analytics rules, Defender custom
// detections) on slotted times and hands their alerts to an alert.Sink.
//
// Each rule runs at the times t where t - offset is a multiple of its frequency (counted from
// the Unix epoch), the offset being a stable hash of the rule id modulo the frequency, so that
// rules of the same frequency spread out over it (as Prometheus spreads its rule groups). A
// run for slot t queries the window [t - queryPeriod, t). Slots that pass while a rule cannot
// run (the previous run overran, all run slots were busy) are counted as missed and skipped:
// only the latest due slot runs.
package schedule

// Package stream runs detectors on every event of the ingest stream as it arrives: a durable
// bus consumer decodes each batch, hands it to every Detector (Sigma rules, threat-intelligence
// indicators, decoys), passes the alerts they raise to an alert.Sink, and acknowledges the batch
// only after the sink stored them.
package stream

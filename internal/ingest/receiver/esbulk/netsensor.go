package esbulk

import (
	"bytes"
)

// sensorHints are texts one of which every network sensor document holds; documents without
// them skip the JSON decoding.
var sensorHints = [][]byte{[]byte("suricata"), []byte("zeek"), []byte("event_type"), []byte("id.orig_h")}

// sensor routes item i when it is a Zeek or Suricata record: its rows go to their ASIM (and,
// for Suricata alerts, CommonSecurityLog) tables, and a record that cannot be mapped is a
// reject with the normalizer's reason. It reports false for any other document. The documents
// are those shippers send: Filebeat's zeek and suricata modules (the log line in message,
// event.module set), documents parsed by a pipeline (suricata.eve.*, zeek.<log>.*), or the raw
// EVE or Zeek JSON record; the normalizer is built once per registry (netNormalizers).
func (r *router) sensor(i int, it *Item, o Outcome) (Outcome, bool) {
	if !hasAny(it.Source, sensorHints) {
		return o, false
	}
	if r.net == nil {
		r.net = netNormalizers.get(r.reg)
	}
	if r.net.err != nil {
		return o, false
	}
	format, recs := r.net.v.ShippedRecords(it.Source)
	if format == "" {
		return o, false
	}
	return r.addRecords(i, it, o, recs), true
}

func hasAny(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}

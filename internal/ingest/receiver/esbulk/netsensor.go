package esbulk

import (
	"bytes"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/normalize"
)

// netRoute normalizes the documents of network sensors (Zeek, Suricata) that shippers send:
// Filebeat's zeek and suricata modules (the log line in message, event.module set), documents
// parsed by a pipeline (suricata.eve.*, zeek.<log>.*), or the raw EVE or Zeek JSON record. It
// is built on the first document that may be one.
type netRoute struct {
	n   *normalize.Normalizer
	err error
}

// sensorHints are texts one of which every network sensor document holds; documents without
// them skip the JSON decoding.
var sensorHints = [][]byte{[]byte("suricata"), []byte("zeek"), []byte("event_type"), []byte("id.orig_h")}

// sensor routes item i when it is a Zeek or Suricata record: its rows go to their ASIM (and,
// for Suricata alerts, CommonSecurityLog) tables, and a record that cannot be mapped is a
// reject with the normalizer's reason. It reports false for any other document.
func (r *router) sensor(i int, it *Item, o Outcome) (Outcome, bool) {
	if !hasAny(it.Source, sensorHints) {
		return o, false
	}
	if r.net == nil {
		r.net = &netRoute{}
		r.net.n, r.net.err = normalize.NewNormalizer(r.reg)
	}
	if r.net.err != nil {
		return o, false
	}
	format, recs := r.net.n.ShippedRecords(it.Source)
	if format == "" {
		return o, false
	}
	o.Status = 201
	for _, rec := range recs {
		b := r.batch(rec.Table)
		if rec.Err == nil {
			b.Rows = append(b.Rows, rec.Row)
			continue
		}
		reason := rec.Err.Format + ": " + rec.Err.Reason
		b.Rejects = append(b.Rejects, ingest.RowError{Row: i, Line: it.Line + 1, Reason: reason, Raw: it.Source})
		if o.Status == 201 {
			o.Status, o.ErrType, o.ErrReason = 400, "document_parsing_exception", reason
		}
	}
	return o, true
}

func hasAny(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}

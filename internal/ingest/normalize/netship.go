package normalize

import (
	"strings"
)

// Zeek and Suricata records as shippers send them to the Elasticsearch _bulk API.
//
// Filebeat's zeek and suricata modules send the log line in "message" with event.module
// (zeek or suricata) and event.dataset (zeek.conn, suricata.eve); Elasticsearch's ingest
// pipeline would parse it, but Vigil receives the document before any pipeline. Documents that
// went through a pipeline (Logstash, or Filebeat into an Elasticsearch that forwards) carry the
// parsed record under suricata.eve.* or zeek.<log>.* with the endpoints in ECS fields
// (source.ip, destination.port, network.transport, @timestamp). Vector and Logstash's json
// codec may send the raw record itself as the document. ShippedRecords takes all of these.

// ShippedRecords maps a document a shipper sent to the rows of the Zeek or Suricata record it
// carries. It returns the format's name, or "" (and no records) when the document is not a
// Zeek or Suricata record. A document that claims to be one (event.module) but holds no
// readable record gives an error record.
func (n *Normalizer) ShippedRecords(doc []byte) (string, []Record) {
	o, err := decodeJObj(doc)
	if err != nil {
		return "", nil
	}
	module := strings.ToLower(firstText(o, "event.module", "fileset.module"))
	if eve := o.path("suricata.eve"); eve != nil {
		if rec, ok := eve.(jobj); ok {
			return suricataFormat, n.suricataRecords(withECS(rec, o, suricataECS))
		}
	}
	if z, ok := o.get("zeek").(jobj); ok {
		if kind, rec := zeekShipped(z); rec != nil {
			rec = withECS(rec, o, zeekECS)
			if rec.get("_path") == nil {
				rec = append(jobj{{k: "_path", v: zeekLogOf(kind)}}, rec...)
			}
			return zeekFormat, n.zeekRecords(rec)
		}
	}
	if msg := strings.TrimSpace(firstText(o, "message", "event.original")); strings.HasPrefix(msg, "{") {
		if rec, err := decodeJObj([]byte(msg)); err == nil {
			if format, recs := n.rawNetRecord(rec, module, firstText(o, "event.dataset")); format != "" {
				return format, recs
			}
		}
	}
	if format, recs := n.rawNetRecord(o, "", ""); format != "" {
		return format, recs
	}
	switch module {
	case "suricata":
		return suricataFormat, []Record{n.fail(suricataFormat, asimNetTable, "event.module suricata, but no EVE record in suricata.eve or message")}
	case "zeek":
		return zeekFormat, []Record{n.fail(zeekFormat, asimNetTable, "event.module zeek, but no Zeek record in zeek.* or message")}
	}
	return "", nil
}

// rawNetRecord maps o when it is a Suricata EVE or Zeek JSON record (or the module says it
// is); dataset ("zeek.dns") names the Zeek log when the record has no _path.
func (n *Normalizer) rawNetRecord(o jobj, module, dataset string) (string, []Record) {
	switch {
	case module == "suricata" || o.get("event_type") != nil && o.get("timestamp") != nil && o.get("src_ip") != nil:
		return suricataFormat, n.suricataRecords(o)
	case module == "zeek" || o.get("ts") != nil && o.get("uid") != nil && o.get("id.orig_h") != nil:
		if kind, ok := strings.CutPrefix(dataset, "zeek."); ok && o.get("_path") == nil {
			o = append(jobj{{k: "_path", v: zeekLogOf(kind)}}, o...)
		}
		return zeekFormat, n.zeekRecords(o)
	}
	return "", nil
}

// zeekShipped finds the log object under zeek (zeek.conn, zeek.dns, ...), adding the uid
// Filebeat moves to zeek.session_id.
func zeekShipped(z jobj) (string, jobj) {
	for _, f := range z {
		rec, ok := f.v.(jobj)
		if !ok {
			continue
		}
		rec = append(jobj(nil), rec...)
		if rec.get("uid") == nil && z.get("session_id") != nil {
			rec = append(rec, jfield{k: "uid", v: z.get("session_id")})
		}
		return f.k, rec
	}
	return "", nil
}

// suricataECS and zeekECS name the record member each ECS field fills when the record lacks it.
var (
	suricataECS = [][2]string{
		{"timestamp", "@timestamp"}, {"src_ip", "source.ip"}, {"src_port", "source.port"}, {"dest_ip", "destination.ip"},
		{"dest_port", "destination.port"}, {"proto", "network.transport"}, {"community_id", "network.community_id"},
		{"host", "observer.name"},
	}
	zeekECS = [][2]string{
		{"ts", "@timestamp"}, {"id.orig_h", "source.ip"}, {"id.orig_p", "source.port"}, {"id.resp_h", "destination.ip"},
		{"id.resp_p", "destination.port"}, {"proto", "network.transport"},
	}
)

// withECS returns rec with the members of ecs it lacks taken from the ECS fields of doc.
func withECS(rec, doc jobj, ecs [][2]string) jobj {
	out := rec
	copied := false
	for _, m := range ecs {
		if keyed(rec, m[0]) != nil {
			continue
		}
		v := keyed(doc, m[1])
		if v == nil {
			continue
		}
		if !copied {
			out, copied = append(jobj(nil), rec...), true
		}
		out = append(out, jfield{k: m[0], v: v})
	}
	return out
}

// firstText returns the first non-empty text at keys (dotted paths or flat dotted names).
func firstText(o jobj, keys ...string) string {
	for _, k := range keys {
		if s := jsonText(keyed(o, k)); s != "" {
			return s
		}
	}
	return ""
}

// zeekLogOf is the Zeek log type (_path) of a Filebeat zeek fileset name.
func zeekLogOf(fileset string) string {
	if fileset == "connection" {
		return "conn"
	}
	return fileset
}

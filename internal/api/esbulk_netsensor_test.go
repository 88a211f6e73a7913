package api

import (
	"fmt"
	"strings"
	"testing"
)

// TestESBulkNetworkSensors sends what Filebeat's suricata and zeek modules send to
// Elasticsearch (the log line in message, event.module set, a filebeat-* index) and a
// pipeline-parsed EVE document: the records land in CommonSecurityLog and the ASIM tables,
// an unmapped EVE event_type is answered 400 and kept in IngestionErrors, and an ordinary
// document still lands in Syslog.
func TestESBulkNetworkSensors(t *testing.T) {
	s, pub := newTestServer(t)
	alert := `{"timestamp":"2024-03-10T10:16:02.345678+0000","flow_id":1234567890123456,"in_iface":"eth0","event_type":"alert",` +
		`"src_ip":"192.168.1.10","src_port":49160,"dest_ip":"198.51.100.23","dest_port":80,"proto":"TCP",` +
		`"alert":{"action":"allowed","gid":1,"signature_id":2019401,"rev":4,"signature":"ET POLICY Vulnerable Java Version 1.8.x Detected",` +
		`"category":"Potential Corporate Privacy Violation","severity":1},"app_proto":"http","host":"sensor-1"}`
	conn := `{"ts":1710065730.123456,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"192.168.1.10","id.orig_p":49152,"id.resp_h":"93.184.216.34",` +
		`"id.resp_p":443,"proto":"tcp","service":"ssl","duration":2.5,"orig_bytes":1024,"resp_bytes":8192,"conn_state":"SF"}`
	msg := func(module, dataset, rec string) string {
		return fmt.Sprintf(`{"@timestamp":"2024-03-10T10:16:03.000Z","agent":{"type":"filebeat","version":"8.11.0"},"event":{"module":%q,"dataset":%q},`+
			`"fileset":{"name":%q},"input":{"type":"log"},"log":{"file":{"path":"/var/log/x"}},"message":%q}`,
			module, dataset, strings.TrimPrefix(dataset, module+"."), rec)
	}
	body := strings.Join([]string{
		`{"create":{"_index":"filebeat-8.11.0"}}`, msg("suricata", "suricata.eve", alert),
		`{"create":{"_index":"filebeat-8.11.0"}}`, msg("zeek", "zeek.connection", conn),
		`{"create":{"_index":"logs-suricata"}}`, `{"@timestamp":"2024-03-10T10:16:04Z","suricata":{"eve":{"event_type":"flow","flow_id":9,` +
			`"flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":60,"bytes_toclient":0,"state":"new"}}},` +
			`"source":{"ip":"192.168.1.10","port":5000},"destination":{"ip":"203.0.113.9","port":22},"network":{"transport":"tcp"}}`,
		`{"create":{"_index":"filebeat-8.11.0"}}`, msg("suricata", "suricata.eve", `{"timestamp":"2024-03-10T10:16:05+0000","event_type":"stats","stats":{}}`),
		`{"create":{"_index":"filebeat-8.11.0"}}`, `{"@timestamp":"2024-05-01T10:00:00Z","message":"sshd accepted","host":{"name":"h1"}}`,
	}, "\n") + "\n"
	rec := s.call(call{"POST", "/_bulk", body, basicAuth})
	if rec.Code != 200 {
		t.Fatal(rec.Code, rec.Body)
	}
	got := idRE.ReplaceAllString(rec.Body.String(), "")
	for _, want := range []string{
		`{"create":{"_index":"filebeat-8.11.0",,"_version":1,"result":"created","status":201}},{"create":{"_index":"filebeat-8.11.0",,"_version":1,"result":"created","status":201}},{"create":{"_index":"logs-suricata",,"_version":1,"result":"created","status":201}}`,
		`"status":400,"error":{"type":"document_parsing_exception","reason":"suricata-eve: event_type stats not mapped (want alert, flow, dns, http or tls)"}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("answer %s\nlacks %s", got, want)
		}
	}
	if got, want := pub.tables(), "ASimNetworkSessionLogs:3 CommonSecurityLog:1 IngestionErrors:1 Syslog:1"; got != want {
		t.Errorf("published %q, want %q", got, want)
	}
	for _, c := range []struct{ table, col, want string }{
		{"CommonSecurityLog", "DeviceVendor", "[OISF]"}, {"CommonSecurityLog", "DeviceProduct", "[Suricata]"},
		{"CommonSecurityLog", "Activity", "[ET POLICY Vulnerable Java Version 1.8.x Detected]"},
		{"CommonSecurityLog", "DeviceEventClassID", "[2019401]"}, {"CommonSecurityLog", "LogSeverity", "[High]"},
		{"CommonSecurityLog", "SourceIP", "[192.168.1.10]"}, {"CommonSecurityLog", "DestinationPort", "[80]"},
		{"CommonSecurityLog", "DeviceAction", "[allowed]"}, {"CommonSecurityLog", "DeviceCustomString1Label", "[Category]"},
		{"CommonSecurityLog", "TimeGenerated", "[2024-03-10 10:16:02.345678 +0000 UTC]"},
		{"ASimNetworkSessionLogs", "EventType", "[IDS Flow Flow]"}, {"ASimNetworkSessionLogs", "EventProduct", "[Suricata Zeek Suricata]"},
		{"ASimNetworkSessionLogs", "DstPortNumber", "[80 443 22]"}, {"ASimNetworkSessionLogs", "EventResult", "[Success Success Failure]"},
		{"IngestionErrors", "Source", "[http:/_bulk]"},
	} {
		if got := fmt.Sprint(pub.col(c.table, c.col)); got != c.want {
			t.Errorf("%s.%s = %s, want %s", c.table, c.col, got, c.want)
		}
	}
}

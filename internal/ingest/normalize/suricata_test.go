package normalize

import (
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

func TestSuricataRecords(t *testing.T) {
	n := newTestNormalizer(t)
	want := []string{
		"CommonSecurityLog ASimNetworkSessionLogs", "CommonSecurityLog ASimNetworkSessionLogs", "ASimNetworkSessionLogs",
		"ASimDnsActivityLogs", "ASimDnsActivityLogs", "ASimDnsActivityLogs", "ASimDnsActivityLogs",
		"ASimWebSessionLogs", "ASimNetworkSessionLogs",
		"ASimNetworkSessionLogs!event_type fileinfo not mapped (want alert, flow, dns, http or tls)",
		"ASimNetworkSessionLogs!event_type stats not mapped (want alert, flow, dns, http or tls)",
		`CommonSecurityLog!timestamp: "yesterday" is not a timestamp`,
		"ASimNetworkSessionLogs!missing event_type: not a Suricata EVE record",
		`ASimNetworkSessionLogs!src_port: "70000" is not a port number`,
		"ASimDnsActivityLogs",
	}
	got := summary(normalizeSample(t, n, suricataFormat, "suricata-eve.json"))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSuricataCells(t *testing.T) {
	n := newTestNormalizer(t)
	dyn := func(s string) schema.Dynamic { return schema.Dynamic(s) }
	t0 := at(2024, 3, 10, 10, 16, 2, 345678000)
	tests := []struct {
		name         string
		item, record int
		want         map[string]any
	}{
		{"alert in CommonSecurityLog", 0, 0, map[string]any{
			"TimeGenerated": t0, "DeviceVendor": "OISF", "DeviceProduct": "Suricata",
			"Activity": "ET POLICY Vulnerable Java Version 1.8.x Detected", "DeviceEventClassID": "2019401",
			"LogSeverity": "High", "OriginalLogSeverity": "1", "DeviceAction": "allowed", "SimplifiedDeviceAction": "Allow",
			"DeviceCustomString1": "Potential Corporate Privacy Violation", "DeviceCustomString1Label": "Category",
			"DeviceCustomString2": "1234567890123456", "DeviceCustomString2Label": "FlowId",
			"DeviceCustomString3": "1:wCb3OG7yAFWelaUydu0D+125CLM=", "DeviceCustomString3Label": "CommunityId",
			"SourceIP": "192.168.1.10", "SourcePort": int32(49160), "DestinationIP": "198.51.100.23", "DestinationPort": int32(80),
			"Protocol": "TCP", "ApplicationProtocol": "http", "DeviceName": "sensor-1", "Computer": "sensor-1",
			"DeviceInboundInterface": "eth0", "RequestURL": "/java/check", "RequestMethod": "GET",
			"RequestClientApplication": "Java/1.8.0_151", "DestinationHostName": "update.example.net",
			"AdditionalExtensions": "gid=1;rev=4;tx_id=0",
		}},
		{"alert in ASimNetworkSessionLogs", 0, 1, map[string]any{
			"TimeGenerated": t0, "EventType": "IDS", "EventVendor": "OISF", "EventProduct": "Suricata",
			"ThreatName": "ET POLICY Vulnerable Java Version 1.8.x Detected", "ThreatId": "2019401",
			"ThreatCategory": "Potential Corporate Privacy Violation", "NetworkRuleName": "ET POLICY Vulnerable Java Version 1.8.x Detected",
			"NetworkRuleNumber": int32(2019401), "ThreatOriginalRiskLevel": "1", "EventSeverity": "High", "DvcAction": "Allow",
			"DvcOriginalAction": "allowed", "EventResult": "Success", "NetworkSessionId": "1234567890123456",
			"NetworkApplicationProtocol": "HTTP", "SrcIpAddr": "192.168.1.10", "DstPortNumber": int32(80), "DvcHostname": "sensor-1",
			"DvcInterface": "eth0",
		}},
		{"blocked alert", 1, 0, map[string]any{
			"DeviceAction": "blocked", "SimplifiedDeviceAction": "Deny", "LogSeverity": "Medium", "DestinationHostName": "files.example.cloud",
			"DeviceCustomString3": nil, "DeviceCustomString3Label": nil, "AdditionalExtensions": "gid=1;rev=2",
		}},
		{"blocked alert in ASIM", 1, 1, map[string]any{"DvcAction": "Deny", "EventResult": "Failure", "EventSeverity": "Medium"}},
		{"flow", 2, 0, map[string]any{
			"EventType": "Flow", "TimeGenerated": at(2024, 3, 10, 10, 18, 0, 500000000),
			"EventStartTime": at(2024, 3, 10, 10, 16, 2, 100000000), "EventEndTime": at(2024, 3, 10, 10, 16, 4, 600000000),
			"NetworkDuration": int32(2500), "SrcPackets": int64(6), "DstPackets": int64(5), "NetworkPackets": int64(11),
			"SrcBytes": int64(680), "DstBytes": int64(2210), "NetworkBytes": int64(2890), "TcpFlagsSyn": true, "TcpFlagsFin": true,
			"TcpFlagsRst": nil, "EventResult": "Success", "EventOriginalResultDetails": "closed/timeout",
			"AdditionalFields": dyn(`{"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,"ack":true,"state":"closed"},` +
				`"community_id":"1:wCb3OG7yAFWelaUydu0D+125CLM=","flow":{"age":2,"alerted":true}}`),
		}},
		{"dns v1 query", 3, 0, map[string]any{
			"EventType": "Query", "EventSubType": "request", "EventResult": "NA", "DnsQuery": "www.example.org",
			"DnsQueryTypeName": "A", "DnsQueryType": int32(1), "TransactionIdHex": "3e80", "SrcIpAddr": "192.168.1.10",
			"SrcPortNumber": int32(53211), "DstIpAddr": "192.168.1.1", "DstPortNumber": int32(53), "DnsSessionId": "555000111222333",
		}},
		{"dns v1 answer, endpoints from the client side", 4, 0, map[string]any{
			"EventSubType": "response", "EventResult": "Success", "EventResultDetails": "NOERROR", "DnsResponseCode": int32(0),
			"DnsResponseName": `["93.184.216.34"]`, "SrcIpAddr": "192.168.1.10", "SrcPortNumber": int32(53211),
			"DstIpAddr": "192.168.1.1", "DstPortNumber": int32(53),
		}},
		{"dns v2 grouped answer", 5, 0, map[string]any{
			"DnsQuery": "mail.example.com", "DnsResponseName": `["mx.example.com","203.0.113.25"]`, "DnsFlags": "8180",
			"DnsFlagsRecursionDesired": true, "DnsFlagsRecursionAvailable": true, "TransactionIdHex": "b184", "SrcPortNumber": int32(40200),
		}},
		{"dns v3 NXDOMAIN", 6, 0, map[string]any{
			"DnsQuery": "nonexistent.example", "DnsQueryTypeName": "AAAA", "DnsQueryType": int32(28), "EventResult": "Failure",
			"EventResultDetails": "NXDOMAIN", "DnsResponseCode": int32(3), "DnsResponseName": nil,
		}},
		{"http", 7, 0, map[string]any{
			"EventType": "HTTPsession", "Url": "http://update.example.net:8080/agent/check?v=2", "UrlOriginal": "/agent/check?v=2",
			"HttpHost": "update.example.net", "HttpUserAgent": "curl/8.5.0", "HttpContentType": "text/html",
			"HttpReferrer": "http://portal.example.net/", "HttpRequestMethod": "GET", "HttpVersion": "HTTP/1.1",
			"EventResultDetails": "404", "EventResult": "Failure", "DstBytes": float64(162), "NetworkApplicationProtocol": "HTTP",
			"NetworkSessionId": "1111222233334444", "AdditionalFields": dyn(`{"tx_id":0,"http":{"http_port":8080}}`),
		}},
		{"dns v2 detailed answer without the question", 14, 0, map[string]any{
			"DnsQuery": "www.example.net", "DnsQueryTypeName": nil, "DnsQueryType": nil,
			"DnsResponseName": `["example.net","203.0.113.30"]`, "TransactionIdHex": "485b", "EventResult": "Success",
		}},
		{"tls", 8, 0, map[string]any{
			"EventType": "NetworkSession", "NetworkApplicationProtocol": "TLS", "NetworkProtocolVersion": "TLS 1.3",
			"DstFQDN": "www.example.com", "DstHostname": "www", "DstDomain": "example.com", "EventResult": "Success",
		}},
	}
	items := normalizeSample(t, n, suricataFormat, "suricata-eve.json")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := items[tt.item].Records[tt.record]
			if rec.Err != nil {
				t.Fatal(rec.Err)
			}
			checkSome(t, rec, tt.want)
		})
	}
	if extra := cells(items[8].Records[0].Table, items[8].Records[0].Row)["AdditionalFields"]; !strings.Contains(jsonText(string(extra.(schema.Dynamic))),
		`"ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865"`) || !strings.Contains(string(extra.(schema.Dynamic)), `"sni":"www.example.com"`) {
		t.Errorf("tls AdditionalFields lacks ja3 or sni: %s", extra)
	}
}

func TestShippedRecords(t *testing.T) {
	n := newTestNormalizer(t)
	eve := `{"timestamp":"2024-03-10T10:16:02.345678+0000","flow_id":7,"event_type":"alert","src_ip":"192.168.1.10","src_port":1,` +
		`"dest_ip":"198.51.100.23","dest_port":80,"proto":"TCP","alert":{"action":"allowed","signature_id":2019401,"signature":"ET X","category":"C","severity":2}}`
	quoted := strings.ReplaceAll(eve, `"`, `\"`)
	tests := []struct {
		name, doc string
		format    string
		want      []string // summary of the records
		cells     map[string]any
	}{
		{"filebeat suricata module, raw line in message",
			`{"@timestamp":"2024-03-10T10:16:03Z","event":{"module":"suricata","dataset":"suricata.eve"},"fileset":{"name":"eve"},"message":"` + quoted + `"}`,
			suricataFormat, []string{"CommonSecurityLog", "ASimNetworkSessionLogs"}, map[string]any{"Activity": "ET X", "DeviceEventClassID": "2019401"}},
		{"parsed suricata.eve with ECS endpoints",
			`{"@timestamp":"2024-03-10T10:16:02.345Z","source":{"ip":"192.168.1.10","port":1},"destination":{"ip":"198.51.100.23","port":80},` +
				`"network":{"transport":"tcp","community_id":"1:abc"},"suricata":{"eve":{"event_type":"alert","flow_id":7,` +
				`"alert":{"action":"blocked","signature_id":1,"signature":"S","severity":3}}}}`,
			suricataFormat, []string{"CommonSecurityLog", "ASimNetworkSessionLogs"}, map[string]any{
				"SourceIP": "192.168.1.10", "DestinationPort": int32(80), "Protocol": "tcp", "DeviceCustomString3": "1:abc",
				"TimeGenerated": at(2024, 3, 10, 10, 16, 2, 345000000), "DeviceAction": "blocked", "LogSeverity": "Low"}},
		{"raw EVE as the document", eve, suricataFormat, []string{"CommonSecurityLog", "ASimNetworkSessionLogs"}, nil},
		{"filebeat zeek module, dataset names the log",
			`{"@timestamp":"2024-03-10T10:15:31Z","event":{"module":"zeek","dataset":"zeek.dns"},"message":"{\"ts\":1710065731.0,\"uid\":\"C1\",` +
				`\"id.orig_h\":\"192.168.1.10\",\"id.orig_p\":5353,\"id.resp_h\":\"192.168.1.1\",\"id.resp_p\":53,\"proto\":\"udp\",\"query\":\"a.example\"}"}`,
			zeekFormat, []string{"ASimDnsActivityLogs"}, map[string]any{"DnsQuery": "a.example", "DnsSessionId": "C1"}},
		{"parsed zeek.conn with session_id",
			`{"@timestamp":"2024-03-10T10:15:30.5Z","source":{"ip":"10.0.0.1","port":40000},"destination":{"ip":"10.0.0.2","port":443},` +
				`"network":{"transport":"tcp"},"zeek":{"session_id":"CZ1","connection":{"state":"SF","conn_state":"SF","history":"ShADadFf"}}}`,
			zeekFormat, []string{"ASimNetworkSessionLogs"}, map[string]any{
				"NetworkSessionId": "CZ1", "SrcIpAddr": "10.0.0.1", "DstPortNumber": int32(443), "EventResult": "Success",
				"TimeGenerated": at(2024, 3, 10, 10, 15, 30, 500000000)}},
		{"filebeat zeek connection fileset",
			`{"event":{"module":"zeek","dataset":"zeek.connection"},"message":"{\"ts\":1710065731.0,\"uid\":\"C2\",\"id.orig_h\":\"192.168.1.10\",` +
				`\"id.orig_p\":1,\"id.resp_h\":\"192.168.1.1\",\"id.resp_p\":53,\"proto\":\"udp\"}"}`,
			zeekFormat, []string{"ASimNetworkSessionLogs"}, map[string]any{"EventType": "Flow", "NetworkSessionId": "C2"}},
		{"filebeat zeek files fileset", `{"event":{"module":"zeek","dataset":"zeek.files"},"message":"{\"ts\":1710065731.0,\"fuid\":\"F1\"}"}`,
			zeekFormat, []string{"ASimNetworkSessionLogs!Zeek log files not mapped (want conn, dns, http or ssl)"}, nil},
		{"module without a record", `{"@timestamp":"2024-03-10T10:15:30Z","event":{"module":"suricata"},"message":"not json"}`,
			suricataFormat, []string{"ASimNetworkSessionLogs!event.module suricata, but no EVE record in suricata.eve or message"}, nil},
		{"unmapped event type is an error", `{"event":{"module":"suricata"},"message":"{\"timestamp\":\"2024-03-10T10:15:30Z\",\"event_type\":\"stats\"}"}`,
			suricataFormat, []string{"ASimNetworkSessionLogs!event_type stats not mapped (want alert, flow, dns, http or tls)"}, nil},
		{"other documents are not sensor records", `{"@timestamp":"2024-03-10T10:15:30Z","message":"sshd accepted","event":{"module":"system"}}`, "", nil, nil},
		{"not JSON", `nope`, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, recs := n.ShippedRecords([]byte(tt.doc))
			got := ""
			if recs != nil {
				got = summary([]Item{{Records: recs}})[0]
			}
			if format != tt.format || got != strings.Join(tt.want, " ") {
				t.Fatalf("got %s %q, want %s %q", format, got, tt.format, tt.want)
			}
			for _, rec := range recs {
				checkRecord(t, rec)
			}
			if tt.cells != nil {
				checkSome(t, recs[0], tt.cells)
			}
		})
	}
}

// FuzzSuricata runs the suricata-eve format and the shipped-document path over arbitrary
// input: no panics, and every record either an error with a reason or a row of valid values.
func FuzzSuricata(f *testing.F) {
	n := newTestNormalizer(f)
	b := readSample(f, "suricata-eve.json")
	f.Add(b)
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" {
			f.Add([]byte(line))
		}
	}
	f.Add([]byte(`{"event":{"module":"suricata"},"suricata":{"eve":{"event_type":"dns","dns":{"type":"answer","answers":[1,{"rdata":2}],"grouped":{"A":3}}}}}`))
	f.Add([]byte(`{"zeek":{"session_id":1,"x":{"ts":"1","id.orig_h":"::1"}},"source":{"port":-1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := n.Normalize(suricataFormat, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			for _, rec := range it.Records {
				checkRecord(t, rec)
			}
		}
		if _, recs := n.ShippedRecords(b); recs != nil {
			for _, rec := range recs {
				checkRecord(t, rec)
			}
		}
	})
}

// BenchmarkNormalizeSuricata measures the suricata-eve format on its sample; ns/event is per
// EVE record (an alert makes two rows).
func BenchmarkNormalizeSuricata(b *testing.B) {
	n := newTestNormalizer(b)
	data := readSample(b, "suricata-eve.json")
	items := normalizeSample(b, n, suricataFormat, "suricata-eve.json")
	benchNormalize(b, n, suricataFormat, data, len(items), "ns/event")
}

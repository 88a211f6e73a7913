package normalize

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

// normalizeSample normalizes testdata/formats/file as format and checks every record.
func normalizeSample(t testing.TB, n *Normalizer, format, file string) []Item {
	t.Helper()
	b := readSample(t, file)
	items, err := n.Normalize(format, b)
	if err != nil {
		t.Fatal(err)
	}
	if tt, ok := t.(*testing.T); ok {
		for _, it := range items {
			for _, rec := range it.Records {
				checkRecord(tt, rec)
			}
		}
	}
	return items
}

func TestZeekRecords(t *testing.T) {
	n := newTestNormalizer(t)
	tests := []struct {
		file string
		want []string
	}{
		{"zeek.json", []string{
			"ASimNetworkSessionLogs", "ASimNetworkSessionLogs", "ASimNetworkSessionLogs",
			"ASimDnsActivityLogs", "ASimDnsActivityLogs", "ASimWebSessionLogs", "ASimWebSessionLogs", "ASimNetworkSessionLogs",
			"ASimNetworkSessionLogs!Zeek log files not mapped (want conn, dns, http or ssl)",
			`ASimNetworkSessionLogs!id.orig_h: "not-an-ip" is not an IP address`,
			"ASimNetworkSessionLogs!ts: missing time",
			"ASimNetworkSessionLogs!json: unexpected EOF",
		}},
		{"zeek-tsv.log", []string{
			"ASimNetworkSessionLogs", "ASimNetworkSessionLogs", "ASimNetworkSessionLogs!tsv: 4 fields, #fields names 21",
			"ASimDnsActivityLogs", "ASimDnsActivityLogs",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := summary(normalizeSample(t, n, zeekFormat, tt.file))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestZeekCells(t *testing.T) {
	n := newTestNormalizer(t)
	dyn := func(s string) schema.Dynamic { return schema.Dynamic(s) }
	conn := map[string]any{
		"TimeGenerated": at(2024, 3, 10, 10, 15, 30, 123456000), "EventStartTime": at(2024, 3, 10, 10, 15, 30, 123456000),
		"EventEndTime": at(2024, 3, 10, 10, 15, 32, 635456000), "NetworkDuration": int32(2512),
		"SrcIpAddr": "192.168.1.10", "SrcPortNumber": int32(49152), "DstIpAddr": "93.184.216.34", "DstPortNumber": int32(443),
		"NetworkProtocol": "TCP", "NetworkApplicationProtocol": "SSL", "SrcBytes": int64(1024), "DstBytes": int64(8192),
		"NetworkBytes": int64(9216), "SrcPackets": int64(12), "DstPackets": int64(14), "NetworkPackets": int64(26),
		"NetworkSessionId": "CHhAvVGS1DHFjwGM9", "EventOriginalUid": "CHhAvVGS1DHFjwGM9", "NetworkConnectionHistory": "ShADadFf",
		"EventResult": "Success", "EventResultDetails": "Terminated", "EventOriginalResultDetails": "Normal establishment and termination",
		"EventSeverity": "Informational", "NetworkDirection": "Outbound", "EventType": "Flow", "EventVendor": "Zeek",
		"EventProduct": "Zeek", "EventCount": int32(1), "EventSchemaVersion": "0.2.6",
	}
	tests := []struct {
		name         string
		file         string
		item, record int
		want         map[string]any
	}{
		{"conn JSON", "zeek.json", 0, 0, withCells(conn, map[string]any{
			"AdditionalFields": dyn(`{"_path":"conn","missed_bytes":0,"orig_ip_bytes":1648,"resp_ip_bytes":8924,"community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg="}`),
		})},
		{"conn TSV is the same connection", "zeek-tsv.log", 0, 0, withCells(conn, map[string]any{
			"AdditionalFields": dyn(`{"_path":"conn","missed_bytes":0,"orig_ip_bytes":1648,"resp_ip_bytes":8924,"tunnel_parents":[]}`),
		})},
		{"conn without _path, ISO ts", "zeek.json", 1, 0, map[string]any{
			"TimeGenerated": at(2024, 3, 10, 10, 15, 31, 200000), "NetworkProtocol": "UDP", "NetworkApplicationProtocol": "DNS",
			"NetworkDirection": "Local", "NetworkDuration": int32(12), "DstPortNumber": int32(53),
		}},
		{"conn rejected", "zeek.json", 2, 0, map[string]any{
			"EventResult": "Failure", "EventResultDetails": "Rejected", "EventSeverity": "Low", "NetworkDirection": "Inbound",
			"NetworkDuration": nil, "SrcBytes": nil, "NetworkApplicationProtocol": nil, "EventEndTime": at(2024, 3, 10, 10, 15, 40, 500000000),
		}},
		{"conn TSV with unset fields", "zeek-tsv.log", 1, 0, map[string]any{
			"SrcIpAddr": "192.168.1.12", "DstIpAddr": "198.51.100.99", "NetworkApplicationProtocol": nil, "NetworkDuration": nil,
			"SrcBytes": nil, "SrcPackets": int64(1), "DstPackets": int64(0), "EventOriginalResultDetails": "Connection attempt seen, no reply",
			"TimeGenerated": at(2024, 3, 10, 10, 15, 50, 1000),
		}},
		{"dns answered", "zeek.json", 3, 0, map[string]any{
			"DnsQuery": "www.example.com", "DnsQueryType": int32(1), "DnsQueryTypeName": "A", "DnsQueryClass": int32(1),
			"DnsQueryClassName": "C_INTERNET", "DnsResponseCode": int32(0), "EventResultDetails": "NOERROR", "EventResult": "Success",
			"DnsResponseName": `["93.184.216.34"]`, "TransactionIdHex": "beef", "DnsNetworkDuration": int32(12),
			"DnsFlagsRecursionDesired": true, "DnsFlagsRecursionAvailable": true, "DnsFlagsAuthoritative": false, "DnsFlagsZ": false,
			"SrcIpAddr": "192.168.1.10", "SrcPortNumber": int32(53211), "DstIpAddr": "192.168.1.1", "DstPortNumber": int32(53),
			"NetworkProtocol": "UDP", "DnsSessionId": "C4J4Th3PJpwUYZZ6gc", "EventType": "Query", "EventSubType": "response",
			"EventSchemaVersion": "0.1.7", "AdditionalFields": dyn(`{"_path":"dns","TTLs":[3600.0],"rejected":false}`),
		}},
		{"dns NXDOMAIN", "zeek.json", 4, 0, map[string]any{
			"DnsQuery": "c2.badexample.test", "DnsQueryTypeName": "TXT", "DnsResponseCode": int32(3), "EventResultDetails": "NXDOMAIN",
			"EventResult": "Failure", "DnsResponseName": nil, "TransactionIdHex": "4b1",
		}},
		{"dns TSV with escape and vector", "zeek-tsv.log", 3, 0, map[string]any{
			"DnsQuery": "mail\todd.example.com", "DnsQueryTypeName": "AAAA", "DnsQueryType": int32(28),
			"DnsResponseName": `["mx.example.com","2001:db8::25"]`, "TransactionIdHex": "7", "DnsNetworkDuration": int32(1),
		}},
		{"dns TSV without answer", "zeek-tsv.log", 4, 0, map[string]any{
			"EventSubType": "request", "EventResult": "NA", "DnsResponseCode": nil, "EventResultDetails": nil, "DnsFlagsRecursionAvailable": false,
		}},
		{"http", "zeek.json", 5, 0, map[string]any{
			"Url": "http://update.example.net:8080/agent/check?v=2", "UrlOriginal": "/agent/check?v=2", "HttpRequestMethod": "GET",
			"HttpHost": "update.example.net", "HttpReferrer": "http://portal.example.net/", "HttpUserAgent": "curl/8.5.0",
			"HttpVersion": "1.1", "HttpContentType": "text/html", "EventResultDetails": "200", "EventOriginalResultDetails": "OK",
			"EventResult": "Success", "SrcBytes": float64(0), "DstBytes": float64(1256), "DstFQDN": "update.example.net",
			"DstHostname": "update", "DstDomain": "example.net", "EventType": "HTTPsession", "EventSchema": "WebSession",
			"NetworkSessionId": "CvdBrX2JxcmpTDnKS8", "DstPortNumber": int32(8080), "NetworkApplicationProtocol": "HTTP",
		}},
		{"http forbidden upload", "zeek.json", 6, 0, map[string]any{
			"Url": "http://update.example.net/upload.php", "HttpRequestMethod": "POST", "EventResultDetails": "403",
			"EventResult": "Failure", "SrcBytes": float64(40960), "HttpReferrer": nil,
		}},
		{"ssl", "zeek.json", 7, 0, map[string]any{
			"NetworkApplicationProtocol": "TLS", "NetworkProtocolVersion": "TLSv13", "DstFQDN": "www.example.com", "DstHostname": "www",
			"DstDomain": "example.com", "DstDomainType": "FQDN", "EventResult": "Success", "EventType": "NetworkSession",
			"NetworkSessionId": "CHhAvVGS1DHFjwGM9", "DstPortNumber": int32(443), "NetworkProtocol": nil,
			"AdditionalFields": dyn(`{"_path":"ssl","cipher":"TLS_AES_128_GCM_SHA256","curve":"x25519","server_name":"www.example.com","resumed":false,"ssl_history":"CsiI"}`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := normalizeSample(t, n, zeekFormat, tt.file)
			rec := items[tt.item].Records[tt.record]
			if rec.Err != nil {
				t.Fatal(rec.Err)
			}
			checkSome(t, rec, tt.want)
		})
	}
}

// withCells returns base with more added.
func withCells(base, more map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(more))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

func TestZeekTSV(t *testing.T) {
	n := newTestNormalizer(t)
	const head = "#separator \\x09\n#path\tconn\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tlocal_orig\n" +
		"#types\ttime\taddr\tport\taddr\tport\tenum\tbool\n"
	tests := []struct {
		name, in string
		want     []string // Raw or "!reason" of each item
	}{
		{"record as Zeek JSON", head + "1710065730.5\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\tT\n",
			[]string{`{"_path":"conn","ts":1710065730.5,"id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"tcp","local_orig":true}`}},
		{"CRLF and unset", head + "1710065730.5\t10.0.0.1\t-\t10.0.0.2\t2\ttcp\t-\r\n",
			[]string{`{"_path":"conn","ts":1710065730.5,"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"tcp"}`}},
		{"bad bool", head + "1710065730.5\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\tyes\n",
			[]string{`!tsv: field local_orig: "yes" is not T or F`}},
		{"bad number", head + "NaN\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\tT\n",
			[]string{`!tsv: field ts: "NaN" is not a time`}},
		{"data before #fields", "#separator \\x09\n#path\tconn\n1\t2\n", []string{"!neither a JSON object nor a TSV line after a #fields header"}},
		{"JSON lines between TSV logs", "{\"ts\":1}\n#fields\tts\n#types\ttime\n2\n{\"ts\":3}\n{bad\n", []string{
			`{"ts":1}`, `{"ts":2}`, `{"ts":3}`, "!json: invalid character 'b'"}},
		{"JSON array", `[{"ts":1},2]`, []string{`{"ts":1}`, "!record 1 is not a JSON object"}},
		{"empty separator keeps the tab", "#separator \n#fields\tts\n#types\ttime\n1.5\n", []string{`{"ts":1.5}`}},
		{"comma separator", "#separator \\x2c\n#fields,ts,uid\n#types,time,string\n1.0,C\\x2cx\n",
			[]string{`{"ts":1.0,"uid":"C,x"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, it := range splitZeek([]byte(tt.in)) {
				if it.Err != nil {
					got = append(got, "!"+it.Err.Error())
					continue
				}
				got = append(got, string(it.Raw))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	// A TSV record's Raw is Zeek JSON that maps to the same row (the CLI sends Raw on).
	items, err := n.Normalize(zeekFormat, []byte(head+"1710065730.5\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\tT\n"))
	if err != nil || len(items) != 1 {
		t.Fatal(err, items)
	}
	again, err := n.Normalize(zeekFormat, items[0].Raw)
	if err != nil || len(again) != 1 {
		t.Fatal(err, again)
	}
	a, b := cells(items[0].Records[0].Table, items[0].Records[0].Row), cells(again[0].Records[0].Table, again[0].Records[0].Row)
	for k, v := range a {
		if !reflect.DeepEqual(v, b[k]) {
			t.Errorf("%s: TSV %v, JSON %v", k, v, b[k])
		}
	}
}

func TestParseNetTime(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"1710065730.123456", "2024-03-10T10:15:30.123456Z"},
		{"1710065730", "2024-03-10T10:15:30Z"},
		{"2024-03-10T10:15:30.123456+0000", "2024-03-10T10:15:30.123456Z"},
		{"2024-03-10T11:15:30.5+01:00", "2024-03-10T10:15:30.5Z"},
		{"2024-03-10T10:15:30.000001Z", "2024-03-10T10:15:30.000001Z"},
		{"-1", `!"-1" is not a timestamp`},
		{"1.0000000001", `!"1.0000000001" is not a timestamp`},
		{"1.+5", `!"1.+5" is not a timestamp`},
		{"", "!missing time"},
	}
	for _, tt := range tests {
		got, err := parseNetTime(tt.in)
		s := got.Format("2006-01-02T15:04:05.999999999Z07:00")
		if err != nil {
			s = "!" + err.Error()
		}
		if s != tt.want {
			t.Errorf("%v: got %s, want %s", tt.in, s, tt.want)
		}
	}
}

// FuzzZeek runs the zeek format over arbitrary input, TSV and JSON: no panics, and every
// record either an error with a reason or a row of valid values.
func FuzzZeek(f *testing.F) {
	n := newTestNormalizer(f)
	for _, file := range []string{"zeek.json", "zeek-tsv.log"} {
		b := readSample(f, file)
		f.Add(b)
	}
	f.Add([]byte("#separator \\x\n#fields\t\n\n#types\tset[\n(empty)\n"))
	f.Add([]byte("#separator \\x2c\n#fields,ts,answers\n#types,time,vector[count]\n1,(empty)\n2,1\\x2c2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := n.Normalize(zeekFormat, b)
		checkItems(t, b, items, err)
	})
}

// BenchmarkNormalizeZeek measures the zeek format on its samples (JSON and TSV); ns/event is
// per source record.
func BenchmarkNormalizeZeek(b *testing.B) {
	n := newTestNormalizer(b)
	for _, file := range []string{"zeek.json", "zeek-tsv.log"} {
		data := readSample(b, file)
		items := normalizeSample(b, n, zeekFormat, file)
		b.Run(file, func(b *testing.B) {
			benchNormalize(b, n, zeekFormat, data, len(items), "ns/event")
		})
	}
}

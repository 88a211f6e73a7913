package normalize

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Zeek ("zeek").
//
// Input: Zeek's conn.log, dns.log, http.log and ssl.log, either as Zeek JSON (LogAscii::use_json,
// one object per line; ts as epoch seconds or ISO 8601; the log type in _path, or else told
// by the fields the record carries) or as Zeek TSV (the default ASCII writer: #separator,
// #set_separator, #empty_field, #unset_field, #path, #fields and #types headers; "-" unset and
// "(empty)" empty markers; \xNN escapes), see zeektsv.go. Several logs may follow each other in
// one input.
//
// conn and ssl become ASimNetworkSessionLogs rows, dns ASimDnsActivityLogs, http
// ASimWebSessionLogs, with the ASIM values Microsoft's Zeek (Corelight) parsers use
// (EventType Flow for conn, conn_state to EventResult). Fields without a column are kept in
// AdditionalFields. Other log types (files, x509, notice, weird, ...) are rejected with the
// reason "Zeek log X not mapped" and reach IngestionErrors.

const zeekFormat = "zeek"

// zeekSpec maps one Zeek log type.
type zeekSpec struct {
	table, eventType, version string
	cols                      [][2]string // column, source field
	used                      map[string]bool
	fill                      func(r jrow, o jobj, t time.Time) error
}

// zeekEndNames are the Zeek fields of the endpoints, as errors name them.
var zeekEndNames = [4]string{"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"}

// zeekCommon are the fields every mapped log carries and the mapper reads itself.
var zeekCommon = []string{"_path", "_write_ts", "ts", "uid", "id", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"}

var zeekSpecs = map[string]*zeekSpec{
	"conn": newZeekSpec(asimNetTable, "Flow", asimNetVersion, [][2]string{
		{"NetworkSessionId", "uid"}, {"EventOriginalUid", "uid"}, {"SrcBytes", "orig_bytes"}, {"DstBytes", "resp_bytes"},
		{"SrcPackets", "orig_pkts"}, {"DstPackets", "resp_pkts"}, {"NetworkConnectionHistory", "history"},
		{"SrcMacAddr", "orig_l2_addr"}, {"DstMacAddr", "resp_l2_addr"}, {"DstVlanId", "vlan"}, {"SrcVlanId", "inner_vlan"},
	}, zeekConn, "duration", "service", "conn_state", "local_orig", "local_resp"),
	"dns": newZeekSpec(asimDNSTable, "Query", asimDNSVersion, [][2]string{
		{"DnsSessionId", "uid"}, {"EventOriginalUid", "uid"}, {"DnsQuery", "query"}, {"DnsQueryClass", "qclass"},
		{"DnsQueryClassName", "qclass_name"}, {"DnsQueryType", "qtype"}, {"DnsQueryTypeName", "qtype_name"},
		{"DnsResponseCode", "rcode"}, {"EventResultDetails", "rcode_name"}, {"DnsFlagsAuthoritative", "AA"},
		{"DnsFlagsTruncated", "TC"}, {"DnsFlagsRecursionDesired", "RD"}, {"DnsFlagsRecursionAvailable", "RA"},
	}, zeekDNS, "trans_id", "rtt", "answers", "Z"),
	"http": newZeekSpec(asimWebTable, "HTTPsession", asimWebVersion, [][2]string{
		{"NetworkSessionId", "uid"}, {"EventOriginalUid", "uid"}, {"HttpRequestMethod", "method"}, {"HttpHost", "host"},
		{"UrlOriginal", "uri"}, {"HttpReferrer", "referrer"}, {"HttpVersion", "version"}, {"HttpUserAgent", "user_agent"},
		{"SrcBytes", "request_body_len"}, {"DstBytes", "response_body_len"}, {"EventResultDetails", "status_code"},
		{"EventOriginalResultDetails", "status_msg"}, {"SrcUsername", "username"},
	}, zeekHTTP, "resp_mime_types"),
	"ssl": newZeekSpec(asimNetTable, "NetworkSession", asimNetVersion, [][2]string{
		{"NetworkSessionId", "uid"}, {"EventOriginalUid", "uid"}, {"NetworkProtocolVersion", "version"},
	}, zeekSSL, "established"),
}

func newZeekSpec(table, eventType, version string, cols [][2]string, fill func(jrow, jobj, time.Time) error, more ...string) *zeekSpec {
	return &zeekSpec{table: table, eventType: eventType, version: version, cols: cols,
		used: usedKeys(cols, append(more, zeekCommon...)...), fill: fill}
}

// zeekLogType returns the log type of a record: its _path, or the one its fields tell.
func zeekLogType(o jobj) string {
	if p := o.str("_path"); p != "" {
		return p
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if o.get(k) != nil {
				return true
			}
		}
		return false
	}
	switch {
	case has("conn_state", "orig_pkts", "history"):
		return "conn"
	case has("qtype_name", "rcode_name", "trans_id"):
		return "dns"
	case has("method", "status_code", "user_agent", "request_body_len"):
		return "http"
	case has("server_name", "cipher", "established", "ja3"):
		return "ssl"
	}
	return ""
}

// zeekRecords maps one Zeek record to its row.
func (n *Normalizer) zeekRecords(o jobj) []Record {
	kind := zeekLogType(o)
	spec := zeekSpecs[kind]
	if spec == nil {
		reason := "Zeek log " + kind + " not mapped (want conn, dns, http or ssl)"
		if kind == "" {
			reason = "not a Zeek conn, dns, http or ssl record: no _path, and no field that tells the log"
		}
		return []Record{n.fail(zeekFormat, asimNetTable, reason)}
	}
	t, err := parseNetTime(keyed(o, "ts"))
	if err != nil {
		return []Record{n.fail(zeekFormat, spec.table, "ts: "+err.Error())}
	}
	r := n.row(spec.table)
	r.setValue("TimeGenerated", t)
	r.setValue("EventStartTime", t)
	r.setValue("EventEndTime", t)
	ends := netEnds{srcIP: jsonText(keyed(o, "id.orig_h")), srcPort: keyed(o, "id.orig_p"),
		dstIP: jsonText(keyed(o, "id.resp_h")), dstPort: keyed(o, "id.resp_p"), proto: o.str("proto")}
	if err := r.putEnds(ends, zeekEndNames); err != nil {
		return []Record{n.fail(zeekFormat, spec.table, err.Error())}
	}
	if err := r.putAll(o, spec.cols); err != nil {
		return []Record{n.fail(zeekFormat, spec.table, err.Error())}
	}
	r.putEvent("Zeek", "Zeek", spec.eventType, spec.version)
	if err := spec.fill(r, o, t); err != nil {
		return []Record{n.fail(zeekFormat, spec.table, err.Error())}
	}
	r.putExtra(keep(jobj{{k: "_path", v: kind}}, o, spec.used))
	return []Record{r.done(zeekFormat)}
}

// zeekConnStates maps conn_state to EventResult, EventResultDetails, EventOriginalResultDetails
// and EventSeverity, as Microsoft's ASIM parser for Zeek connection logs does.
var zeekConnStates = map[string][4]string{
	"S0":     {"Success", "", "Connection attempt seen, no reply", "Informational"},
	"S1":     {"Success", "", "Connection established, not terminated", "Informational"},
	"SF":     {"Success", "Terminated", "Normal establishment and termination", "Informational"},
	"REJ":    {"Failure", "Rejected", "Connection attempt rejected", "Low"},
	"S2":     {"Failure", "Terminated", "Connection established and close attempt by originator seen (but no reply from responder)", "Low"},
	"S3":     {"Failure", "Terminated", "Connection established and close attempt by responder seen (but no reply from originator)", "Low"},
	"RSTO":   {"Failure", "Reset", "Connection established, originator aborted (sent a RST)", "Low"},
	"RSTR":   {"Failure", "Reset", "Responder sent a RST", "Low"},
	"RSTOS0": {"Failure", "Reset", "Originator sent a SYN followed by a RST, no SYN-ACK from the responder", "Low"},
	"RSTRH":  {"Failure", "Reset", "Responder sent a SYN ACK followed by a RST, no SYN from the originator", "Low"},
	"SH":     {"Failure", "Timeout", "Originator sent a SYN followed by a FIN, no SYN ACK from the responder", "Low"},
	"SHR":    {"Failure", "Timeout", "Responder sent a SYN ACK followed by a FIN, no SYN from the originator", "Low"},
	"OTH":    {"Success", "", "No SYN seen, just midstream traffic", "Informational"},
}

// zeekDirections maps local_orig and local_resp to NetworkDirection.
var zeekDirections = map[[2]string]string{
	{"false", "true"}: "Inbound", {"true", "false"}: "Outbound", {"true", "true"}: "Local", {"false", "false"}: "Local",
}

func zeekConn(r jrow, o jobj, t time.Time) error {
	if d := o.get("duration"); d != nil {
		ms, ok := parseSeconds(d)
		if !ok {
			return errors.New("duration: " + strconv.Quote(clip(jsonText(d))) + " is not a number of seconds")
		}
		r.setValue("NetworkDuration", ms)
		r.setValue("EventEndTime", t.Add(time.Duration(ms)*time.Millisecond))
	}
	r.set("NetworkApplicationProtocol", strings.ToUpper(o.str("service")))
	state := o.str("conn_state")
	res, ok := zeekConnStates[state]
	if !ok {
		res = [4]string{"NA", "", state, "Informational"}
	}
	r.set("EventResult", res[0])
	r.set("EventResultDetails", res[1])
	r.set("EventOriginalResultDetails", res[2])
	r.set("EventSeverity", res[3])
	r.set("NetworkDirection", zeekDirections[[2]string{o.str("local_orig"), o.str("local_resp")}])
	r.setValue("NetworkBytes", sumLongs(o.get("orig_bytes"), o.get("resp_bytes")))
	r.setValue("NetworkPackets", sumLongs(o.get("orig_pkts"), o.get("resp_pkts")))
	return nil
}

func zeekDNS(r jrow, o jobj, _ time.Time) error {
	if id := o.get("trans_id"); id != nil {
		n, err := strconv.ParseUint(jsonText(id), 10, 16)
		if err != nil {
			return errors.New("trans_id: " + strconv.Quote(clip(jsonText(id))) + " is not a DNS transaction id")
		}
		r.setValue("TransactionIdHex", strconv.FormatUint(n, 16))
	}
	if v := o.get("rtt"); v != nil {
		if ms, ok := parseSeconds(v); ok {
			r.setValue("DnsNetworkDuration", ms)
		}
	}
	if z := o.get("Z"); z != nil {
		r.setValue("DnsFlagsZ", jsonText(z) != "0")
	}
	if a, ok := o.get("answers").([]any); ok && len(a) > 0 {
		r.setValue("DnsResponseName", jsonText(a))
	}
	switch o.str("rcode") {
	case "":
		r.set("EventSubType", "request")
		r.set("EventResult", "NA")
	case "0":
		r.set("EventSubType", "response")
		r.set("EventResult", "Success")
	default:
		r.set("EventSubType", "response")
		r.set("EventResult", "Failure")
	}
	return nil
}

func zeekHTTP(r jrow, o jobj, _ time.Time) error {
	r.setValue("EventSchema", "WebSession")
	r.setValue("NetworkApplicationProtocol", "HTTP")
	r.set("Url", httpURL("http", o.str("host"), o.str("uri"), keyed(o, "id.resp_p"), "80"))
	r.putFQDN(o.str("host"))
	if m, ok := o.get("resp_mime_types").([]any); ok && len(m) > 0 {
		r.set("HttpContentType", jsonText(m[0]))
	}
	r.set("EventResult", httpResult(o.str("status_code")))
	return nil
}

func zeekSSL(r jrow, o jobj, _ time.Time) error {
	r.setValue("NetworkApplicationProtocol", "TLS")
	r.putFQDN(o.str("server_name"))
	switch o.str("established") {
	case "true":
		r.set("EventResult", "Success")
	case "false":
		r.set("EventResult", "Failure")
		r.set("EventResultDetails", "Handshake not completed")
	default:
		r.set("EventResult", "NA")
	}
	return nil
}

// httpURL builds the request URL from the Host header and the request target (which may
// already be absolute, as proxies receive it).
func httpURL(scheme, host, uri string, port any, defPort string) string {
	if uri == "" || strings.Contains(uri, "://") || host == "" {
		return uri
	}
	if p := jsonText(port); p != "" && p != defPort && !strings.Contains(host, ":") {
		host += ":" + p
	}
	if !strings.HasPrefix(uri, "/") {
		uri = "/" + uri
	}
	return scheme + "://" + host + uri
}

// httpResult is EventResult for an HTTP status code: ASIM counts 4xx and 5xx as failures.
func httpResult(status string) string {
	n, err := strconv.Atoi(status)
	switch {
	case err != nil:
		return "NA"
	case n >= 400:
		return "Failure"
	default:
		return "Success"
	}
}

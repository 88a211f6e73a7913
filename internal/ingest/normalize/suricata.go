package normalize

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Suricata EVE JSON ("suricata-eve").
//
// Input: eve.json as Suricata writes it, one object per line: timestamp
// ("2024-03-10T10:15:30.123456+0000"), flow_id, in_iface, event_type, src_ip, src_port,
// dest_ip, dest_port, proto, app_proto, community_id, host, and the object named by event_type.
//
//   - alert → a CommonSecurityLog row (DeviceVendor OISF, DeviceProduct Suricata, Activity =
//     signature, DeviceEventClassID = signature_id, LogSeverity from severity, DeviceAction =
//     allowed/blocked, DeviceCustomString1 = category, 2 = flow_id, 3 = community_id) and an
//     ASimNetworkSessionLogs row of EventType IDS (ThreatName, ThreatId, ThreatCategory,
//     NetworkRuleName, DvcAction Allow/Deny), so that both CEF-era and ASIM content see it.
//   - flow → ASimNetworkSessionLogs (EventType Flow: packets, bytes, start/end, TCP flags).
//   - dns → ASimDnsActivityLogs: EVE dns v1 (a record per query and per answer), v2 (answers
//     in one response record, "grouped") and v3 ("queries" array, type request/response).
//     Responses are logged by Suricata in the server-to-client direction; their endpoints are
//     swapped so that SrcIpAddr is the client, as ASIM wants.
//   - http → ASimWebSessionLogs; tls → ASimNetworkSessionLogs (sni, version; ja3/ja3s and
//     the certificate fields in AdditionalFields).
//
// Any other event_type (fileinfo, anomaly, stats, netflow, smb, ...) is rejected with the
// reason "event_type X not mapped" and reaches IngestionErrors, never dropped silently.

const suricataFormat = "suricata-eve"

// suricataEndNames are the EVE fields of the endpoints, as errors name them.
var suricataEndNames = [4]string{"src_ip", "src_port", "dest_ip", "dest_port"}

// suricataCommon are the top-level members the mappers read themselves.
var suricataCommon = []string{"timestamp", "flow_id", "in_iface", "event_type", "src_ip", "src_port", "dest_ip",
	"dest_port", "proto", "app_proto", "host"}

type suricataMapper func(n *Normalizer, o jobj, t time.Time) []Record

var suricataMappers = map[string]suricataMapper{
	"alert": (*Normalizer).suricataAlert,
	"flow":  (*Normalizer).suricataFlow,
	"dns":   (*Normalizer).suricataDNS,
	"http":  (*Normalizer).suricataHTTP,
	"tls":   (*Normalizer).suricataTLS,
}

// suricataRecords maps one EVE record to its rows.
func (n *Normalizer) suricataRecords(o jobj) []Record {
	et := o.str("event_type")
	m := suricataMappers[et]
	if m == nil {
		reason := "event_type " + et + " not mapped (want alert, flow, dns, http or tls)"
		if et == "" {
			reason = "missing event_type: not a Suricata EVE record"
		}
		return []Record{n.fail(suricataFormat, asimNetTable, reason)}
	}
	t, err := parseNetTime(o.get("timestamp"))
	if err != nil {
		table := asimNetTable
		if et == "alert" {
			table = CEFTable
		}
		return []Record{n.fail(suricataFormat, table, "timestamp: "+err.Error())}
	}
	return m(n, o, t)
}

// suricataEnds are the record's endpoints; swap gives them from the client's side for a
// record logged in the server-to-client direction.
func suricataEnds(o jobj, swap bool) netEnds {
	e := netEnds{srcIP: o.str("src_ip"), srcPort: o.get("src_port"), dstIP: o.str("dest_ip"), dstPort: o.get("dest_port"), proto: o.str("proto")}
	if swap {
		e.srcIP, e.dstIP, e.srcPort, e.dstPort = e.dstIP, e.srcIP, e.dstPort, e.srcPort
	}
	return e
}

// suricataRow starts an ASIM row with the columns every EVE record fills; sub is the member
// named by event_type, whose unused members go to AdditionalFields under its name.
func (n *Normalizer) suricataRow(table, eventType, version string, o jobj, t time.Time, swap bool) (jrow, error) {
	r := n.row(table)
	r.setValue("TimeGenerated", t)
	r.setValue("EventStartTime", t)
	r.setValue("EventEndTime", t)
	names := suricataEndNames
	if swap {
		names = [4]string{"dest_ip", "dest_port", "src_ip", "src_port"}
	}
	if err := r.putEnds(suricataEnds(o, swap), names); err != nil {
		return r, err
	}
	r.putEvent("OISF", "Suricata", eventType, version)
	r.set("DvcHostname", o.str("host"))
	r.set("DvcInterface", o.str("in_iface"))
	if table != asimDNSTable {
		r.set("NetworkSessionId", o.str("flow_id"))
		r.set("NetworkApplicationProtocol", strings.ToUpper(o.str("app_proto")))
	} else {
		r.set("DnsSessionId", o.str("flow_id"))
	}
	return r, nil
}

// suricataExtra is AdditionalFields: the top-level members not read, and the unread members
// of the event_type object.
func suricataExtra(o jobj, et string) jobj {
	var extra jobj
	for _, f := range o {
		if f.v != nil && f.k != et && !suricataTopUsed[f.k] {
			extra = append(extra, f)
		}
	}
	if sub := o.obj(et); len(sub) > 0 {
		if rest := keep(nil, sub, suricataSubUsed[et]); len(rest) > 0 {
			extra = append(extra, jfield{k: et, v: rest})
		}
	}
	return extra
}

// suricataTopUsed are the top-level members every mapper reads; suricataSubUsed the members of
// each event_type's object its mapper reads (the rest go to AdditionalFields).
var (
	suricataTopUsed = usedKeys(nil, suricataCommon...)
	suricataSubUsed = map[string]map[string]bool{
		"flow": usedKeys(nil, "pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient", "start", "end", "state", "reason"),
		"http": usedKeys(nil, "hostname", "url", "http_user_agent", "http_content_type", "http_refer", "http_method", "protocol",
			"status", "length", "xff"),
		"tls":   usedKeys(nil, "version"),
		"alert": usedKeys(nil, "signature_id", "signature", "category", "severity", "action"),
		"dns":   usedKeys(suricataDNSFlags, "type", "id", "rrname", "rrtype", "rcode"),
	}
)

// suricataSeverity maps alert.severity (1 is the highest) to ASIM's EventSeverity and CEF's
// LogSeverity words.
func suricataSeverity(s string) string {
	switch s {
	case "1":
		return "High"
	case "2":
		return "Medium"
	case "3":
		return "Low"
	}
	return "Informational"
}

var suricataFlowCols = [][2]string{
	{"SrcPackets", "flow.pkts_toserver"}, {"DstPackets", "flow.pkts_toclient"},
	{"SrcBytes", "flow.bytes_toserver"}, {"DstBytes", "flow.bytes_toclient"},
	{"TcpFlagsSyn", "tcp.syn"}, {"TcpFlagsFin", "tcp.fin"}, {"TcpFlagsRst", "tcp.rst"}, {"TcpFlagsPsh", "tcp.psh"},
	{"TcpFlagsAck", "tcp.ack"}, {"TcpFlagsUrg", "tcp.urg"},
}

func (n *Normalizer) suricataFlow(o jobj, t time.Time) []Record {
	r, err := n.suricataRow(asimNetTable, "Flow", asimNetVersion, o, t, false)
	if err == nil {
		err = r.putAll(o, suricataFlowCols)
	}
	f := o.obj("flow")
	if err == nil {
		err = putFlowTimes(r, f)
	}
	if err != nil {
		return []Record{n.fail(suricataFormat, asimNetTable, err.Error())}
	}
	r.setValue("NetworkBytes", sumLongs(f.get("bytes_toserver"), f.get("bytes_toclient")))
	r.setValue("NetworkPackets", sumLongs(f.get("pkts_toserver"), f.get("pkts_toclient")))
	state, reason := f.str("state"), f.str("reason")
	r.set("EventOriginalResultDetails", strings.Trim(state+"/"+reason, "/"))
	if state == "new" && strings.EqualFold(o.str("proto"), "TCP") {
		r.set("EventResult", "Failure")
		r.set("EventResultDetails", "No reply")
	} else {
		r.set("EventResult", "Success")
	}
	r.putExtra(suricataExtra(o, "flow"))
	return []Record{r.done(suricataFormat)}
}

// putFlowTimes sets EventStartTime, EventEndTime and NetworkDuration from flow.start and end.
func putFlowTimes(r jrow, f jobj) error {
	var start, end time.Time
	for _, x := range [...]struct {
		key, col string
		t        *time.Time
	}{{"start", "EventStartTime", &start}, {"end", "EventEndTime", &end}} {
		v := f.get(x.key)
		if v == nil {
			continue
		}
		t, err := parseNetTime(v)
		if err != nil {
			return errors.New("flow." + x.key + ": " + err.Error())
		}
		*x.t = t
		r.setValue(x.col, t)
	}
	if !start.IsZero() && !end.IsZero() && !end.Before(start) {
		if ms := end.Sub(start).Milliseconds(); ms < 1<<31 {
			r.setValue("NetworkDuration", int32(ms))
		}
	}
	return nil
}

var suricataHTTPCols = [][2]string{
	{"HttpHost", "http.hostname"}, {"UrlOriginal", "http.url"}, {"HttpUserAgent", "http.http_user_agent"},
	{"HttpContentType", "http.http_content_type"}, {"HttpReferrer", "http.http_refer"}, {"HttpRequestMethod", "http.http_method"},
	{"HttpVersion", "http.protocol"}, {"EventResultDetails", "http.status"}, {"DstBytes", "http.length"},
	{"HttpRequestXff", "http.xff"},
}

func (n *Normalizer) suricataHTTP(o jobj, t time.Time) []Record {
	r, err := n.suricataRow(asimWebTable, "HTTPsession", asimWebVersion, o, t, false)
	if err == nil {
		err = r.putAll(o, suricataHTTPCols)
	}
	if err != nil {
		return []Record{n.fail(suricataFormat, asimWebTable, err.Error())}
	}
	h := o.obj("http")
	r.setValue("EventSchema", "WebSession")
	r.set("NetworkApplicationProtocol", "HTTP")
	port := h.get("http_port")
	if port == nil {
		port = o.get("dest_port")
	}
	r.set("Url", httpURL("http", h.str("hostname"), h.str("url"), port, "80"))
	r.putFQDN(h.str("hostname"))
	r.set("EventResult", httpResult(h.str("status")))
	r.putExtra(suricataExtra(o, "http"))
	return []Record{r.done(suricataFormat)}
}

func (n *Normalizer) suricataTLS(o jobj, t time.Time) []Record {
	r, err := n.suricataRow(asimNetTable, "NetworkSession", asimNetVersion, o, t, false)
	if err != nil {
		return []Record{n.fail(suricataFormat, asimNetTable, err.Error())}
	}
	tls := o.obj("tls")
	r.set("NetworkApplicationProtocol", "TLS")
	r.set("NetworkProtocolVersion", tls.str("version"))
	r.putFQDN(tls.str("sni"))
	r.set("EventResult", "Success")
	r.putExtra(suricataExtra(o, "tls"))
	return []Record{r.done(suricataFormat)}
}

// suricataAction maps alert.action to ASIM's DvcAction and EventResult.
func suricataAction(a string) (action, result string) {
	switch a {
	case "allowed":
		return "Allow", "Success"
	case "blocked":
		return "Deny", "Failure"
	}
	return "", "NA"
}

func (n *Normalizer) suricataAlert(o jobj, t time.Time) []Record {
	a := o.obj("alert")
	if a.str("signature_id") == "" || a.str("signature") == "" {
		return []Record{n.fail(suricataFormat, CEFTable, "alert: missing signature or signature_id")}
	}
	return []Record{n.suricataCSL(o, a, t), n.suricataIDs(o, a, t)}
}

// suricataIDs is the ASimNetworkSessionLogs row of an alert.
func (n *Normalizer) suricataIDs(o, a jobj, t time.Time) Record {
	r, err := n.suricataRow(asimNetTable, "IDS", asimNetVersion, o, t, false)
	if err == nil {
		err = r.putAll(o, [][2]string{{"ThreatId", "alert.signature_id"}, {"ThreatName", "alert.signature"},
			{"ThreatCategory", "alert.category"}, {"NetworkRuleName", "alert.signature"}, {"NetworkRuleNumber", "alert.signature_id"},
			{"ThreatOriginalRiskLevel", "alert.severity"}, {"DvcOriginalAction", "alert.action"}})
	}
	if err != nil {
		return n.fail(suricataFormat, asimNetTable, err.Error())
	}
	action, result := suricataAction(a.str("action"))
	r.set("DvcAction", action)
	r.set("EventResult", result)
	r.set("EventSeverity", suricataSeverity(a.str("severity")))
	r.putExtra(suricataExtra(o, "alert"))
	return r.done(suricataFormat)
}

// suricataCSLCols are the CommonSecurityLog columns an alert fills from EVE members.
var suricataCSLCols = [][2]string{
	{"Activity", "alert.signature"}, {"DeviceEventClassID", "alert.signature_id"}, {"OriginalLogSeverity", "alert.severity"},
	{"DeviceAction", "alert.action"}, {"DeviceCustomString1", "alert.category"}, {"DeviceCustomString2", "flow_id"},
	{"DeviceCustomString3", "community_id"}, {"SourceIP", "src_ip"}, {"SourcePort", "src_port"}, {"DestinationIP", "dest_ip"},
	{"DestinationPort", "dest_port"}, {"Protocol", "proto"}, {"ApplicationProtocol", "app_proto"}, {"DeviceName", "host"},
	{"Computer", "host"}, {"DeviceInboundInterface", "in_iface"}, {"RequestURL", "http.url"}, {"RequestMethod", "http.http_method"},
	{"RequestClientApplication", "http.http_user_agent"},
}

// suricataCSL is the CommonSecurityLog row of an alert, as a CEF-speaking IDS would fill it.
func (n *Normalizer) suricataCSL(o, a jobj, t time.Time) Record {
	r := n.row(CEFTable)
	r.setValue("TimeGenerated", t)
	if err := r.putAll(o, suricataCSLCols); err != nil {
		return n.fail(suricataFormat, CEFTable, err.Error())
	}
	r.setValue("DeviceVendor", "OISF")
	r.setValue("DeviceProduct", "Suricata")
	r.setValue("SourceSystem", "OpsManager")
	r.set("LogSeverity", suricataSeverity(a.str("severity")))
	action, _ := suricataAction(a.str("action"))
	r.set("SimplifiedDeviceAction", action)
	for i, label := range [...]string{"Category", "FlowId", "CommunityId"} {
		col := "DeviceCustomString" + strconv.Itoa(i+1)
		if r.row[r.wt.cols[col].col] != nil {
			r.setValue(col+"Label", label)
		}
	}
	host := o.obj("http").str("hostname")
	if host == "" {
		host = o.obj("tls").str("sni")
	}
	r.set("DestinationHostName", host)
	var ex extras
	for _, k := range [...]string{"gid", "rev"} {
		if v := a.str(k); v != "" {
			ex.add(k, v)
		}
	}
	if v := o.str("tx_id"); v != "" {
		ex.add("tx_id", v)
	}
	r.set("AdditionalExtensions", ex.b.String())
	return r.done(suricataFormat)
}

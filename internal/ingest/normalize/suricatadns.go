package normalize

import (
	"strconv"
	"time"
)

// dnsTypeCodes are the IANA codes of the common DNS RR types (DnsQueryType).
var dnsTypeCodes = map[string]int32{
	"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13, "MX": 15, "TXT": 16, "AAAA": 28, "SRV": 33,
	"NAPTR": 35, "DS": 43, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "SVCB": 64, "HTTPS": 65, "AXFR": 252, "ANY": 255, "CAA": 257,
}

// dnsRcodes are the IANA codes of the DNS response codes (DnsResponseCode).
var dnsRcodes = map[string]int32{
	"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5, "YXDOMAIN": 6, "YXRRSET": 7,
	"NXRRSET": 8, "NOTAUTH": 9, "NOTZONE": 10, "BADVERS": 16,
}

// suricataDNSFlags maps the v2/v3 flag members to ASIM's flag columns.
var suricataDNSFlags = [][2]string{
	{"DnsFlagsAuthoritative", "aa"}, {"DnsFlagsTruncated", "tc"}, {"DnsFlagsRecursionDesired", "rd"},
	{"DnsFlagsRecursionAvailable", "ra"}, {"DnsFlagsZ", "z"}, {"DnsFlags", "flags"},
}

func (n *Normalizer) suricataDNS(o jobj, t time.Time) []Record {
	d := o.obj("dns")
	typ := d.str("type")
	response := typ == "answer" || typ == "response"
	if !response && typ != "query" && typ != "request" {
		return []Record{n.fail(suricataFormat, asimDNSTable, "dns.type "+strconv.Quote(clip(typ))+" is not query, answer, request or response")}
	}
	r, err := n.suricataRow(asimDNSTable, "Query", asimDNSVersion, o, t, response)
	if err == nil {
		err = r.putAll(d, suricataDNSFlags)
	}
	if err != nil {
		return []Record{n.fail(suricataFormat, asimDNSTable, err.Error())}
	}
	query, qtype := d.str("rrname"), d.str("rrtype")
	if qs, ok := d.get("queries").([]any); ok && len(qs) > 0 && query == "" { // EVE dns v3
		if q, ok := qs[0].(jobj); ok {
			query, qtype = q.str("rrname"), q.str("rrtype")
		}
	}
	if as, ok := d.get("answers").([]any); ok && len(as) > 0 && query == "" {
		// A v2 "detailed" answer without the question: the first answer's owner is the name
		// asked (its type may be a CNAME, not the type asked, so it is not used).
		if a, ok := as[0].(jobj); ok {
			query = a.str("rrname")
		}
	}
	r.set("DnsQuery", query)
	r.set("DnsQueryTypeName", qtype)
	if code, ok := dnsTypeCodes[qtype]; ok {
		r.setValue("DnsQueryType", code)
	}
	if id := d.str("id"); id != "" {
		v, err := strconv.ParseUint(id, 10, 16)
		if err != nil {
			return []Record{n.fail(suricataFormat, asimDNSTable, "dns.id: "+strconv.Quote(clip(id))+" is not a DNS transaction id")}
		}
		r.setValue("TransactionIdHex", strconv.FormatUint(v, 16))
	}
	if !response {
		r.set("EventSubType", "request")
		r.set("EventResult", "NA")
	} else {
		r.set("EventSubType", "response")
		rcode := d.str("rcode")
		r.set("EventResultDetails", rcode)
		if code, ok := dnsRcodes[rcode]; ok {
			r.setValue("DnsResponseCode", code)
		}
		if rcode == "NOERROR" {
			r.set("EventResult", "Success")
		} else {
			r.set("EventResult", "Failure")
		}
		if answers := suricataAnswers(d); len(answers) > 0 {
			r.set("DnsResponseName", jsonList(answers...))
		}
	}
	r.putExtra(suricataExtra(o, "dns"))
	return []Record{r.done(suricataFormat)}
}

// suricataAnswers returns the answer data of a response record: rdata (v1, one answer per
// record), the answers array (v2 detailed, v3), or the grouped object (v2 grouped).
func suricataAnswers(d jobj) []string {
	if s := d.str("rdata"); s != "" {
		return []string{s}
	}
	var out []string
	if as, ok := d.get("answers").([]any); ok {
		for _, a := range as {
			if ao, ok := a.(jobj); ok {
				out = append(out, ao.str("rdata"))
			}
		}
		return out
	}
	for _, f := range d.obj("grouped") {
		if vs, ok := f.v.([]any); ok {
			for _, v := range vs {
				out = append(out, jsonText(v))
			}
		}
	}
	return out
}

package normalize

import (
	"fmt"
	"strconv"

	"github.com/vigilsec/vigil/internal/schema"
)

type syslogCols struct {
	timeGenerated, eventTime, timeCollected, computer, hostName, hostIP, facility, severity,
	processName, processID, message, sourceSystem int
}

type cslCols struct {
	timeGenerated, computer, sourceSystem, additional,
	vendor, product, version, classID, activity, severity int
}

// resolver looks columns up by name, remembering the first failure.
type resolver struct{ err error }

func (r *resolver) col(t *schema.Table, name string, typ schema.Type) int {
	i, ok := t.Column(name)
	switch {
	case r.err != nil:
	case !ok:
		r.err = fmt.Errorf("table %s has no column %s", t.Name, name)
	case t.Columns[i].Type != typ:
		r.err = fmt.Errorf("column %s.%s is %s, want %s", t.Name, name, t.Columns[i].Type, typ)
	}
	return i
}

func (r *resolver) syslogCols(t *schema.Table) syslogCols {
	s, d := schema.TypeString, schema.TypeDatetime
	return syslogCols{
		timeGenerated: r.col(t, "TimeGenerated", d), eventTime: r.col(t, "EventTime", d),
		timeCollected: r.col(t, "TimeCollected", d), computer: r.col(t, "Computer", s),
		hostName: r.col(t, "HostName", s), hostIP: r.col(t, "HostIP", s),
		facility: r.col(t, "Facility", s), severity: r.col(t, "SeverityLevel", s),
		processName: r.col(t, "ProcessName", s), processID: r.col(t, "ProcessID", schema.TypeInt),
		message: r.col(t, "SyslogMessage", s), sourceSystem: r.col(t, "SourceSystem", s),
	}
}

func (r *resolver) cslCols(t *schema.Table) cslCols {
	s := schema.TypeString
	return cslCols{
		timeGenerated: r.col(t, "TimeGenerated", schema.TypeDatetime), computer: r.col(t, "Computer", s),
		sourceSystem: r.col(t, "SourceSystem", s), additional: r.col(t, "AdditionalExtensions", s),
		vendor: r.col(t, "DeviceVendor", s), product: r.col(t, "DeviceProduct", s),
		version: r.col(t, "DeviceVersion", s), classID: r.col(t, "DeviceEventClassID", s),
		activity: r.col(t, "Activity", s), severity: r.col(t, "LogSeverity", s),
	}
}

// keyMapping maps a source key (and its alternative spellings) to columns.
type keyMapping struct {
	keys []string // the short key first, then full names
	cols []string
}

// keyMap resolves mappings against t, taking each column's type from the table.
func (r *resolver) keyMap(t *schema.Table, ms []keyMapping) map[string][]target {
	out := make(map[string][]target, 2*len(ms))
	for _, m := range ms {
		ts := make([]target, 0, len(m.cols))
		for _, name := range m.cols {
			i, ok := t.Column(name)
			if !ok {
				if r.err == nil {
					r.err = fmt.Errorf("table %s has no column %s (mapped from %s)", t.Name, name, m.keys[0])
				}
				continue
			}
			ts = append(ts, target{col: i, typ: t.Columns[i].Type})
		}
		for _, k := range m.keys {
			if _, dup := out[k]; dup && r.err == nil {
				r.err = fmt.Errorf("key %s is mapped twice", k)
			}
			out[k] = ts
		}
	}
	return out
}

func km(cols []string, keys ...string) keyMapping { return keyMapping{keys: keys, cols: cols} }

func c(names ...string) []string { return names }

// cefKeys is the CEF extension dictionary (ArcSight CEF) mapped to CommonSecurityLog as
// Microsoft Sentinel maps it. Keys not listed go to AdditionalExtensions.
func cefKeys() []keyMapping {
	ms := []keyMapping{
		km(c("DeviceAction"), "act", "deviceAction"),
		km(c("ApplicationProtocol"), "app", "applicationProtocol"),
		km(c("DeviceEventCategory"), "cat", "deviceEventCategory"),
		km(c("EventCount"), "cnt", "baseEventCount"),
		km(c("DestinationDnsDomain"), "destinationDnsDomain"),
		km(c("DestinationServiceName"), "destinationServiceName"),
		km(c("DestinationTranslatedAddress"), "destinationTranslatedAddress"),
		km(c("DestinationTranslatedPort"), "destinationTranslatedPort"),
		km(c("CommunicationDirection"), "deviceDirection"),
		km(c("DeviceDnsDomain"), "deviceDnsDomain"),
		km(c("DeviceExternalID"), "deviceExternalId"),
		km(c("DeviceFacility"), "deviceFacility"),
		km(c("DeviceInboundInterface"), "deviceInboundInterface"),
		km(c("DeviceNtDomain"), "deviceNtDomain"),
		km(c("DeviceOutboundInterface"), "deviceOutboundInterface"),
		km(c("DevicePayloadId"), "devicePayloadId"),
		km(c("ProcessName"), "deviceProcessName"),
		km(c("DeviceTranslatedAddress"), "deviceTranslatedAddress"),
		km(c("DestinationHostName"), "dhost", "destinationHostName"),
		km(c("DestinationMACAddress"), "dmac", "destinationMacAddress"),
		km(c("DestinationNTDomain"), "dntdom", "destinationNtDomain"),
		km(c("DestinationProcessId"), "dpid", "destinationProcessId"),
		km(c("DestinationUserPrivileges"), "dpriv", "destinationUserPrivileges"),
		km(c("DestinationProcessName"), "dproc", "destinationProcessName"),
		km(c("DestinationPort"), "dpt", "destinationPort"),
		km(c("DestinationIP"), "dst", "destinationAddress"),
		km(c("DeviceTimeZone"), "dtz", "deviceTimeZone"),
		km(c("DestinationUserID"), "duid", "destinationUserId"),
		km(c("DestinationUserName"), "duser", "destinationUserName"),
		km(c("DeviceAddress"), "dvc", "deviceAddress"),
		km(c("DeviceName"), "dvchost", "deviceHostName"),
		km(c("DeviceMacAddress"), "dvcmac", "deviceMacAddress"),
		km(c("ProcessID"), "dvcpid", "deviceProcessId"),
		km(c("EndTime"), "end", "endTime"),
		km(c("ExternalID", "ExtID"), "externalId"),
		km(c("FileCreateTime"), "fileCreateTime"),
		km(c("FileHash"), "fileHash"),
		km(c("FileID"), "fileId"),
		km(c("FileModificationTime"), "fileModificationTime"),
		km(c("FilePath"), "filePath"),
		km(c("FilePermission"), "filePermission"),
		km(c("FileType"), "fileType"),
		km(c("FileName"), "fname", "fileName"),
		km(c("FileSize"), "fsize", "fileSize"),
		km(c("ReceivedBytes"), "in", "bytesIn"),
		km(c("Message"), "msg", "message"),
		km(c("OldFileCreateTime"), "oldFileCreateTime"),
		km(c("OldFileHash"), "oldFileHash"),
		km(c("OldFileID"), "oldFileId"),
		km(c("OldFileModificationTime"), "oldFileModificationTime"),
		km(c("OldFileName"), "oldFileName"),
		km(c("OldFilePath"), "oldFilePath"),
		km(c("OldFilePermission"), "oldFilePermission"),
		km(c("OldFileSize"), "oldFileSize"),
		km(c("OldFileType"), "oldFileType"),
		km(c("SentBytes"), "out", "bytesOut"),
		km(c("EventOutcome"), "outcome", "eventOutcome"),
		km(c("Protocol"), "proto", "transportProtocol"),
		km(c("Reason"), "reason"),
		km(c("RequestURL"), "request", "requestUrl"),
		km(c("RequestClientApplication"), "requestClientApplication"),
		km(c("RequestContext"), "requestContext"),
		km(c("RequestCookies"), "requestCookies"),
		km(c("RequestMethod"), "requestMethod"),
		km(c("ReceiptTime"), "rt", "deviceReceiptTime"),
		km(c("SourceHostName"), "shost", "sourceHostName"),
		km(c("SourceMACAddress"), "smac", "sourceMacAddress"),
		km(c("SourceNTDomain"), "sntdom", "sourceNtDomain"),
		km(c("SourceDnsDomain"), "sourceDnsDomain"),
		km(c("SourceServiceName"), "sourceServiceName"),
		km(c("SourceTranslatedAddress"), "sourceTranslatedAddress"),
		km(c("SourceTranslatedPort"), "sourceTranslatedPort"),
		km(c("SourceProcessId"), "spid", "sourceProcessId"),
		km(c("SourceUserPrivileges"), "spriv", "sourceUserPrivileges"),
		km(c("SourceProcessName"), "sproc", "sourceProcessName"),
		km(c("SourcePort"), "spt", "sourcePort"),
		km(c("SourceIP"), "src", "sourceAddress"),
		km(c("StartTime"), "start", "startTime"),
		km(c("SourceUserID"), "suid", "sourceUserId"),
		km(c("SourceUserName"), "suser", "sourceUserName"),
		km(c("EventType"), "type"),
	}
	for i := 1; i <= 6; i++ {
		n := strconv.Itoa(i)
		ms = append(ms, km(c("DeviceCustomString"+n), "cs"+n, "deviceCustomString"+n),
			km(c("DeviceCustomString"+n+"Label"), "cs"+n+"Label", "deviceCustomString"+n+"Label"))
	}
	for i := 1; i <= 4; i++ {
		n := strconv.Itoa(i)
		ms = append(ms, km(c("DeviceCustomFloatingPoint"+n), "cfp"+n, "deviceCustomFloatingPoint"+n),
			km(c("DeviceCustomFloatingPoint"+n+"Label"), "cfp"+n+"Label", "deviceCustomFloatingPoint"+n+"Label"),
			km(c("DeviceCustomIPv6Address"+n), "c6a"+n, "deviceCustomIPv6Address"+n),
			km(c("DeviceCustomIPv6Address"+n+"Label"), "c6a"+n+"Label", "deviceCustomIPv6Address"+n+"Label"))
	}
	for i := 1; i <= 3; i++ {
		n := strconv.Itoa(i)
		ms = append(ms, km(c("DeviceCustomNumber"+n, "FieldDeviceCustomNumber"+n), "cn"+n, "deviceCustomNumber"+n),
			km(c("DeviceCustomNumber"+n+"Label"), "cn"+n+"Label", "deviceCustomNumber"+n+"Label"))
	}
	for i := 1; i <= 2; i++ {
		n := strconv.Itoa(i)
		ms = append(ms, km(c("DeviceCustomDate"+n), "deviceCustomDate"+n),
			km(c("DeviceCustomDate"+n+"Label"), "deviceCustomDate"+n+"Label"),
			km(c("FlexString"+n), "flexString"+n), km(c("FlexString"+n+"Label"), "flexString"+n+"Label"),
			km(c("FlexNumber"+n), "flexNumber"+n), km(c("FlexNumber"+n+"Label"), "flexNumber"+n+"Label"))
	}
	return append(ms, km(c("FlexDate1"), "flexDate1"), km(c("FlexDate1Label"), "flexDate1Label"))
}

// leefKeys maps the predefined LEEF attributes (IBM QRadar LEEF 1.0/2.0) to CommonSecurityLog.
var leefKeys = []keyMapping{
	km(c("SourceIP"), "src"), km(c("DestinationIP"), "dst"),
	km(c("SourcePort"), "srcPort"), km(c("DestinationPort"), "dstPort"),
	km(c("SourceTranslatedAddress"), "srcPostNAT"), km(c("DestinationTranslatedAddress"), "dstPostNAT"),
	km(c("SourceTranslatedPort"), "srcPostNATPort"), km(c("DestinationTranslatedPort"), "dstPostNATPort"),
	km(c("SourceMACAddress"), "srcMAC"), km(c("DestinationMACAddress"), "dstMAC"),
	km(c("SourceUserName"), "usrName", "accountName"), km(c("Protocol"), "proto"),
	km(c("LogSeverity"), "sev"), km(c("DeviceEventCategory"), "cat"),
	km(c("SentBytes"), "srcBytes"), km(c("ReceivedBytes"), "dstBytes"),
	km(c("RequestURL"), "url"), km(c("ReceiptTime"), "devTime"),
	km(c("SourceHostName"), "identHostName"), km(c("DeviceAction"), "action"),
	km(c("DestinationNTDomain"), "domain"), km(c("Reason"), "reason"),
}

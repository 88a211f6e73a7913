package normalize

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/iptype"
)

// fieldKind says how one Sysmon data field fills its columns.
type fieldKind int

const (
	fText    fieldKind = iota // the text into every column
	fPath                     // a path into (FolderPath, FileName)
	fAccount                  // DOMAIN\user into (AccountDomain, AccountName)
	fHashes                   // "SHA1=..,MD5=..,SHA256=.." into (SHA1, MD5, SHA256)
)

// winField maps one event data field to columns.
type winField struct {
	src  string
	kind fieldKind
	cols []string
}

func text(src string, cols ...string) winField { return winField{src, fText, cols} }
func path(src, folder, file string) winField   { return winField{src, fPath, []string{folder, file}} }
func account(src, dom, name string) winField   { return winField{src, fAccount, []string{dom, name}} }
func hashes(src, sha1, md5, sha256 string) winField {
	return winField{src, fHashes, []string{sha1, md5, sha256}}
}

// sysmonSpec maps one Sysmon event id to a Defender table.
type sysmonSpec struct {
	table  string
	action string // ActionType, unless derive sets it
	fields []winField
	uses   []string                                // data fields derive reads
	derive func(ev *WinEvent, r *winRow) []WinData // sets computed columns; returns extra AdditionalFields
	byName map[string]winField
	used   map[string]bool
}

// initiating maps the fields that name the process that acted (Image, ProcessId, User).
var initiating = []winField{
	path("Image", "InitiatingProcessFolderPath", "InitiatingProcessFileName"),
	text("ProcessId", "InitiatingProcessId"),
	account("User", "InitiatingProcessAccountDomain", "InitiatingProcessAccountName"),
}

// sourceTarget maps Sysmon's Source*/Target* process fields (events 8 and 10).
var sourceTarget = []winField{
	path("SourceImage", "InitiatingProcessFolderPath", "InitiatingProcessFileName"),
	text("SourceProcessId", "InitiatingProcessId"),
	account("SourceUser", "InitiatingProcessAccountDomain", "InitiatingProcessAccountName"),
	path("TargetImage", "FolderPath", "FileName"),
	text("TargetProcessId", "ProcessId"),
	account("TargetUser", "AccountDomain", "AccountName"),
}

func with(a []winField, b ...winField) []winField { return append(append([]winField{}, a...), b...) }

// sysmonSpecs is the Sysmon event id -> Defender table mapping, filling columns as the
// Defender sensor does (FolderPath is the full path, InitiatingProcess* is the actor).
// Fields not listed go to AdditionalFields where the table has it. ActionTypes are Defender's
// where Defender records the equivalent; 5 (ProcessTerminated), 15 (FileCreateStreamHash) and
// 25 (ProcessTampering) have none there and carry Sysmon's names. Ids not here (4, 9, 16,
// 24, 27-29, 255) land in WindowsEvent: docs/connectors.md says why for each.
func sysmonSpecs() map[int32]*sysmonSpec {
	proc := []winField{
		path("Image", "FolderPath", "FileName"), text("CommandLine", "ProcessCommandLine"),
		text("ProcessId", "ProcessId"), text("IntegrityLevel", "ProcessIntegrityLevel"),
		text("UtcTime", "ProcessCreationTime"), hashes("Hashes", "SHA1", "MD5", "SHA256"),
		account("User", "AccountDomain", "AccountName"), text("LogonId", "LogonId"),
		text("FileVersion", "ProcessVersionInfoProductVersion"), text("Description", "ProcessVersionInfoFileDescription"),
		text("Product", "ProcessVersionInfoProductName"), text("Company", "ProcessVersionInfoCompanyName"),
		text("OriginalFileName", "ProcessVersionInfoOriginalFileName"),
		path("ParentImage", "InitiatingProcessFolderPath", "InitiatingProcessFileName"),
		text("ParentCommandLine", "InitiatingProcessCommandLine"), text("ParentProcessId", "InitiatingProcessId"),
		account("ParentUser", "InitiatingProcessAccountDomain", "InitiatingProcessAccountName"),
	}
	file := with(initiating, path("TargetFilename", "FolderPath", "FileName"))
	fileDel := with(file, hashes("Hashes", "SHA1", "MD5", "SHA256"))
	reg := &sysmonSpec{table: "DeviceRegistryEvents", fields: initiating, derive: sysmonRegistry,
		uses: []string{"EventType", "TargetObject", "Details", "NewName"}}
	pipe := &sysmonSpec{table: "DeviceEvents", action: "NamedPipeEvent", fields: initiating}
	// Sysmon writes a WMI subscription as three events (filter, consumer, binding); Defender
	// has one ActionType for it, and EventType in AdditionalFields tells the three apart.
	wmi := &sysmonSpec{table: "DeviceEvents", action: "WmiBindEventFilterToConsumer",
		fields: []winField{account("User", "InitiatingProcessAccountDomain", "InitiatingProcessAccountName")}}
	return map[int32]*sysmonSpec{
		1: {table: "DeviceProcessEvents", action: "ProcessCreated", fields: proc},
		3: {table: "DeviceNetworkEvents", fields: initiating, derive: sysmonNetwork, uses: []string{
			"Protocol", "Initiated", "SourceIp", "SourcePort", "DestinationIp", "DestinationPort", "DestinationHostname", "SourceHostname"}},
		7: {table: "DeviceImageLoadEvents", action: "ImageLoaded", fields: with(initiating,
			path("ImageLoaded", "FolderPath", "FileName"), hashes("Hashes", "SHA1", "MD5", "SHA256"))},
		8:  {table: "DeviceEvents", action: "CreateRemoteThreadApiCall", fields: sourceTarget},
		10: {table: "DeviceEvents", action: "OpenProcessApiCall", fields: sourceTarget},
		11: {table: "DeviceFileEvents", action: "FileCreated", fields: file},
		12: reg, 13: reg, 14: reg,
		17: pipe, 18: pipe,
		22: {table: "DeviceEvents", action: "DnsQueryResponse", fields: initiating, derive: sysmonDNS,
			uses: []string{"QueryName", "QueryResults", "QueryStatus"}},
		23: {table: "DeviceFileEvents", action: "FileDeleted", fields: fileDel},
		26: {table: "DeviceFileEvents", action: "FileDeleted", fields: fileDel},
		2:  {table: "DeviceEvents", action: "FileTimestampModificationEvent", fields: file},
		5:  {table: "DeviceEvents", action: "ProcessTerminated", fields: initiating, derive: sysmonSubject},
		6: {table: "DeviceEvents", action: "DriverLoad", fields: []winField{
			path("ImageLoaded", "FolderPath", "FileName"), hashes("Hashes", "SHA1", "MD5", "SHA256")}},
		15: {table: "DeviceFileEvents", action: "FileCreateStreamHash", derive: sysmonStream,
			fields: with(file, hashes("Hash", "SHA1", "MD5", "SHA256"))},
		19: wmi, 20: wmi, 21: wmi,
		25: {table: "DeviceEvents", action: "ProcessTampering", fields: initiating, derive: sysmonSubject},
	}
}

// resolveSysmon checks every spec's columns against its table.
func (m *WinMapper) resolveSysmon() (map[int32]*sysmonSpec, error) {
	specs := sysmonSpecs()
	for id, s := range specs {
		wt, ok := m.tables[s.table]
		if !ok {
			return nil, fmt.Errorf("sysmon event %d: table %s is not resolved", id, s.table)
		}
		if s.byName != nil {
			continue // shared by several ids
		}
		s.byName, s.used = map[string]winField{}, map[string]bool{"UtcTime": true}
		for _, f := range s.fields {
			for _, c := range append([]string{"Timestamp", "TimeGenerated", "DeviceName", "ActionType", "ReportId"}, f.cols...) {
				if _, ok := wt.cols[c]; !ok {
					return nil, fmt.Errorf("sysmon event %d: table %s has no column %s (mapped from %s)", id, s.table, c, f.src)
				}
			}
			s.byName[f.src] = f
			s.used[f.src] = true
		}
		for _, u := range s.uses {
			s.used[u] = true
		}
	}
	return specs, nil
}

// sysmonRow maps a Sysmon event by its spec.
func (m *WinMapper) sysmonRow(s *sysmonSpec, ev *WinEvent) Record {
	r := m.newRow(s.table)
	ts := ev.Time
	if t, err := parseWinTime(ev.Get("UtcTime")); err == nil {
		ts = t
	}
	r.setValue("Timestamp", ts)
	r.setValue("TimeGenerated", ts)
	r.set("DeviceName", ev.Computer)
	r.set("ActionType", s.action)
	if ev.RecordID != 0 {
		r.setValue("ReportId", ev.RecordID)
	}
	var extra []WinData
	if s.derive != nil {
		extra = s.derive(ev, r)
	}
	for _, d := range ev.Data {
		f, ok := s.byName[d.Name]
		if ok && applyField(r, f, d.Value) {
			continue
		}
		if (ok || !s.used[d.Name]) && d.Value != "" && d.Value != "-" {
			extra = append(extra, d)
		}
	}
	if _, ok := r.wt.cols["AdditionalFields"]; ok && len(extra) > 0 {
		r.set("AdditionalFields", jsonObject(extra))
	}
	return r.record()
}

// applyField fills f's columns from v; it reports false if part of v found no column.
func applyField(r *winRow, f winField, v string) bool {
	switch f.kind {
	case fPath:
		full, name := splitPath(v)
		return r.set(f.cols[0], full) && r.set(f.cols[1], name)
	case fAccount:
		dom, name := splitAccount(v)
		return r.set(f.cols[0], dom) && r.set(f.cols[1], name)
	case fHashes:
		return setHashes(r, f.cols, v)
	case fText:
	}
	ok := true
	for _, c := range f.cols {
		ok = r.set(c, v) && ok
	}
	return ok
}

// setHashes fills SHA1, MD5 and SHA256 from Sysmon's Hashes; other algorithms (IMPHASH,
// SHA384) make it report false so the field is also kept whole.
func setHashes(r *winRow, cols []string, v string) bool {
	all := true
	for part := range strings.SplitSeq(v, ",") {
		alg, h, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToUpper(alg) {
		case "SHA1":
			r.set(cols[0], strings.ToLower(h))
		case "MD5":
			r.set(cols[1], strings.ToLower(h))
		case "SHA256":
			r.set(cols[2], strings.ToLower(h))
		default:
			all = false
		}
	}
	return all
}

// sysmonNetwork fills the connection columns of event 3: for a connection the process
// initiated the source is local; for an accepted one the destination is.
func sysmonNetwork(ev *WinEvent, r *winRow) []WinData {
	local, remote, action := "Source", "Destination", "ConnectionSuccess"
	if strings.EqualFold(ev.Get("Initiated"), "false") {
		local, remote, action = remote, local, "InboundConnectionAccepted"
	}
	r.set("ActionType", action)
	switch p := strings.ToLower(ev.Get("Protocol")); p {
	case "tcp", "udp":
		r.set("Protocol", strings.ToUpper(p[:1])+p[1:])
	default:
		r.set("Protocol", ev.Get("Protocol"))
	}
	lip, rip := ev.Get(local+"Ip"), ev.Get(remote+"Ip")
	r.set("LocalIP", lip)
	r.set("LocalPort", ev.Get(local+"Port"))
	r.set("LocalIPType", iptype.OfText(lip))
	r.set("RemoteIP", rip)
	r.set("RemotePort", ev.Get(remote+"Port"))
	r.set("RemoteIPType", iptype.OfText(rip))
	r.setNonDash("RemoteUrl", ev.Get(remote+"Hostname"))
	return nil
}

// registryActions maps Sysmon's registry EventType to Defender's ActionType.
var registryActions = map[string]string{
	"CreateKey": "RegistryKeyCreated", "DeleteKey": "RegistryKeyDeleted", "SetValue": "RegistryValueSet",
	"DeleteValue": "RegistryValueDeleted", "CreateValue": "RegistryValueSet", "RenameKey": "RegistryKeyRenamed",
}

// sysmonRegistry fills the registry columns of events 12-14.
func sysmonRegistry(ev *WinEvent, r *winRow) []WinData {
	typ := ev.Get("EventType")
	action, ok := registryActions[typ]
	if !ok {
		action = map[int32]string{12: "RegistryKeyCreated", 13: "RegistryValueSet", 14: "RegistryKeyRenamed"}[ev.EventID]
	}
	r.set("ActionType", action)
	obj := defenderRegistryKey(ev.Get("TargetObject"))
	switch action {
	case "RegistryValueSet", "RegistryValueDeleted":
		key, name := obj, ""
		if i := strings.LastIndexByte(obj, '\\'); i >= 0 {
			key, name = obj[:i], obj[i+1:]
		}
		r.set("RegistryKey", key)
		r.set("RegistryValueName", name)
		typ, data := registryDetails(ev.Get("Details"))
		r.set("RegistryValueType", typ)
		r.set("RegistryValueData", data)
	case "RegistryKeyRenamed":
		r.set("PreviousRegistryKey", obj)
		r.set("RegistryKey", defenderRegistryKey(ev.Get("NewName")))
	default:
		r.set("RegistryKey", obj)
	}
	return nil
}

// registryHives maps Sysmon's abbreviated hive names to the full names Defender shows; a
// user's hive under HKU appears as HKEY_CURRENT_USER\<SID> in Defender.
var registryHives = []struct{ short, long string }{
	{`HKLM\`, `HKEY_LOCAL_MACHINE\`}, {`HKU\S-1-5-21-`, `HKEY_CURRENT_USER\S-1-5-21-`}, {`HKU\`, `HKEY_USERS\`},
	{`HKCR\`, `HKEY_CLASSES_ROOT\`}, {`HKCU\`, `HKEY_CURRENT_USER\`},
}

func defenderRegistryKey(k string) string {
	for _, h := range registryHives {
		if len(k) >= len(h.short) && strings.EqualFold(k[:len(h.short)], h.short) {
			return h.long + k[len(h.short):]
		}
	}
	return k
}

// registryDetails splits Sysmon's Details ("DWORD (0x00000001)", "QWORD (0x0-0x1)",
// "Binary Data" or string data) into a value type and data.
func registryDetails(d string) (typ, data string) {
	switch {
	case strings.HasPrefix(d, "DWORD (") && strings.HasSuffix(d, ")"):
		if n, ok := parseWinInt(d[len("DWORD (") : len(d)-1]); ok {
			return "Dword", strconv.FormatInt(n, 10)
		}
	case strings.HasPrefix(d, "QWORD (") && strings.HasSuffix(d, ")"):
		hi, lo, _ := strings.Cut(d[len("QWORD ("):len(d)-1], "-")
		h, ok1 := parseWinInt(hi)
		l, ok2 := parseWinInt(lo)
		if ok1 && ok2 {
			return "Qword", strconv.FormatUint(uint64(h)<<32|uint64(l)&0xffffffff, 10)
		}
	case d == "Binary Data":
		return "Binary", ""
	}
	return "", d
}

// dnsRecord is one answer in Defender's DnsQueryResult.
type dnsRecord struct {
	Type   int    `json:"DnsQueryType"`
	Record string `json:"DnsQueryResultRecord"`
}

// sysmonDNS turns event 22's query into Defender's DnsQueryResponse AdditionalFields.
func sysmonDNS(ev *WinEvent, r *winRow) []WinData {
	q := ev.Get("QueryName")
	r.set("RemoteUrl", q)
	var recs []dnsRecord
	for part := range strings.SplitSeq(ev.Get("QueryResults"), ";") {
		part = strings.TrimSpace(part)
		if part == "" || part == "-" {
			continue
		}
		if rest, ok := strings.CutPrefix(part, "type:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 {
				n, _ := strconv.Atoi(f[0])
				recs = append(recs, dnsRecord{Type: n, Record: f[1]})
			}
			continue
		}
		addr, typ := strings.TrimPrefix(part, "::ffff:"), 1
		if strings.Contains(addr, ":") {
			typ = 28
		}
		recs = append(recs, dnsRecord{Type: typ, Record: addr})
	}
	out := []WinData{{Name: "DnsQueryString", Value: q}}
	if len(recs) > 0 {
		b, _ := json.Marshal(recs)
		out = append(out, WinData{Name: "DnsQueryResult", Value: string(b)})
	}
	if s := ev.Get("QueryStatus"); s != "" {
		out = append(out, WinData{Name: "DnsQueryStatus", Value: s})
	}
	return out
}

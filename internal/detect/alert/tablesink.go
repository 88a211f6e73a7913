package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// TableSinkSource is the source alerts are ingested under (it names them in IngestionErrors).
const TableSinkSource = "detection"

// DetectionSource is the DetectionSource of AlertInfo and AlertEvidence rows, as Defender
// names alerts from custom detections.
const DetectionSource = "Custom detection"

// RowIngester writes rows durably (ingest.Service satisfies it).
type RowIngester interface {
	IngestRows(ctx context.Context, tenant, source string, t *schema.Table, rows [][]schema.Value, rejects []ingest.RowError) (*ingest.Result, error)
}

// TableSink stores alerts in the huntable tables: SecurityAlert as Sentinel fills it, and
// AlertInfo and AlertEvidence (one row per entity) as Defender fills them. It is safe for
// concurrent use. Put is at-least-once: when it fails part way the caller's retry may store
// some rows twice; SystemAlertId and AlertId stay the same.
type TableSink struct {
	w                        RowIngester
	security, info, evidence *schema.Table
}

// NewTableSink returns a sink writing through w into the tables of reg.
func NewTableSink(reg *schema.Registry, w RowIngester) (*TableSink, error) {
	s := &TableSink{w: w}
	for _, x := range []struct {
		name string
		t    **schema.Table
	}{{"SecurityAlert", &s.security}, {"AlertInfo", &s.info}, {"AlertEvidence", &s.evidence}} {
		t, ok := reg.Table(x.name)
		if !ok {
			return nil, fmt.Errorf("alert sink: no table %s in the schema", x.name)
		}
		*x.t = t
	}
	return s, nil
}

// Put stores alerts, grouped by tenant; it returns once all rows are durable.
func (s *TableSink) Put(ctx context.Context, alerts []Alert) error {
	byTenant := map[string][]*Alert{}
	var tenants []string
	for i := range alerts {
		a := &alerts[i]
		if _, ok := byTenant[a.Tenant]; !ok {
			tenants = append(tenants, a.Tenant)
		}
		byTenant[a.Tenant] = append(byTenant[a.Tenant], a)
	}
	for _, tenant := range tenants {
		as := byTenant[tenant]
		var sec, info, ev [][]schema.Value
		for _, a := range as {
			sec = append(sec, s.securityRow(a))
			info = append(info, s.infoRow(a))
			ev = append(ev, s.evidenceRows(a)...)
		}
		// Evidence first: an alert whose AlertInfo row is visible has its evidence.
		for _, w := range []struct {
			t    *schema.Table
			rows [][]schema.Value
		}{{s.evidence, ev}, {s.info, info}, {s.security, sec}} {
			if len(w.rows) == 0 {
				continue
			}
			res, err := s.w.IngestRows(ctx, tenant, TableSinkSource, w.t, w.rows, nil)
			if err != nil {
				return fmt.Errorf("store alerts in %s: %w", w.t.Name, err)
			}
			if res != nil && res.Rejected > 0 {
				msg := "rejected"
				if len(res.Errors) > 0 {
					msg = res.Errors[0].Reason
				}
				return fmt.Errorf("store alerts in %s: %d rows rejected: %s", w.t.Name, res.Rejected, msg)
			}
		}
	}
	return nil
}

// row builds rows of one table by column name; unknown names are a programming error.
type row struct {
	t    *schema.Table
	vals []schema.Value
}

func newRow(t *schema.Table) *row { return &row{t: t, vals: make([]schema.Value, len(t.Columns))} }

func (r *row) set(col string, v schema.Value) {
	i, ok := r.t.Column(col)
	if !ok {
		panic(fmt.Sprintf("alert sink: no column %s in %s", col, r.t.Name))
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case time.Time:
		if x.IsZero() {
			return
		}
		v = x.UTC()
	}
	r.vals[i] = v
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func (s *TableSink) securityRow(a *Alert) []schema.Value {
	r := newRow(s.security)
	r.set("TimeGenerated", a.CreatedTime)
	r.set("AlertName", a.Title)
	r.set("DisplayName", a.Title)
	r.set("AlertSeverity", string(a.Severity))
	r.set("Description", a.Description)
	r.set("ProviderName", Provider)
	r.set("ProductName", Provider)
	r.set("ProductComponentName", "Scheduled Alerts")
	r.set("VendorName", Provider)
	r.set("SystemAlertId", a.ID)
	r.set("VendorOriginalId", a.ID)
	r.set("AlertType", a.RuleID)
	r.set("Status", a.Status)
	r.set("IsIncident", false)
	r.set("StartTime", a.StartTime)
	r.set("EndTime", a.EndTime)
	r.set("ProcessingEndTime", a.CreatedTime)
	r.set("Tactics", strings.Join(a.Tactics, ", "))
	tech, sub := splitTechniques(a.Techniques)
	if len(tech) > 0 {
		r.set("Techniques", jsonText(tech))
	}
	if len(sub) > 0 {
		r.set("SubTechniques", jsonText(sub))
	}
	r.set("Entities", SentinelEntities(a.Entities))
	r.set("ExtendedProperties", extendedProperties(a))
	r.set("CompromisedEntity", compromised(a.Entities))
	for k, v := range a.Properties {
		switch k {
		case "AlertLink", "RemediationSteps", "ProductComponentName", "ProductName":
			r.set(k, v)
		}
	}
	return r.vals
}

func (s *TableSink) infoRow(a *Alert) []schema.Value {
	r := newRow(s.info)
	r.set("Timestamp", a.CreatedTime)
	r.set("TimeGenerated", a.CreatedTime)
	r.set("AlertId", a.ID)
	r.set("Title", a.Title)
	if len(a.Tactics) > 0 {
		r.set("Category", a.Tactics[0])
	}
	r.set("Severity", string(a.Severity))
	r.set("ServiceSource", Provider)
	r.set("DetectionSource", DetectionSource)
	if len(a.Techniques) > 0 {
		r.set("AttackTechniques", jsonText(a.Techniques))
	}
	return r.vals
}

func (s *TableSink) evidenceRows(a *Alert) [][]schema.Value {
	out := make([][]schema.Value, 0, len(a.Entities))
	for _, e := range a.Entities {
		r := newRow(s.evidence)
		r.set("Timestamp", a.CreatedTime)
		r.set("TimeGenerated", a.CreatedTime)
		r.set("AlertId", a.ID)
		r.set("Title", a.Title)
		if len(a.Tactics) > 0 {
			r.set("Categories", jsonText(a.Tactics))
		}
		if len(a.Techniques) > 0 {
			r.set("AttackTechniques", jsonText(a.Techniques))
		}
		r.set("ServiceSource", Provider)
		r.set("DetectionSource", DetectionSource)
		r.set("Severity", string(a.Severity))
		typ, role := defenderEntity(e.Type)
		r.set("EntityType", typ)
		r.set("EvidenceRole", role)
		evidenceColumns(r, e)
		r.set("AdditionalFields", jsonText(e.Identifiers))
		out = append(out, r.vals)
	}
	return out
}

// defenderEntity returns AlertEvidence's EntityType for a Sentinel entity type, and its role:
// hosts, accounts and mailboxes are impacted assets, everything else is related evidence.
func defenderEntity(t string) (string, string) {
	names := map[string]string{
		"Account": "User", "Host": "Machine", "IP": "Ip", "File": "File", "FileHash": "File",
		"Process": "Process", "URL": "Url", "DNS": "Url", "Mailbox": "Mailbox", "MailMessage": "MailMessage",
		"MailCluster": "MailCluster", "CloudApplication": "CloudApplication", "AzureResource": "CloudResource",
		"RegistryKey": "RegistryKey", "RegistryValue": "RegistryValue", "SecurityGroup": "SecurityGroup",
		"Malware": "Malware", "IoTDevice": "IoTDevice", "SubmissionMail": "SubmissionMail",
	}
	n, ok := names[t]
	if !ok {
		n = t
	}
	switch t {
	case "Account", "Host", "Mailbox":
		return n, "Impacted"
	}
	return n, "Related"
}

// evidenceColumns fills the AlertEvidence columns Defender fills for the entity's type.
func evidenceColumns(r *row, e Entity) {
	id := e.Identifiers
	switch e.Type {
	case "Host":
		r.set("DeviceName", hostName(id))
		r.set("DeviceId", id["MdatpDeviceId"])
	case "Account":
		name, domain := id["Name"], first(id["NTDomain"], id["DnsDomain"])
		upn := ""
		if full := id["FullName"]; full != "" {
			switch {
			case strings.Contains(full, "@"):
				upn = full
				if name == "" {
					name = full[:strings.Index(full, "@")]
				}
			case strings.Contains(full, `\`):
				d, n, _ := strings.Cut(full, `\`)
				domain, name = first(domain, d), first(name, n)
			default:
				name = first(name, full)
			}
		}
		if upn == "" && name != "" && id["UPNSuffix"] != "" {
			upn = name + "@" + id["UPNSuffix"]
		}
		r.set("AccountName", name)
		r.set("AccountDomain", domain)
		r.set("AccountSid", id["Sid"])
		r.set("AccountObjectId", first(id["AadUserId"], id["ObjectGuid"]))
		r.set("AccountUpn", upn)
	case "IP":
		r.set("RemoteIP", id["Address"])
	case "File":
		r.set("FileName", id["Name"])
		r.set("FolderPath", id["Directory"])
	case "FileHash":
		switch strings.ToUpper(id["Algorithm"]) {
		case "SHA256":
			r.set("SHA256", id["Value"])
		case "SHA1":
			r.set("SHA1", id["Value"])
		}
	case "Process":
		r.set("ProcessCommandLine", id["CommandLine"])
	case "URL":
		r.set("RemoteUrl", id["Url"])
	case "DNS":
		r.set("RemoteUrl", id["DomainName"])
	case "Mailbox":
		r.set("AccountUpn", first(id["MailboxPrimaryAddress"], id["Upn"]))
		r.set("AccountName", id["DisplayName"])
		r.set("AccountObjectId", id["ExternalDirectoryObjectId"])
	case "MailMessage":
		r.set("NetworkMessageId", id["NetworkMessageId"])
		r.set("EmailSubject", id["Subject"])
		r.set("AccountUpn", id["Recipient"])
	case "CloudApplication":
		r.set("Application", id["Name"])
		if n, err := strconv.ParseInt(id["AppId"], 10, 32); err == nil {
			r.set("ApplicationId", int32(n))
		}
	case "AzureResource":
		r.set("ResourceID", id["ResourceId"])
		r.set("CloudResource", id["ResourceId"])
	case "RegistryKey":
		key := id["Key"]
		if h := id["Hive"]; h != "" && key != "" {
			key = h + `\` + key
		}
		r.set("RegistryKey", key)
	case "RegistryValue":
		r.set("RegistryValueName", id["Name"])
		r.set("RegistryValueData", id["Value"])
	case "SecurityGroup":
		r.set("AccountSid", id["SID"])
		r.set("AccountObjectId", id["ObjectGuid"])
	case "Malware":
		r.set("ThreatFamily", id["Name"])
	}
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func hostName(id map[string]string) string {
	if f := id["FullName"]; f != "" {
		return f
	}
	h := first(id["HostName"], id["NetBiosName"])
	if h != "" && id["DnsDomain"] != "" {
		h += "." + id["DnsDomain"]
	}
	return h
}

// sentinelTypes are the Type values of entities in SecurityAlert.Entities.
var sentinelTypes = map[string]string{
	"Account": "account", "Host": "host", "IP": "ip", "File": "file", "FileHash": "filehash",
	"Process": "process", "URL": "url", "DNS": "dns", "Mailbox": "mailbox", "MailMessage": "mail-message",
	"MailCluster": "mail-cluster", "CloudApplication": "cloud-application", "AzureResource": "azure-resource",
	"RegistryKey": "registry-key", "RegistryValue": "registry-value", "SecurityGroup": "security-group",
	"Malware": "malware", "IoTDevice": "iotdevice", "SubmissionMail": "SubmissionMail",
}

// SentinelEntities renders entities as SecurityAlert.Entities holds them: a JSON array of
// objects with a "$id", a lower-case "Type" and the identifiers as properties (a Host's
// FullName also split into HostName and DnsDomain, an Account's into Name and NTDomain or
// UPNSuffix).
func SentinelEntities(es []Entity) string {
	if len(es) == 0 {
		return ""
	}
	out := make([]map[string]any, 0, len(es))
	for i, e := range es {
		m := map[string]any{"$id": strconv.Itoa(i + 2)}
		keys := make([]string, 0, len(e.Identifiers))
		for k := range e.Identifiers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m[k] = e.Identifiers[k]
		}
		full := e.Identifiers["FullName"]
		switch {
		case e.Type == "Host" && full != "" && e.Identifiers["HostName"] == "":
			h, d, _ := strings.Cut(full, ".")
			m["HostName"] = h
			if d != "" && e.Identifiers["DnsDomain"] == "" {
				m["DnsDomain"] = d
			}
			delete(m, "FullName")
		case e.Type == "Account" && full != "" && e.Identifiers["Name"] == "":
			if n, d, ok := strings.Cut(full, "@"); ok {
				m["Name"], m["UPNSuffix"] = n, d
			} else if d, n, ok := strings.Cut(full, `\`); ok {
				m["Name"], m["NTDomain"] = n, d
			} else {
				m["Name"] = full
			}
			delete(m, "FullName")
		}
		t, ok := sentinelTypes[e.Type]
		if !ok {
			t = strings.ToLower(e.Type)
		}
		m["Type"] = t
		out = append(out, m)
	}
	return jsonText(out)
}

// extendedProperties is SecurityAlert.ExtendedProperties: a JSON object of strings.
func extendedProperties(a *Alert) string {
	p := map[string]string{
		"Analytic Rule Ids":                  jsonText([]string{a.RuleID}),
		"Analytic Rule Name":                 a.RuleName,
		"Query Start Time UTC":               a.StartTime.UTC().Format(time.RFC3339Nano),
		"Query End Time UTC":                 a.EndTime.UTC().Format(time.RFC3339Nano),
		"Search Query Results Overall Count": strconv.Itoa(len(a.Evidence.Rows)),
		"ProductComponentName":               "Scheduled Alerts",
	}
	if a.RuleVersion != "" {
		p["Analytic Rule Version"] = a.RuleVersion
	}
	if len(a.CustomDetails) > 0 {
		p["Custom Details"] = jsonText(a.CustomDetails)
	}
	for k, v := range a.Properties {
		p[k] = v
	}
	return jsonText(p)
}

// compromised names the alert's first host, or else its first account.
func compromised(es []Entity) string {
	for _, t := range []string{"Host", "Account"} {
		for _, e := range es {
			if e.Type != t {
				continue
			}
			if t == "Host" {
				return hostName(e.Identifiers)
			}
			return first(e.Identifiers["FullName"], e.Identifiers["Name"], e.Identifiers["AadUserId"])
		}
	}
	return ""
}

func splitTechniques(ts []string) (tech, sub []string) {
	seen := map[string]bool{}
	for _, t := range ts {
		parent, _, isSub := strings.Cut(t, ".")
		if isSub {
			sub = append(sub, t)
		}
		if !seen[parent] {
			seen[parent] = true
			tech = append(tech, parent)
		}
	}
	return tech, sub
}

var _ Sink = (*TableSink)(nil)

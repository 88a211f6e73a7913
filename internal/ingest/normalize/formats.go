package normalize

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// Format is a source format a Normalizer reads: how its records are packed in a file or
// request body, and how one record maps to rows. Most are JSON (envelopes and mapRecord); a
// text format (text set) reads the whole body itself.
type Format struct {
	Name string
	// Tables are the tables its records fill; the first is where unreadable input is recorded.
	Tables []string
	// Doc says in a line what the format is.
	Doc string
	// envelopes are the members of a top-level object that hold an array of records.
	envelopes []string
	mapRecord func(n *Normalizer, o jobj) []Record
	// text maps a whole body of a line-based format; host names the device when the records
	// do not.
	text func(n *Normalizer, data []byte, host string) []Item
}

// formats lists every JSON source format, dispatched by name.
func formats() []*Format {
	return []*Format{
		{Name: "entra-signin", Tables: []string{"SigninLogs", "AADNonInteractiveUserSignInLogs", "AADSignInEventsBeta"},
			Doc:       "Microsoft Entra ID sign-ins: Graph signIn objects or Azure Monitor diagnostic records",
			envelopes: []string{"records", "value"}, mapRecord: (*Normalizer).entraRecords},
		{Name: "entra-audit", Tables: []string{"AuditLogs"},
			Doc:       "Microsoft Entra ID audit logs: Graph directoryAudit objects or Azure Monitor diagnostic records",
			envelopes: []string{"records", "value"}, mapRecord: (*Normalizer).entraAuditRecords},
		{Name: "o365-audit", Tables: []string{"OfficeActivity", "CloudAppEvents", "UrlClickEvents"},
			Doc:       "Office 365 Management Activity API audit records (Exchange, SharePoint, OneDrive, Azure AD, Teams)",
			envelopes: []string{"records", "value"}, mapRecord: (*Normalizer).o365Records},
		{Name: "cloudtrail", Tables: []string{"AWSCloudTrail"},
			Doc:       "AWS CloudTrail log files ({\"Records\":[...]}) or single events",
			envelopes: []string{"Records"}, mapRecord: (*Normalizer).cloudTrailRecords},
		{Name: "email-trace", Tables: []string{"EmailEvents", "EmailAttachmentInfo", "EmailUrlInfo"},
			Doc:       "mail flow records: Exchange Online message trace with Defender for Office verdicts",
			envelopes: []string{"value", "records"}, mapRecord: (*Normalizer).emailRecords},
		{Name: "url-click", Tables: []string{"UrlClickEvents"},
			Doc:       "Safe Links time-of-click records (the ThreatIntelligenceUrl audit record)",
			envelopes: []string{"value", "records"}, mapRecord: (*Normalizer).urlClickRecords},
		{Name: AuditdFormat, Tables: []string{SyslogTable, "DeviceProcessEvents", "DeviceLogonEvents"},
			Doc:  "Linux audit log text (/var/log/audit/audit.log, raw or enriched), grouped into events",
			text: (*Normalizer).auditdItems},
		{Name: oktaFormat, Tables: []string{"OktaSSO"},
			Doc:       "Okta System Log API LogEvent objects",
			envelopes: []string{"value", "records"}, mapRecord: (*Normalizer).oktaRecords},
		{Name: gitHubAuditFormat, Tables: []string{"GitHubAuditData"},
			Doc:       "GitHub enterprise or organization audit log events (REST API or audit log streaming)",
			envelopes: []string{"value", "records"}, mapRecord: (*Normalizer).gitHubAuditRecords},
		{Name: zeekFormat, Tables: []string{asimNetTable, asimDNSTable, asimWebTable},
			Doc:  "Zeek conn, dns, http and ssl logs, as Zeek TSV (with # headers) or Zeek JSON",
			text: (*Normalizer).zeekItems},
		{Name: suricataFormat, Tables: []string{asimNetTable, CEFTable, asimDNSTable, asimWebTable},
			Doc:       "Suricata EVE JSON (eve.json): alert, flow, dns, http and tls events",
			mapRecord: (*Normalizer).suricataRecords},
	}
}

// Normalizer maps records of the JSON cloud, identity and email formats to rows of the schema
// tables. It is immutable after NewNormalizer and safe for concurrent use.
type Normalizer struct {
	tables  map[string]*winTable
	folded  map[string]map[string]string // table -> lower-case column name -> column name
	formats map[string]*Format
}

// NewNormalizer resolves the tables of every format in reg.
func NewNormalizer(reg *schema.Registry) (*Normalizer, error) {
	n := &Normalizer{tables: map[string]*winTable{}, folded: map[string]map[string]string{}, formats: map[string]*Format{}}
	for _, f := range formats() {
		n.formats[f.Name] = f
		for _, name := range f.Tables {
			if err := n.addTable(reg, name); err != nil {
				return nil, err
			}
		}
	}
	return n, nil
}

func (n *Normalizer) addTable(reg *schema.Registry, name string) error {
	if n.tables[name] != nil {
		return nil
	}
	t, ok := reg.Table(name)
	if !ok {
		return fmt.Errorf("normalize: table %s is not in the registry", name)
	}
	wt := &winTable{t: t, cols: make(map[string]target, len(t.Columns))}
	fold := make(map[string]string, len(t.Columns))
	for i, c := range t.Columns {
		wt.cols[c.Name] = target{col: i, typ: c.Type}
		fold[strings.ToLower(c.Name)] = c.Name
	}
	n.tables[name], n.folded[name] = wt, fold
	return nil
}

// Formats returns the names of the formats, sorted.
func (n *Normalizer) Formats() []string {
	out := make([]string, 0, len(n.formats))
	for name := range n.formats {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Format returns the format called name.
func (n *Normalizer) Format(name string) (*Format, bool) {
	f, ok := n.formats[name]
	return f, ok
}

// Item is one source record and the rows (or errors) it became.
type Item struct {
	Offset  int    // byte offset of the record in the input
	Raw     []byte // the record's text, for IngestionErrors
	Records []Record
}

// Normalize splits data into records of the format called name and maps each to rows. A record
// that cannot be read or mapped becomes a Record with Err set, naming the table it was meant
// for. It fails only for an unknown format.
func (n *Normalizer) Normalize(name string, data []byte) ([]Item, error) {
	return n.NormalizeHost(name, data, "")
}

// NormalizeHost is Normalize for input sent for the device called host, which names the
// device of records that do not name theirs (auditd lines without node=).
func (n *Normalizer) NormalizeHost(name string, data []byte, host string) ([]Item, error) {
	f, ok := n.formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(n.Formats(), ", "))
	}
	if f.text != nil {
		return f.text(n, data, host), nil
	}
	items := splitJSON(data, f.envelopes)
	out := make([]Item, 0, len(items))
	for _, it := range items {
		item := Item{Offset: it.Offset, Raw: it.Raw}
		if it.Err != nil {
			item.Records = []Record{n.fail(f.Name, f.Tables[0], it.Err.Error())}
		} else {
			item.Records = f.mapRecord(n, it.Obj)
		}
		out = append(out, item)
	}
	return out, nil
}

// row starts a row of table.
func (n *Normalizer) row(table string) jrow {
	wt := n.tables[table]
	return jrow{&winRow{wt: wt, row: make([]schema.Value, len(wt.t.Columns))}}
}

// fail is a record of table that could not be mapped, with the reason.
func (n *Normalizer) fail(format, table, reason string) Record {
	return Record{Table: n.tables[table].t, Err: &ParseError{Format: format, Reason: reason}}
}

// done returns the row's record, or an error record naming the format.
func (r jrow) done(format string) Record {
	rec := r.record()
	if rec.Err != nil {
		rec.Err.Format = format
	}
	return rec
}

// putSame copies every member of o whose name is a column of the row's table (in any letter
// case) and not in skip, converting it to the column's type. Members that do not fit are left
// out.
func (n *Normalizer) putSame(r jrow, o jobj, skip map[string]bool) {
	fold := n.folded[r.wt.t.Name]
	for _, f := range o {
		col, ok := fold[strings.ToLower(f.k)]
		if !ok || skip[col] {
			continue
		}
		r.put(col, f.v)
	}
}

package investigate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Events runs the investigation's KQL over the event store, as the tenant.
type Events struct {
	Registry *schema.Registry
	Store    store.Store
}

// rows is a query's answer, read by column name.
type rows struct {
	col map[string]int
	res *store.Result
}

func (r rows) str(row []any, name string) string {
	i, ok := r.col[name]
	if !ok || i >= len(row) || row[i] == nil {
		return ""
	}
	if s, ok := row[i].(string); ok {
		return s
	}
	return fmt.Sprint(row[i])
}

func (r rows) time(row []any, name string) time.Time {
	i, ok := r.col[name]
	if !ok || i >= len(row) {
		return time.Time{}
	}
	switch v := row[i].(type) {
	case time.Time:
		return v.UTC()
	case string: // the store renders datetimes as Kusto does, in ISO 8601 UTC
		t, _ := time.Parse(time.RFC3339Nano, v)
		return t.UTC()
	}
	return time.Time{}
}

func (r rows) int(row []any, name string) int {
	i, ok := r.col[name]
	if !ok || i >= len(row) {
		return 0
	}
	switch v := row[i].(type) {
	case int64:
		return int(v)
	case int32:
		return int(v)
	case int:
		return v
	case float64:
		return int(v)
	}
	return 0
}

// query compiles src for tenant over [from, to) (no time limit when from is zero) and runs
// it, returning at most limit rows.
func (e Events) query(ctx context.Context, tenant, src string, from, to time.Time, limit int) (rows, error) {
	discover := func(ctx context.Context, sql string) ([][]any, error) {
		res, err := e.Store.Query(ctx, sql, kql.MaxDiscovered+1)
		if err != nil {
			return nil, err
		}
		return res.Rows, nil
	}
	q, diags, err := kql.CompileDiscover(ctx, src, e.Registry, kql.Options{Tenant: tenant, From: from, To: to}, discover)
	if err != nil {
		return rows{}, fmt.Errorf("investigation query: %w", err)
	}
	if q == nil {
		return rows{}, fmt.Errorf("investigation query does not compile: %v", diags)
	}
	res, err := e.Store.Query(ctx, q.SQL, limit)
	if err != nil {
		return rows{}, fmt.Errorf("investigation query: %w", err)
	}
	col := make(map[string]int, len(res.Columns))
	for i, c := range res.Columns {
		col[c.Name] = i
	}
	return rows{col: col, res: res}, nil
}

// list renders values as a KQL list of string literals: ("a", "b").
func list(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = syntax.QuoteString(v)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// deviceFiles collects the files run or written on devices in the window.
func (e Events) deviceFiles(ctx context.Context, tenant string, devices []string, from, to time.Time) ([]Evidence, error) {
	src := `union
  (DeviceProcessEvents | where DeviceName in~ ` + list(devices) + ` and isnotempty(SHA256)
    | project DeviceName, SHA256, FolderPath, FileName, Detail = ProcessCommandLine, Timestamp),
  (DeviceFileEvents | where DeviceName in~ ` + list(devices) + ` and isnotempty(SHA256)
    | where ActionType in ("FileCreated", "FileModified", "FileRenamed")
    | project DeviceName, SHA256, FolderPath, FileName, Detail = strcat("written by ", InitiatingProcessFileName), Timestamp)
| summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp), FolderPath = take_any(FolderPath),
    FileName = take_any(FileName), Detail = take_any(Detail) by DeviceName, SHA256 = tolower(SHA256)
| top 200 by LastSeen desc`
	r, err := e.query(ctx, tenant, src, from, to, 200)
	if err != nil {
		return nil, err
	}
	out := make([]Evidence, 0, len(r.res.Rows))
	for _, row := range r.res.Rows {
		out = append(out, Evidence{Kind: File, Value: r.str(row, "SHA256"), Device: r.str(row, "DeviceName"),
			Path: r.str(row, "FolderPath"), Name: r.str(row, "FileName"), Detail: r.str(row, "Detail"),
			FirstSeen: r.time(row, "FirstSeen"), LastSeen: r.time(row, "LastSeen")})
	}
	return out, nil
}

// deviceConnections collects the public addresses and URLs devices talked to in the window.
func (e Events) deviceConnections(ctx context.Context, tenant string, devices []string, from, to time.Time) ([]Evidence, error) {
	src := `DeviceNetworkEvents | where DeviceName in~ ` + list(devices) + ` and isnotempty(RemoteIP)
| where not(ipv4_is_private(RemoteIP)) and RemoteIP !in ("127.0.0.1", "0.0.0.0")
| summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp), RemoteUrl = take_any(RemoteUrl),
    Process = take_any(InitiatingProcessFileName) by DeviceName, RemoteIP
| top 200 by LastSeen desc`
	r, err := e.query(ctx, tenant, src, from, to, 200)
	if err != nil {
		return nil, err
	}
	var out []Evidence
	for _, row := range r.res.Rows {
		dev, ip := r.str(row, "DeviceName"), r.str(row, "RemoteIP")
		detail := "connected from " + dev
		if p := r.str(row, "Process"); p != "" {
			detail += " by " + p
		}
		first, last := r.time(row, "FirstSeen"), r.time(row, "LastSeen")
		out = append(out, Evidence{Kind: IP, Value: ip, Device: dev, Detail: detail, FirstSeen: first, LastSeen: last})
		if u := r.str(row, "RemoteUrl"); u != "" {
			out = append(out, Evidence{Kind: URL, Value: u, Device: dev, Detail: detail + " (" + ip + ")", FirstSeen: first, LastSeen: last})
		}
	}
	return out, nil
}

// mailboxMessages collects the messages delivered to mailboxes in the window, with their
// attachments' hashes and URLs as the message's indicators.
func (e Events) mailboxMessages(ctx context.Context, tenant string, mailboxes []string, from, to time.Time) ([]Evidence, map[string][]string, error) {
	src := `EmailEvents | where RecipientEmailAddress in~ ` + list(mailboxes) + `
| project NetworkMessageId, InternetMessageId, RecipientEmailAddress, SenderFromAddress, Subject, Timestamp
| top 100 by Timestamp desc`
	r, err := e.query(ctx, tenant, src, from, to, 100)
	if err != nil {
		return nil, nil, err
	}
	var out []Evidence
	var ids []string
	for _, row := range r.res.Rows {
		id := r.str(row, "NetworkMessageId")
		if id == "" {
			continue
		}
		ids = append(ids, id)
		out = append(out, Evidence{Kind: Message, Value: id, Name: r.str(row, "InternetMessageId"),
			Mailbox:   r.str(row, "RecipientEmailAddress"),
			Detail:    fmt.Sprintf("%q from %s", r.str(row, "Subject"), r.str(row, "SenderFromAddress")),
			FirstSeen: r.time(row, "Timestamp"), LastSeen: r.time(row, "Timestamp")})
	}
	if len(ids) == 0 {
		return out, nil, nil
	}
	// Attachments and URLs may be stamped a little after the message: widen the window.
	src = `union
  (EmailAttachmentInfo | where NetworkMessageId in ` + list(ids) + ` and isnotempty(SHA256) | project NetworkMessageId, Value = tolower(SHA256)),
  (EmailUrlInfo | where NetworkMessageId in ` + list(ids) + ` and isnotempty(Url) | project NetworkMessageId, Value = Url)
| distinct NetworkMessageId, Value`
	r, err = e.query(ctx, tenant, src, from.Add(-time.Hour), to.Add(time.Hour), 1000)
	if err != nil {
		return nil, nil, err
	}
	indicators := map[string][]string{}
	for _, row := range r.res.Rows {
		id := r.str(row, "NetworkMessageId")
		indicators[id] = append(indicators[id], r.str(row, "Value"))
	}
	return out, indicators, nil
}

// prevalence counts the devices that ran or wrote each file since from.
func (e Events) prevalence(ctx context.Context, tenant string, hashes []string, from, to time.Time) (map[string]int, int, error) {
	out := map[string]int{}
	if len(hashes) == 0 {
		return out, 0, nil
	}
	src := `union DeviceProcessEvents, DeviceFileEvents | where SHA256 in~ ` + list(hashes) + `
| summarize Devices = dcount(DeviceName) by SHA256 = tolower(SHA256)`
	r, err := e.query(ctx, tenant, src, from, to, len(hashes))
	if err != nil {
		return nil, 0, err
	}
	for _, row := range r.res.Rows {
		out[r.str(row, "SHA256")] = r.int(row, "Devices")
	}
	r, err = e.query(ctx, tenant, `union DeviceProcessEvents, DeviceInfo | summarize Fleet = dcount(DeviceName)`, from, to, 1)
	if err != nil {
		return nil, 0, err
	}
	fleet := 0
	if len(r.res.Rows) == 1 {
		fleet = r.int(r.res.Rows[0], "Fleet")
	}
	return out, fleet, nil
}

// intel returns the active threat-intelligence indicators among values, by lower-case value,
// with a line describing each.
func (e Events) intel(ctx context.Context, tenant string, values []string) (map[string]string, error) {
	out := map[string]string{}
	if len(values) == 0 {
		return out, nil
	}
	var domains []string
	for _, v := range values {
		if h := hostOf(v); h != "" {
			domains = append(domains, h)
		}
	}
	l := list(values)
	src := `ThreatIntelligenceIndicator | where Active == true and (isnull(ExpirationDateTime) or ExpirationDateTime > now())
| where FileHashValue in~ ` + l + ` or NetworkIP in ` + l + ` or Url in~ ` + l
	if len(domains) > 0 {
		src += ` or DomainName in~ ` + list(domains)
	}
	src += `
| project FileHashValue, NetworkIP, Url, DomainName, Description, ThreatType, ConfidenceScore`
	r, err := e.query(ctx, tenant, src, time.Time{}, time.Time{}, 1000)
	if err != nil {
		return nil, err
	}
	for _, row := range r.res.Rows {
		what := strings.TrimSpace(r.str(row, "ThreatType") + " " + r.str(row, "Description"))
		if c := r.str(row, "ConfidenceScore"); c != "" {
			what += " (confidence " + c + ")"
		}
		for _, c := range []string{"FileHashValue", "NetworkIP", "Url", "DomainName"} {
			if v := strings.ToLower(r.str(row, c)); v != "" {
				out[v] = what
			}
		}
	}
	// A URL matches an indicator of its host.
	for _, v := range values {
		if h := hostOf(v); h != "" {
			if what, ok := out[h]; ok && out[strings.ToLower(v)] == "" {
				out[strings.ToLower(v)] = what + " (domain " + h + ")"
			}
		}
	}
	return out, nil
}

// hostOf returns the lower-case host of a URL or bare domain, "" for other values.
func hostOf(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.Index(v, "://"); i >= 0 {
		v = v[i+3:]
	} else if !strings.Contains(v, ".") || strings.Trim(v, "0123456789.") == "" || len(v) == 64 {
		return "" // not a URL: an address or a hash
	}
	if i := strings.IndexAny(v, "/?#"); i >= 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		v = v[i+1:]
	}
	if i := strings.LastIndexByte(v, ':'); i >= 0 && !strings.Contains(v[i:], "]") {
		v = v[:i]
	}
	if slices.Contains([]string{"", "localhost"}, v) {
		return ""
	}
	return v
}

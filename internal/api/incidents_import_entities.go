package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
)

// graphEvidenceEntity converts one Graph evidence object to an entity; evidence types
// Vigil does not correlate on are kept out (nil).
func graphEvidenceEntity(x any) (*alert.Entity, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	typ, _ := m["@odata.type"].(string)
	if typ == "" {
		return nil, errors.New("@odata.type is required")
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	ids := map[string]string{}
	var et string
	switch strings.TrimPrefix(typ, "#microsoft.graph.security.") {
	case "deviceEvidence":
		et, ids["HostName"], ids["MdatpDeviceId"] = "Host", str("deviceDnsName"), str("mdeDeviceId")
	case "userEvidence":
		u, _ := m["userAccount"].(map[string]any)
		get := func(k string) string { s, _ := u[k].(string); return s }
		et, ids["Name"], ids["Sid"], ids["AadUserId"], ids["FullName"] = "Account", get("accountName"), get("userSid"), get("azureAdUserId"), get("userPrincipalName")
	case "ipEvidence":
		et, ids["Address"] = "IP", str("ipAddress")
	case "urlEvidence":
		et, ids["Url"] = "URL", str("url")
	case "mailboxEvidence":
		et, ids["MailboxPrimaryAddress"] = "Mailbox", str("primaryAddress")
	case "fileHashEvidence":
		et, ids["Value"], ids["Algorithm"] = "FileHash", str("hashValue"), str("algorithm")
	case "fileEvidence":
		f, _ := m["fileDetails"].(map[string]any)
		sha, _ := f["sha256"].(string)
		if sha == "" {
			return nil, nil
		}
		et, ids["Value"], ids["Algorithm"] = "FileHash", sha, "SHA256"
	case "cloudApplicationEvidence":
		et, ids["Name"], ids["AppId"] = "CloudApplication", str("displayName"), fmt.Sprint(m["appId"])
	default:
		return nil, nil
	}
	for k, v := range ids {
		if v == "" || v == "<nil>" {
			delete(ids, k)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s has no identifying property", typ)
	}
	return &alert.Entity{Type: et, Identifiers: ids}, nil
}

// sentinelEntityTypes maps SecurityAlert.Entities' Type values to Vigil's entity types.
var sentinelEntityTypes = map[string]string{
	"account": "Account", "host": "Host", "ip": "IP", "file": "File", "filehash": "FileHash", "process": "Process",
	"url": "URL", "dns": "DNS", "mailbox": "Mailbox", "mail-message": "MailMessage", "cloud-application": "CloudApplication",
	"azure-resource": "AzureResource", "registry-key": "RegistryKey", "registry-value": "RegistryValue",
	"security-group": "SecurityGroup", "malware": "Malware",
}

// sentinelAlert converts a SecurityAlert row: SystemAlertId, AlertName (or DisplayName) and
// AlertSeverity required; Entities is the JSON array (or its text) Sentinel writes.
func sentinelAlert(m map[string]any, tenant string, now time.Time) (alert.Alert, error) {
	o := &obj{m: m}
	a := alert.Alert{ID: o.str("SystemAlertId", true), Tenant: tenant, Status: alert.StatusNew}
	a.Title = firstNonEmpty(o.str("AlertName", false), o.str("DisplayName", false))
	if a.Title == "" && o.err == nil {
		o.err = fieldError("AlertName", "is required")
	}
	a.Severity = o.severity("AlertSeverity")
	a.Description = o.str("Description", false)
	a.Provider = firstNonEmpty(o.str("ProviderName", false), o.str("ProductName", false), "thirdParty")
	a.RuleID = firstNonEmpty(o.str("AlertType", false), a.Provider+":"+a.Title)
	a.RuleName = a.Title
	a.CreatedTime = o.time("TimeGenerated", now)
	a.StartTime = o.time("StartTime", a.CreatedTime)
	a.EndTime = o.time("EndTime", a.CreatedTime)
	a.Tactics = o.strs("Tactics")
	a.Techniques = o.strs("Techniques")
	if o.err != nil {
		return alert.Alert{}, o.err
	}
	ents, err := sentinelEntities(m["Entities"])
	if err != nil {
		return alert.Alert{}, fieldError("Entities", "%v", err)
	}
	a.Entities = ents
	return a, nil
}

func sentinelEntities(v any) ([]alert.Entity, error) {
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("not a JSON array: %w", err)
		}
	}
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("must be a JSON array of entities")
	}
	var out []alert.Entity
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("[%d]: not an object", i)
		}
		t, _ := m["Type"].(string)
		et, known := sentinelEntityTypes[strings.ToLower(t)]
		if !known {
			if t == "" {
				return nil, fmt.Errorf("[%d]: Type is required", i)
			}
			continue
		}
		ids := map[string]string{}
		for k, val := range m {
			if s, ok := val.(string); ok && k != "Type" && k != "$id" && s != "" {
				ids[k] = s
			}
		}
		out = append(out, alert.Entity{Type: et, Identifiers: ids})
	}
	return out, nil
}

package normalize

import "strings"

// Microsoft Entra ID audit logs ("entra-audit").
//
// Input, one record each of: a Graph directoryAudit object (GET /auditLogs/directoryAudits:
// id, activityDateTime, activityDisplayName, category, correlationId, result, resultReason,
// loggedByService, operationType, initiatedBy{user|app}, targetResources[], additionalDetails[]),
// a Graph page {"value":[...]}, or an Azure Monitor diagnostic record of category AuditLogs
// (time, tenantId, operationName, resultSignature, properties{the directoryAudit}); an export
// blob {"records":[...]} is split. Diagnostic streams mixing categories may be sent as
// entra-signin too: its AuditLogs records are mapped here.
//
// Each record becomes an AuditLogs row as Sentinel's Entra ID connector fills it: OperationName
// and ActivityDisplayName the activity ("Add member to role"), Result, ResultReason, Category,
// AADOperationType the operation type, InitiatedBy, TargetResources and AdditionalDetails as
// objects, Identity the initiating user's or app's display name.

const entraAuditFormat = "entra-audit"

// entraAuditSame maps AuditLogs columns to the directoryAudit properties they copy.
var entraAuditSame = map[string]string{
	"Id": "id", "ActivityDateTime": "activityDateTime", "ActivityDisplayName": "activityDisplayName",
	"OperationName": "activityDisplayName", "Category": "category", "CorrelationId": "correlationId", "Result": "result",
	"ResultReason": "resultReason", "LoggedByService": "loggedByService", "AADOperationType": "operationType",
	"InitiatedBy": "initiatedBy", "TargetResources": "targetResources", "AdditionalDetails": "additionalDetails",
}

// entraAuditRecords maps one audit record to AuditLogs.
func (n *Normalizer) entraAuditRecords(o jobj) []Record {
	const table = "AuditLogs"
	p, diag := o.obj("properties"), true
	if p == nil {
		p, diag = o, false
	}
	if cat := o.text("category"); diag && cat != "" && !strings.EqualFold(cat, "AuditLogs") {
		return []Record{n.fail(entraAuditFormat, table, "category "+clip(cat)+" is not an audit log")}
	}
	t, err := requireTime(o, "properties.activityDateTime", "activityDateTime", "time")
	if err != nil {
		return []Record{n.fail(entraAuditFormat, table, err.Error())}
	}
	if p.text("activityDisplayName") == "" {
		return []Record{n.fail(entraAuditFormat, table, "missing activityDisplayName")}
	}
	r := n.row(table)
	r.setValue("TimeGenerated", t)
	if diag {
		r.put("AADTenantId", o.get("tenantId"))
		for _, k := range []string{"resourceId", "operationVersion", "resultSignature", "resultType", "resultDescription", "durationMs", "Level", "location"} {
			r.put(n.folded[table][strings.ToLower(k)], o.get(k))
		}
	}
	for col, src := range entraAuditSame {
		r.putPath(col, p, src)
	}
	id := p.text("initiatedBy.user.displayName")
	if id == "" {
		id = p.text("initiatedBy.app.displayName")
	}
	r.set("Identity", id)
	r.fill("OperationVersion", "1.0")
	r.set("SourceSystem", "Azure AD")
	return []Record{r.done(entraAuditFormat)}
}

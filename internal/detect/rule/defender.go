package rule

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// defenderPeriods maps a custom detection's run frequency to its look-back window, as
// Defender XDR documents them; period 0 is a continuous (NRT) rule.
var defenderPeriods = map[time.Duration]time.Duration{
	0:              0,
	time.Hour:      4 * time.Hour,
	3 * time.Hour:  12 * time.Hour,
	12 * time.Hour: 48 * time.Hour,
	24 * time.Hour: 30 * 24 * time.Hour,
}

// defenderIdentifier maps an impacted-asset identifier to a Sentinel entity identifier.
type defenderIdentifier struct{ entity, identifier string }

var defenderIdentifiers = map[string]defenderIdentifier{
	"deviceId": {"Host", "MdatpDeviceId"}, "deviceName": {"Host", "FullName"},
	"remoteDeviceName": {"Host", "FullName"}, "targetDeviceName": {"Host", "FullName"},
	"destinationDeviceName": {"Host", "FullName"},
	"accountObjectId":       {"Account", "AadUserId"}, "recipientObjectId": {"Account", "AadUserId"},
	"initiatingProcessAccountObjectId": {"Account", "AadUserId"}, "processAccountObjectId": {"Account", "AadUserId"},
	"accountSid": {"Account", "Sid"}, "initiatingProcessAccountSid": {"Account", "Sid"},
	"requestAccountSid": {"Account", "Sid"}, "initiatingAccountSid": {"Account", "Sid"},
	"accountUpn": {"Account", "FullName"}, "initiatingProcessAccountUpn": {"Account", "FullName"},
	"targetAccountUpn": {"Account", "FullName"}, "accountName": {"Account", "Name"},
	"initiatingAccountName": {"Account", "Name"}, "requestAccountName": {"Account", "Name"},
	"recipientEmailAddress": {"Mailbox", "MailboxPrimaryAddress"},
	"senderFromAddress":     {"Mailbox", "MailboxPrimaryAddress"}, "senderMailFromAddress": {"Mailbox", "MailboxPrimaryAddress"},
}

var defenderActions = map[string]bool{
	"isolateDevice": true, "collectInvestigationPackage": true, "restrictAppExecution": true,
	"runAntivirusScan": true, "initiateInvestigation": true, "markUserAsCompromised": true,
	"disableUser": true, "forceUserPasswordReset": true, "softDeleteEmail": true, "hardDeleteEmail": true,
	"moveToDeletedItems": true, "moveToInbox": true, "moveToJunk": true, "stopAndQuarantineFile": true,
	"allowFile": true, "blockFile": true,
}

var defenderKeys = []string{
	"@odata.type", "@odata.context", "@odata.etag", "id", "displayName", "isEnabled", "createdBy",
	"createdDateTime", "lastModifiedDateTime", "lastModifiedBy", "detectorId", "queryCondition",
	"schedule", "lastRunDetails", "detectionAction",
}

// ParseDefenderJSON reads Defender XDR custom detections shaped as the Graph detectionRule
// resource: one object, a JSON array, or a list response {"value": [...]}.
func ParseDefenderJSON(file string, data []byte) (rules []*Rule, findings []Finding) {
	defer func() {
		if p := recover(); p != nil {
			rules = nil
			findings = append(findings, Finding{File: file, Pos: Pos{Line: 1, Col: 1}, Message: fmt.Sprintf("internal error reading rule: %v", p)})
		}
	}()
	d := newDecoder(file, data)
	root, ok := d.document()
	if !ok {
		return nil, d.findings
	}
	items := []*yaml.Node{root}
	if root.Kind == yaml.SequenceNode {
		items = root.Content
	} else if v := mapValue(root, "value"); v != nil && v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for i, n := range items {
		if r := d.defenderRule(n, i); r != nil {
			rules = append(rules, r)
		}
	}
	return rules, d.findings
}

func (d *decoder) defenderRule(n *yaml.Node, index int) *Rule {
	d.reset()
	o := d.object(n, "", "a detection rule")
	if n.Kind != yaml.MappingNode {
		return nil
	}
	o.known(defenderKeys...)
	r := &Rule{Format: FormatDefender, Enabled: true, Kind: KindScheduled, EventGrouping: AlertPerResult,
		Trigger: Trigger{Operator: OpGreaterThan}, Source: Source{File: d.file, Index: index},
		Incident: IncidentConfiguration{CreateIncident: true}}
	r.ID, r.Name = o.str("id"), o.str("displayName")
	if r.ID == "" {
		r.ID = o.str("detectorId")
	}
	if b, ok := o.boolean("isEnabled"); ok {
		r.Enabled = b
	}
	q := d.object(o.get("queryCondition"), "queryCondition", "queryCondition")
	q.known("queryText", "lastModifiedDateTime")
	r.Query = q.str("queryText")
	d.defenderSchedule(o, r)
	da := d.object(o.get("detectionAction"), "detectionAction", "detectionAction")
	da.known("alertTemplate", "organizationalScope", "responseActions", "automatedActions")
	d.alertTemplate(da, r)
	d.responseActions(da, r)
	r.src = &sourceMap{pos: d.pos, query: d.queryMap(q.get("queryText"))}
	if o.get("queryCondition") == nil {
		d.errorf(n, "detection rule has no queryCondition")
	}
	return r
}

func (d *decoder) defenderSchedule(o *obj, r *Rule) {
	s := d.object(o.get("schedule"), "schedule", "schedule")
	s.known("period", "nextRunDateTime")
	pn := s.get("period")
	if pn == nil {
		d.errorf(o.node, "detection rule has no schedule.period")
		return
	}
	p := s.duration("period")
	look, ok := defenderPeriods[p.Std()]
	if !ok {
		d.errorf(pn, "schedule.period %q is not a Defender frequency (0, 1H, 3H, 12H or 24H)", pn.Value)
		return
	}
	if p == 0 {
		r.Kind = KindNRT
	}
	r.Frequency, r.Period = p, Duration(look)
}

func (d *decoder) alertTemplate(da *obj, r *Rule) {
	t := d.object(da.get("alertTemplate"), "detectionAction.alertTemplate", "alertTemplate")
	t.known("@odata.type", "title", "description", "severity", "category", "recommendedActions", "mitreTechniques", "impactedAssets")
	title := t.str("title")
	if title != "" && title != r.Name {
		r.AlertDetailsOverride = &AlertDetailsOverride{DisplayNameFormat: title}
	}
	r.Description = t.str("description")
	if s := t.get("severity"); s != nil {
		sev, ok := ParseSeverity(s.Value)
		if !ok {
			d.errorf(s, "unknown severity %q (want informational, low, medium or high)", s.Value)
		}
		r.Severity = sev
	}
	r.Category = t.str("category")
	if tac, ok := canonicalTactic(r.Category); ok {
		r.Tactics = []string{tac}
	}
	r.Techniques = t.strList("mitreTechniques")
	byEntity := map[string]int{}
	for i, an := range t.list("impactedAssets") {
		a := d.object(an, fmt.Sprintf("detectionAction.alertTemplate.impactedAssets[%d]", i), "an impacted asset")
		a.known("@odata.type", "identifier")
		id := a.str("identifier")
		m, ok := defenderIdentifiers[id]
		if !ok {
			d.errorf(a.get("identifier"), "unknown impacted-asset identifier %q", id)
			continue
		}
		col := strings.ToUpper(id[:1]) + id[1:]
		j, seen := byEntity[m.entity+"/"+m.identifier]
		if !seen {
			j = len(r.EntityMappings)
			byEntity[m.entity+"/"+m.identifier] = j
			r.EntityMappings = append(r.EntityMappings, EntityMapping{EntityType: m.entity})
		}
		r.EntityMappings[j].FieldMappings = append(r.EntityMappings[j].FieldMappings, FieldMapping{Identifier: m.identifier, ColumnName: col})
		d.pos[fmt.Sprintf("entityMappings[%d].fieldMappings[%d].columnName", j, len(r.EntityMappings[j].FieldMappings)-1)] = nodePos(a.get("identifier"))
	}
}

func (d *decoder) responseActions(da *obj, r *Rule) {
	for i, an := range da.list("responseActions") {
		a := d.object(an, fmt.Sprintf("detectionAction.responseActions[%d]", i), "a response action")
		typ := a.str("@odata.type")
		name := strings.TrimSuffix(typ[strings.LastIndexByte(typ, '.')+1:], "ResponseAction")
		if !defenderActions[name] {
			d.addf(LevelWarning, nodePos(a.get("@odata.type")), "unknown response action %q", typ)
		}
		act := ResponseAction{Type: name, Identifier: a.str("identifier")}
		for _, k := range a.order {
			if v := a.get(k); k != "@odata.type" && k != "identifier" && v != nil && v.Kind == yaml.ScalarNode {
				if act.Parameters == nil {
					act.Parameters = map[string]string{}
				}
				act.Parameters[k] = v.Value
			}
		}
		r.ResponseActions = append(r.ResponseActions, act)
	}
}

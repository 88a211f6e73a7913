package rule

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

var sentinelYAMLKeys = []string{
	"id", "name", "description", "severity", "status", "requiredDataConnectors", "queryFrequency",
	"queryPeriod", "triggerOperator", "triggerThreshold", "tactics", "relevantTechniques",
	"subTechniques", "query", "entityMappings", "customDetails", "alertDetailsOverride",
	"eventGroupingSettings", "incidentConfiguration", "suppressionEnabled", "suppressionDuration",
	"version", "kind", "metadata", "tags", "sentinelEntitiesMappings", "enabled",
}

var sentinelARMKeys = []string{
	"displayName", "description", "severity", "enabled", "query", "queryFrequency", "queryPeriod",
	"triggerOperator", "triggerThreshold", "suppressionDuration", "suppressionEnabled", "tactics",
	"techniques", "subTechniques", "alertRuleTemplateName", "templateVersion", "incidentConfiguration",
	"eventGroupingSettings", "alertDetailsOverride", "customDetails", "entityMappings",
	"sentinelEntitiesMappings", "lastModifiedUtc",
}

// ParseSentinelYAML reads one analytics rule in the YAML format of the Azure-Sentinel
// repository. It returns the rule (nil when the document is not a rule at all) and the
// problems found while reading; unknown fields are warnings.
func ParseSentinelYAML(file string, data []byte) (r *Rule, findings []Finding) {
	defer recoverTo(file, &r, &findings)
	d := newDecoder(file, data)
	root, ok := d.document()
	if !ok {
		return nil, d.findings
	}
	d.reset()
	o := d.object(root, "", "a rule")
	o.known(sentinelYAMLKeys...)
	r = &Rule{Format: FormatSentinelYAML, Enabled: true, Source: Source{File: file}}
	r.ID, r.Name, r.Version = o.str("id"), o.str("name"), o.str("version")
	r.Status = o.str("status")
	if b, ok := o.boolean("enabled"); ok {
		r.Enabled = b
	}
	r.Techniques = append(o.strList("relevantTechniques"), o.strList("subTechniques")...)
	for i, n := range o.list("requiredDataConnectors") {
		c := d.object(n, fmt.Sprintf("requiredDataConnectors[%d]", i), "a data connector")
		c.known("connectorId", "dataTypes")
		r.RequiredDataConnectors = append(r.RequiredDataConnectors, DataConnector{ConnectorID: c.str("connectorId"), DataTypes: c.strList("dataTypes")})
	}
	d.common(o, r, "name")
	r.src = &sourceMap{pos: d.pos, query: d.queryMap(o.get("query"))}
	if r.Name == "" && root.Kind == yaml.MappingNode {
		d.addf(LevelError, nodePos(root), "rule has no name")
	}
	return r, d.findings
}

// document parses the data into its root node.
func (d *decoder) document() (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(d.src, &doc); err != nil {
		d.addf(LevelError, yamlErrPos(err), "%s", yamlErrMessage(err))
		return nil, false
	}
	if len(doc.Content) == 0 {
		d.addf(LevelError, Pos{Line: 1, Col: 1}, "empty document")
		return nil, false
	}
	return doc.Content[0], true
}

// common decodes the fields the YAML and the ARM form share.
func (d *decoder) common(o *obj, r *Rule, nameKey string) {
	r.Description = strings.TrimSpace(o.str("description"))
	if s := o.get("severity"); s != nil {
		sev, ok := ParseSeverity(s.Value)
		if !ok {
			d.errorf(s, "unknown severity %q (want Informational, Low, Medium or High)", s.Value)
		}
		r.Severity = sev
	}
	r.Kind = KindScheduled
	if k := o.get("kind"); k != nil {
		switch strings.ToLower(k.Value) {
		case "scheduled":
		case "nrt":
			r.Kind = KindNRT
		default:
			d.errorf(k, "unsupported rule kind %q (want Scheduled or NRT)", k.Value)
		}
	}
	r.Query = o.str("query")
	r.Frequency, r.Period = o.duration("queryFrequency"), o.duration("queryPeriod")
	r.Trigger.Operator = OpGreaterThan
	if t := o.get("triggerOperator"); t != nil {
		op, ok := ParseOperator(t.Value)
		if !ok {
			d.errorf(t, "unknown trigger operator %q (want gt, lt, eq or ne)", t.Value)
		}
		r.Trigger.Operator = op
	}
	r.Trigger.Threshold = o.integer("triggerThreshold")
	r.Tactics = o.strList("tactics")
	r.SuppressionDuration = o.duration("suppressionDuration")
	r.SuppressionEnabled, _ = o.boolean("suppressionEnabled")
	d.entityMappings(o, r)
	d.customDetails(o, r)
	d.alertOverride(o, r)
	r.EventGrouping = SingleAlert
	if n := o.get("eventGroupingSettings"); n != nil {
		g := d.object(n, "eventGroupingSettings", "eventGroupingSettings")
		g.known("aggregationKind")
		switch k := g.str("aggregationKind"); k {
		case "", string(SingleAlert):
		case string(AlertPerResult):
			r.EventGrouping = AlertPerResult
		default:
			d.errorf(g.get("aggregationKind"), "unknown aggregationKind %q (want SingleAlert or AlertPerResult)", k)
		}
	}
	d.incident(o, r)
}

func (d *decoder) entityMappings(o *obj, r *Rule) {
	for i, n := range o.list("entityMappings") {
		path := fmt.Sprintf("entityMappings[%d]", i)
		e := d.object(n, path, "an entity mapping")
		e.known("entityType", "fieldMappings")
		m := EntityMapping{EntityType: e.str("entityType")}
		for j, fn := range e.list("fieldMappings") {
			f := d.object(fn, fmt.Sprintf("%s.fieldMappings[%d]", path, j), "a field mapping")
			f.known("identifier", "columnName")
			m.FieldMappings = append(m.FieldMappings, FieldMapping{Identifier: f.str("identifier"), ColumnName: f.str("columnName")})
		}
		r.EntityMappings = append(r.EntityMappings, m)
	}
}

func (d *decoder) customDetails(o *obj, r *Rule) {
	n := o.get("customDetails")
	if n == nil {
		return
	}
	c := d.object(n, "customDetails", "customDetails")
	for _, k := range c.order {
		r.CustomDetails = append(r.CustomDetails, CustomDetail{Key: k, Column: c.str(k)})
	}
}

func (d *decoder) alertOverride(o *obj, r *Rule) {
	n := o.get("alertDetailsOverride")
	if n == nil {
		return
	}
	a := d.object(n, "alertDetailsOverride", "alertDetailsOverride")
	a.known("alertDisplayNameFormat", "alertDescriptionFormat", "alertTacticsColumnName", "alertSeverityColumnName", "alertDynamicProperties")
	r.AlertDetailsOverride = &AlertDetailsOverride{
		DisplayNameFormat: a.str("alertDisplayNameFormat"), DescriptionFormat: a.str("alertDescriptionFormat"),
		TacticsColumnName: a.str("alertTacticsColumnName"), SeverityColumnName: a.str("alertSeverityColumnName"),
	}
	for i, pn := range a.list("alertDynamicProperties") {
		p := d.object(pn, fmt.Sprintf("alertDetailsOverride.alertDynamicProperties[%d]", i), "a dynamic property")
		p.known("alertProperty", "value")
		r.AlertDetailsOverride.DynamicProperties = append(r.AlertDetailsOverride.DynamicProperties, DynamicProperty{AlertProperty: p.str("alertProperty"), Value: p.str("value")})
	}
}

func (d *decoder) incident(o *obj, r *Rule) {
	r.Incident = IncidentConfiguration{CreateIncident: true, Grouping: GroupingConfiguration{LookbackDuration: Duration(5 * 3600e9), MatchingMethod: MatchAllEntities}}
	n := o.get("incidentConfiguration")
	if n == nil {
		return
	}
	ic := d.object(n, "incidentConfiguration", "incidentConfiguration")
	ic.known("createIncident", "groupingConfiguration")
	if b, ok := ic.boolean("createIncident"); ok {
		r.Incident.CreateIncident = b
	}
	gn := ic.get("groupingConfiguration")
	if gn == nil {
		return
	}
	g := d.object(gn, "incidentConfiguration.groupingConfiguration", "groupingConfiguration")
	g.known("enabled", "reopenClosedIncident", "lookbackDuration", "matchingMethod", "groupByEntities", "groupByAlertDetails", "groupByCustomDetails")
	gc := &r.Incident.Grouping
	gc.Enabled, _ = g.boolean("enabled")
	gc.ReopenClosedIncident, _ = g.boolean("reopenClosedIncident")
	if g.get("lookbackDuration") != nil {
		gc.LookbackDuration = g.duration("lookbackDuration")
	}
	if m := g.get("matchingMethod"); m != nil {
		switch MatchingMethod(m.Value) {
		case MatchAllEntities, MatchAnyAlert, MatchSelected:
			gc.MatchingMethod = MatchingMethod(m.Value)
		default:
			d.errorf(m, "unknown matchingMethod %q (want AllEntities, AnyAlert or Selected)", m.Value)
		}
	}
	gc.GroupByEntities = g.strList("groupByEntities")
	gc.GroupByAlertDetails = g.strList("groupByAlertDetails")
	gc.GroupByCustomDetails = g.strList("groupByCustomDetails")
}

// yamlErrPos extracts "line N" from a yaml.v3 error.
func yamlErrPos(err error) Pos {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		_, _ = fmt.Sscanf(msg[i+5:], "%d", &line)
	}
	if line == 0 {
		line = 1
	}
	return Pos{Line: line, Col: 1}
}

func yamlErrMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "line ") {
		msg = msg[i+2:]
	}
	return msg
}

// recoverTo turns a panic in a parser into an error finding.
func recoverTo(file string, r **Rule, fs *[]Finding) {
	if p := recover(); p != nil {
		*r = nil
		*fs = append(*fs, Finding{File: file, Pos: Pos{Line: 1, Col: 1}, Message: fmt.Sprintf("internal error reading rule: %v", p)})
	}
}

package rule

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var guidRE = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// ParseSentinelARM reads the analytics rules of a Sentinel ARM/JSON export: a template with
// resources[], a single resource, or a JSON array of resources. Resources other than
// Scheduled and NRT alert rules are skipped with a warning.
func ParseSentinelARM(file string, data []byte) (rules []*Rule, findings []Finding) {
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
	var resources []*yaml.Node
	switch {
	case root.Kind == yaml.SequenceNode:
		resources = root.Content
	case root.Kind == yaml.MappingNode && mapValue(root, "resources") != nil:
		if rs := mapValue(root, "resources"); rs.Kind == yaml.SequenceNode {
			resources = rs.Content
		}
	default:
		resources = []*yaml.Node{root}
	}
	for i, n := range resources {
		if r := d.armResource(n, i); r != nil {
			rules = append(rules, r)
		}
	}
	return rules, d.findings
}

func (d *decoder) armResource(n *yaml.Node, index int) *Rule {
	d.reset()
	o := d.object(n, "", "a resource")
	typ := o.str("type")
	if typ != "" && !strings.Contains(strings.ToLower(typ), "alertrules") {
		return nil // other resources of the template (workbooks, connectors, ...)
	}
	kind := o.str("kind")
	if !strings.EqualFold(kind, "Scheduled") && !strings.EqualFold(kind, "NRT") {
		d.addf(LevelWarning, nodePos(n), "skipped alert rule of kind %q: only Scheduled and NRT rules are supported", kind)
		return nil
	}
	pn := o.get("properties")
	if pn == nil {
		d.errorf(n, "alert rule has no properties")
		return nil
	}
	p := d.object(pn, "", "properties")
	p.known(sentinelARMKeys...)
	r := &Rule{Format: FormatSentinelARM, Enabled: true, Source: Source{File: d.file, Index: index}}
	r.Name = p.str("displayName")
	r.ID = guidRE.FindString(o.str("name"))
	if r.ID == "" {
		r.ID = p.str("alertRuleTemplateName")
	}
	if r.ID == "" {
		r.ID = o.str("name")
	}
	r.Version = p.str("templateVersion")
	if b, ok := p.boolean("enabled"); ok {
		r.Enabled = b
	}
	r.Techniques = append(p.strList("techniques"), p.strList("subTechniques")...)
	d.common(p, r, "displayName")
	if strings.EqualFold(kind, "NRT") {
		r.Kind = KindNRT
	}
	r.src = &sourceMap{pos: d.pos, query: d.queryMap(p.get("query"))}
	return r
}

// mapValue returns the value of key in a mapping node.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

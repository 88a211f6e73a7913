package rule

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// column checks that name is an output column whose type is one of want.
func (l *linter) column(path, what, name string, want []schema.Type) {
	if l.cols == nil {
		return // the query did not compile; its diagnostics say why
	}
	if name == "" {
		l.errorf(path, "%s has no column", what)
		return
	}
	t, ok := l.cols[name]
	if !ok {
		l.errorf(path, "%s: column %q is not in the query's output", what, name)
		return
	}
	if want != nil && !slices.Contains(want, t) {
		names := make([]string, len(want))
		for i, w := range want {
			names[i] = w.String()
		}
		l.errorf(path, "%s: column %q is %s, want %s", what, name, t, strings.Join(names, " or "))
	}
}

func (l *linter) entities() {
	if len(l.r.EntityMappings) > MaxEntityMaps {
		l.errorf("entityMappings", "%d entity mappings: at most %d are allowed", len(l.r.EntityMappings), MaxEntityMaps)
	}
	for i, m := range l.r.EntityMappings {
		path := fmt.Sprintf("entityMappings[%d]", i)
		ids, ok := EntityTypes[m.EntityType]
		if !ok {
			l.errorf(path+".entityType", "unknown entity type %q", m.EntityType)
			continue
		}
		if len(m.FieldMappings) == 0 || len(m.FieldMappings) > MaxIdentifiers {
			l.errorf(path, "%s mapping has %d identifiers: want 1 to %d", m.EntityType, len(m.FieldMappings), MaxIdentifiers)
		}
		for j, f := range m.FieldMappings {
			fp := fmt.Sprintf("%s.fieldMappings[%d]", path, j)
			want, ok := ids[f.Identifier]
			if !ok {
				l.errorf(fp+".identifier", "%s has no identifier %q", m.EntityType, f.Identifier)
				continue
			}
			l.column(fp+".columnName", m.EntityType+"."+f.Identifier, f.ColumnName, want)
		}
	}
}

func (l *linter) details() {
	if len(l.r.CustomDetails) > MaxCustomKeys {
		l.errorf("customDetails", "%d custom details: at most %d are allowed", len(l.r.CustomDetails), MaxCustomKeys)
	}
	for _, c := range l.r.CustomDetails {
		path := "customDetails." + c.Key
		if !detailKeyRE.MatchString(c.Key) {
			l.errorf(path, "custom detail key %q must be a letter followed by up to 19 letters, digits or underscores", c.Key)
		}
		l.column(path, "custom detail "+c.Key, c.Column, nil)
	}
}

func (l *linter) override() {
	o := l.r.AlertDetailsOverride
	if o == nil {
		return
	}
	base := "alertDetailsOverride"
	if l.r.Format == FormatDefender {
		base = "detectionAction.alertTemplate"
	}
	for key, s := range map[string]string{"alertDisplayNameFormat": o.DisplayNameFormat, "alertDescriptionFormat": o.DescriptionFormat} {
		path := base + "." + key
		if l.r.Format == FormatDefender {
			path = base + ".title"
		}
		for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
			l.column(path, "placeholder {{"+m[1]+"}}", strings.TrimSpace(m[1]), nil)
		}
	}
	if o.TacticsColumnName != "" {
		l.column(base+".alertTacticsColumnName", "alertTacticsColumnName", o.TacticsColumnName, []schema.Type{schema.TypeString, schema.TypeDynamic})
	}
	if o.SeverityColumnName != "" {
		l.column(base+".alertSeverityColumnName", "alertSeverityColumnName", o.SeverityColumnName, []schema.Type{schema.TypeString})
	}
	for i, p := range o.DynamicProperties {
		l.column(fmt.Sprintf("%s.alertDynamicProperties[%d].value", base, i), "alert property "+p.AlertProperty, p.Value, nil)
	}
}

func (l *linter) grouping() {
	g := l.r.Incident.Grouping
	if !g.Enabled {
		return
	}
	base := "incidentConfiguration.groupingConfiguration"
	if lb := g.LookbackDuration.Std(); lb < MinFrequency || lb > MaxLookback {
		l.errorf(base+".lookbackDuration", "lookbackDuration %s is outside 5m..7d", fmtDur(lb))
	}
	mapped := map[string]bool{}
	for _, m := range l.r.EntityMappings {
		mapped[m.EntityType] = true
	}
	for i, e := range g.GroupByEntities {
		if !mapped[e] {
			l.errorf(fmt.Sprintf("%s.groupByEntities[%d]", base, i), "groupByEntities: the rule maps no %s entity", e)
		}
	}
	for i, a := range g.GroupByAlertDetails {
		if a != "DisplayName" && a != "Severity" {
			l.errorf(fmt.Sprintf("%s.groupByAlertDetails[%d]", base, i), "groupByAlertDetails: %q is not DisplayName or Severity", a)
		}
	}
	for i, c := range g.GroupByCustomDetails {
		if !slices.ContainsFunc(l.r.CustomDetails, func(d CustomDetail) bool { return d.Key == c }) {
			l.errorf(fmt.Sprintf("%s.groupByCustomDetails[%d]", base, i), "groupByCustomDetails: no custom detail %q", c)
		}
	}
	if g.MatchingMethod == MatchSelected && len(g.GroupByEntities)+len(g.GroupByAlertDetails)+len(g.GroupByCustomDetails) == 0 {
		l.errorf(base+".matchingMethod", "matchingMethod Selected needs groupByEntities, groupByAlertDetails or groupByCustomDetails")
	}
}

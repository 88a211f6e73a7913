package rule

import "strings"

// Kind is how a rule runs.
type Kind string

// Rule kinds.
const (
	KindScheduled Kind = "Scheduled"
	KindNRT       Kind = "NRT"
)

// Format is the file format a rule was read from.
type Format string

// Rule formats.
const (
	FormatSentinelYAML Format = "sentinel-yaml"
	FormatSentinelARM  Format = "sentinel-arm"
	FormatDefender     Format = "defender"
)

// Severity is an alert severity as Sentinel spells it.
type Severity string

// Severities, lowest first.
const (
	SeverityInformational Severity = "Informational"
	SeverityLow           Severity = "Low"
	SeverityMedium        Severity = "Medium"
	SeverityHigh          Severity = "High"
)

// ParseSeverity returns the severity named s in any letter case.
func ParseSeverity(s string) (Severity, bool) {
	for _, v := range []Severity{SeverityInformational, SeverityLow, SeverityMedium, SeverityHigh} {
		if strings.EqualFold(string(v), strings.TrimSpace(s)) {
			return v, true
		}
	}
	return "", false
}

// Operator compares the number of result rows with the trigger threshold.
type Operator string

// Trigger operators.
const (
	OpGreaterThan Operator = "gt"
	OpLessThan    Operator = "lt"
	OpEqual       Operator = "eq"
	OpNotEqual    Operator = "ne"
)

var operatorNames = map[string]Operator{
	"gt": OpGreaterThan, "greaterthan": OpGreaterThan, "lt": OpLessThan, "lessthan": OpLessThan,
	"eq": OpEqual, "equal": OpEqual, "ne": OpNotEqual, "notequal": OpNotEqual,
}

// ParseOperator reads gt|lt|eq|ne or GreaterThan|LessThan|Equal|NotEqual.
func ParseOperator(s string) (Operator, bool) {
	op, ok := operatorNames[strings.ToLower(strings.TrimSpace(s))]
	return op, ok
}

// Fires reports whether n result rows satisfy the trigger.
func (t Trigger) Fires(n int) bool {
	switch t.Operator {
	case OpLessThan:
		return n < t.Threshold
	case OpEqual:
		return n == t.Threshold
	case OpNotEqual:
		return n != t.Threshold
	case OpGreaterThan:
		return n > t.Threshold
	}
	return n > t.Threshold
}

// Trigger is the alert condition on the number of result rows.
type Trigger struct {
	Operator  Operator `json:"operator"`
	Threshold int      `json:"threshold"`
}

// Aggregation says how results become alerts.
type Aggregation string

// Event grouping kinds.
const (
	SingleAlert    Aggregation = "SingleAlert"
	AlertPerResult Aggregation = "AlertPerResult"
)

// MatchingMethod says how alerts are grouped into incidents.
type MatchingMethod string

// Matching methods.
const (
	MatchAllEntities MatchingMethod = "AllEntities"
	MatchAnyAlert    MatchingMethod = "AnyAlert"
	MatchSelected    MatchingMethod = "Selected"
)

// Rule is a detection rule in any of the supported formats, normalized.
type Rule struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Severity    Severity `json:"severity"`
	Status      string   `json:"status,omitempty"`
	Enabled     bool     `json:"enabled"`
	Kind        Kind     `json:"kind"`
	Format      Format   `json:"format"`
	Version     string   `json:"version,omitempty"`
	Query       string   `json:"query"`
	// Frequency is how often a scheduled rule runs; zero for NRT and continuous rules.
	Frequency Duration `json:"queryFrequency"`
	// Period is the look-back window of each run.
	Period                 Duration              `json:"queryPeriod"`
	Trigger                Trigger               `json:"trigger"`
	Tactics                []string              `json:"tactics,omitempty"`
	Techniques             []string              `json:"techniques,omitempty"`
	Category               string                `json:"category,omitempty"`
	RequiredDataConnectors []DataConnector       `json:"requiredDataConnectors,omitempty"`
	EntityMappings         []EntityMapping       `json:"entityMappings,omitempty"`
	CustomDetails          []CustomDetail        `json:"customDetails,omitempty"`
	AlertDetailsOverride   *AlertDetailsOverride `json:"alertDetailsOverride,omitempty"`
	EventGrouping          Aggregation           `json:"eventGrouping"`
	Incident               IncidentConfiguration `json:"incidentConfiguration"`
	SuppressionEnabled     bool                  `json:"suppressionEnabled"`
	SuppressionDuration    Duration              `json:"suppressionDuration"`
	ResponseActions        []ResponseAction      `json:"responseActions,omitempty"`
	Source                 Source                `json:"source"`
	src                    *sourceMap
}

// DataConnector is a Sentinel data connector a rule needs, with its tables.
type DataConnector struct {
	ConnectorID string   `json:"connectorId"`
	DataTypes   []string `json:"dataTypes,omitempty"`
}

// EntityMapping maps result columns to the identifiers of one entity.
type EntityMapping struct {
	EntityType    string         `json:"entityType"`
	FieldMappings []FieldMapping `json:"fieldMappings"`
}

// FieldMapping maps one entity identifier to a result column.
type FieldMapping struct {
	Identifier string `json:"identifier"`
	ColumnName string `json:"columnName"`
}

// CustomDetail surfaces a result column in the alert under a key.
type CustomDetail struct {
	Key    string `json:"key"`
	Column string `json:"column"`
}

// AlertDetailsOverride derives alert properties from result columns.
type AlertDetailsOverride struct {
	// DisplayNameFormat and DescriptionFormat hold {{Column}} placeholders.
	DisplayNameFormat  string            `json:"alertDisplayNameFormat,omitempty"`
	DescriptionFormat  string            `json:"alertDescriptionFormat,omitempty"`
	TacticsColumnName  string            `json:"alertTacticsColumnName,omitempty"`
	SeverityColumnName string            `json:"alertSeverityColumnName,omitempty"`
	DynamicProperties  []DynamicProperty `json:"alertDynamicProperties,omitempty"`
}

// DynamicProperty sets an alert property (AlertLink, ProductName, RemediationSteps, ...)
// from a column.
type DynamicProperty struct {
	AlertProperty string `json:"alertProperty"`
	Value         string `json:"value"`
}

// IncidentConfiguration says whether alerts create incidents and how they are grouped.
type IncidentConfiguration struct {
	CreateIncident bool                  `json:"createIncident"`
	Grouping       GroupingConfiguration `json:"groupingConfiguration"`
}

// GroupingConfiguration groups a rule's alerts into incidents.
type GroupingConfiguration struct {
	Enabled              bool           `json:"enabled"`
	ReopenClosedIncident bool           `json:"reopenClosedIncident"`
	LookbackDuration     Duration       `json:"lookbackDuration"`
	MatchingMethod       MatchingMethod `json:"matchingMethod,omitempty"`
	GroupByEntities      []string       `json:"groupByEntities,omitempty"`
	GroupByAlertDetails  []string       `json:"groupByAlertDetails,omitempty"`
	GroupByCustomDetails []string       `json:"groupByCustomDetails,omitempty"`
}

// ResponseAction is an action a Defender custom detection requests on a match, handed to
// the response layer. Type is the Graph type without namespace and "ResponseAction"
// suffix (isolateDevice, disableUser, ...); Identifier names the column(s) it acts on.
type ResponseAction struct {
	Type       string            `json:"type"`
	Identifier string            `json:"identifier,omitempty"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Source says where a rule was read from.
type Source struct {
	File string `json:"file,omitempty"`
	// Index is the rule's position among the rules of a multi-rule file.
	Index int `json:"index,omitempty"`
}

// Pos returns the file position of a field given by its path in the source document
// ("queryFrequency", "entityMappings[0].fieldMappings[1].columnName"), falling back to
// the nearest enclosing field, then to the rule itself.
func (r *Rule) Pos(path string) Pos {
	if r.src == nil {
		return Pos{}
	}
	for {
		if p, ok := r.src.pos[path]; ok {
			return p
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return r.src.pos[""]
		}
		path = path[:i]
	}
}

// QueryPos maps a byte offset in Query to its position in the file.
func (r *Rule) QueryPos(off int) Pos {
	if r.src == nil || r.src.query == nil {
		return Pos{}
	}
	return r.src.query(off)
}

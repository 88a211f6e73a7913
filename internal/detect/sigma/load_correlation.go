package sigma

import (
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Correlation types.
const (
	CorrEventCount      = "event_count"
	CorrValueCount      = "value_count"
	CorrTemporal        = "temporal"
	CorrTemporalOrdered = "temporal_ordered"
)

// Correlation is the correlation part of a correlation rule.
type Correlation struct {
	Type     string
	Rules    []string // referenced rules by id or name
	GroupBy  []string
	Timespan time.Duration
	Op       string // gt, gte, lt, lte, eq; empty for temporal types without a condition
	Count    int64
	Field    string // value_count's field
	Generate bool   // the referenced rules also raise their own alerts
	// Aliases names a group-by field per referenced rule: alias -> rule id or name -> field.
	Aliases map[string]map[string]string
	Line    int
}

func (l loader) correlation(n *yaml.Node) (*Correlation, error) {
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "correlation must be a mapping")
	}
	c := &Correlation{Line: n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := l.corrKey(c, n.Content[i], n.Content[i+1]); err != nil {
			return nil, err
		}
	}
	return c, l.checkCorrelation(n, c)
}

func (l loader) corrKey(c *Correlation, k, v *yaml.Node) error {
	var err error
	switch k.Value {
	case "type":
		c.Type = v.Value
	case "rules":
		c.Rules, err = l.strings(v, "rules")
	case "group-by":
		c.GroupBy, err = l.strings(v, "group-by")
	case "timespan", "timeframe":
		c.Timespan, err = l.timespan(v)
	case "generate":
		c.Generate = v.Value == "true"
	case "condition":
		err = l.corrCondition(c, v)
	case "aliases":
		err = l.aliases(c, v)
	}
	return err
}

func (l loader) checkCorrelation(n *yaml.Node, c *Correlation) error {
	switch c.Type {
	case CorrEventCount, CorrValueCount, CorrTemporal, CorrTemporalOrdered:
	case "":
		return l.errf(n, "correlation has no type")
	default:
		return l.errf(n, "unknown correlation type %q (want event_count, value_count, temporal or temporal_ordered)", c.Type)
	}
	switch {
	case len(c.Rules) == 0:
		return l.errf(n, "correlation references no rules")
	case c.Timespan <= 0:
		return l.errf(n, "correlation has no timespan")
	case c.Op == "" && (c.Type == CorrEventCount || c.Type == CorrValueCount):
		return l.errf(n, "%s correlation needs a condition", c.Type)
	case c.Type == CorrValueCount && c.Field == "":
		return l.errf(n, "value_count correlation needs condition.field")
	}
	return nil
}

func (l loader) corrCondition(c *Correlation, v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return l.errf(v, "correlation condition must be a mapping such as {gte: 10}")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, x := v.Content[i], v.Content[i+1]
		switch k.Value {
		case "field":
			c.Field = x.Value
		case "gt", "gte", "lt", "lte", "eq":
			n, err := strconv.ParseInt(x.Value, 10, 64)
			if err != nil {
				return l.errf(x, "correlation condition %s must be an integer", k.Value)
			}
			if c.Op != "" {
				return l.errf(k, "correlation condition has more than one comparison")
			}
			c.Op, c.Count = k.Value, n
		default:
			return l.errf(k, "unknown correlation condition %q", k.Value)
		}
	}
	return nil
}

// timespan reads 30s, 5m, 1h, 2d (and plain seconds).
func (l loader) timespan(v *yaml.Node) (time.Duration, error) {
	s := v.Value
	if s == "" {
		return 0, l.errf(v, "empty timespan")
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	mul, ok := unit[s[len(s)-1]]
	num := s[:len(s)-1]
	if !ok {
		mul, num = time.Second, s
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > 1<<20 {
		return 0, l.errf(v, "invalid timespan %q (want a positive number with s, m, h or d)", s)
	}
	return time.Duration(n) * mul, nil
}

// aliases reads alias: {rule: field, ...} pairs.
func (l loader) aliases(c *Correlation, v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return l.errf(v, "correlation aliases must be a mapping")
	}
	c.Aliases = map[string]map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, m := v.Content[i], v.Content[i+1]
		if m.Kind != yaml.MappingNode {
			return l.errf(m, "alias %s must map rule names to fields", name.Value)
		}
		c.Aliases[name.Value] = map[string]string{}
		for j := 0; j+1 < len(m.Content); j += 2 {
			c.Aliases[name.Value][m.Content[j].Value] = m.Content[j+1].Value
		}
	}
	return nil
}

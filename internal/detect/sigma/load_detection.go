package sigma

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// detection reads the searches and conditions of a detection mapping.
func (l loader) detection(key, n *yaml.Node, d *Detection) error {
	if n.Kind != yaml.MappingNode {
		return l.errf(n, "detection must be a mapping")
	}
	d.Searches = map[string]*Search{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "condition":
			if err := l.conditions(v, d); err != nil {
				return err
			}
		case "timeframe":
			// Deprecated with aggregations; correlation rules carry their own timespan.
		default:
			if _, dup := d.Searches[k.Value]; dup {
				return l.errf(k, "search %q defined twice", k.Value)
			}
			s, err := l.search(k, v)
			if err != nil {
				return err
			}
			d.Searches[k.Value] = s
			d.Order = append(d.Order, k.Value)
		}
	}
	if len(d.Conditions) == 0 {
		return l.errf(key, "detection has no condition")
	}
	if len(d.Searches) == 0 {
		return l.errf(key, "detection has no search")
	}
	return nil
}

func (l loader) conditions(v *yaml.Node, d *Detection) error {
	add := func(x *yaml.Node) error {
		if x.Kind != yaml.ScalarNode || strings.TrimSpace(x.Value) == "" {
			return l.errf(x, "condition must be a non-empty string")
		}
		// Column is where the text starts; a quoted or block scalar shifts it, which only
		// affects the column of condition errors.
		d.Conditions = append(d.Conditions, Condition{Text: x.Value, Line: x.Line, Col: x.Column})
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return add(v)
	}
	for _, x := range v.Content {
		if err := add(x); err != nil {
			return err
		}
	}
	if len(v.Content) == 0 {
		return l.errf(v, "condition list is empty")
	}
	return nil
}

// search reads one named search: a map, a list of maps, or a keyword list.
func (l loader) search(k, v *yaml.Node) (*Search, error) {
	s := &Search{Name: k.Value, Line: k.Line}
	switch v.Kind {
	case yaml.MappingNode:
		m, err := l.fieldMap(v)
		if err != nil {
			return nil, err
		}
		s.Maps = []*FieldMap{m}
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, l.errf(v, "search %q is an empty list", k.Value)
		}
		if v.Content[0].Kind == yaml.MappingNode {
			for _, e := range v.Content {
				if e.Kind != yaml.MappingNode {
					return nil, l.errf(e, "search %q mixes maps and keywords", k.Value)
				}
				m, err := l.fieldMap(e)
				if err != nil {
					return nil, err
				}
				s.Maps = append(s.Maps, m)
			}
			return s, nil
		}
		it, err := l.item(&yaml.Node{Kind: yaml.ScalarNode, Value: "", Line: k.Line, Column: k.Column}, v)
		s.Keywords = it
		return s, err
	case yaml.ScalarNode:
		it, err := l.item(&yaml.Node{Kind: yaml.ScalarNode, Value: "", Line: k.Line, Column: k.Column}, v)
		s.Keywords = it
		return s, err
	default:
		return nil, l.errf(v, "search %q must be a map, a list of maps or a list of keywords", k.Value)
	}
	return s, nil
}

func (l loader) fieldMap(n *yaml.Node) (*FieldMap, error) {
	m := &FieldMap{Line: n.Line}
	if len(n.Content) == 0 {
		return nil, l.errf(n, "empty search map")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		it, err := l.item(n.Content[i], n.Content[i+1])
		if err != nil {
			return nil, err
		}
		if it.Field == "" && len(it.Modifiers) == 0 {
			return nil, l.errf(n.Content[i], "empty field name")
		}
		m.Items = append(m.Items, it)
	}
	return m, nil
}

// item reads "Field|mod|mod: value(s)".
func (l loader) item(k, v *yaml.Node) (*Item, error) {
	if k.Kind != yaml.ScalarNode {
		return nil, l.errf(k, "field name must be a string")
	}
	parts := strings.Split(k.Value, "|")
	it := &Item{Field: parts[0], Modifiers: parts[1:], Line: k.Line, Col: k.Column}
	for _, m := range it.Modifiers {
		if m == "" {
			return nil, l.errf(k, "empty modifier in %q", k.Value)
		}
	}
	vals := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		vals = v.Content
		if len(vals) == 0 {
			return nil, l.errf(v, "field %q has an empty value list", it.Field)
		}
	}
	for _, x := range vals {
		if x.Kind != yaml.ScalarNode {
			return nil, l.errf(x, "value of field %q must be a string, number, boolean or null", it.Field)
		}
		it.Values = append(it.Values, scalarValue(x))
	}
	return it, nil
}

func scalarValue(x *yaml.Node) Value {
	switch x.Tag {
	case "!!null":
		return Value{Null: true}
	case "!!int", "!!float":
		return Value{S: x.Value, Numeric: true}
	}
	return Value{S: x.Value}
}

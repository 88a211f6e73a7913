package sigma

import (
	_ "embed" // mapping.yaml
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/schema"
)

//go:embed mapping.yaml
var defaultMappingYAML []byte

// Mapping maps Sigma log sources to tables and Sigma fields to columns. It is immutable.
type Mapping struct {
	sources []*Source
}

// Source is one log source's table, filters and fields.
type Source struct {
	LogSource LogSource
	Table     string
	Where     []WhereFilter
	Keywords  []string
	fields    map[string]string // lower-case Sigma field -> field expression
	prefixes  []prefixField
	fallback  string
	noColumns bool // other fields never name the table's columns (auditd's type is not Syslog's Type)
}

// WhereFilter selects a source's rows in a shared table: Column equals one of Values.
type WhereFilter struct {
	Column string
	Values []string
}

type prefixField struct{ from, to string } // "requestParameters." -> "RequestParameters."

type mappingFile struct {
	Sources []struct {
		LogSource struct{ Product, Category, Service string } `yaml:"logsource"`
		Table     string                                      `yaml:"table"`
		Where     yaml.Node                                   `yaml:"where"`
		Fields    map[string]string                           `yaml:"fields"`
		Fallback  string                                      `yaml:"fallback"`
		Keywords  []string                                    `yaml:"keywords"`
		NoColumns bool                                        `yaml:"no_columns"`
	} `yaml:"sources"`
	Anchors yaml.Node `yaml:"anchors"`
	// WindowsChannels maps more Windows services to the WindowsEvent rows of their channels.
	WindowsChannels struct {
		Fields   map[string]string   `yaml:"fields"`
		Services map[string][]string `yaml:"services"`
	} `yaml:"windows_channels"`
}

// DefaultMapping returns the embedded mapping.yaml.
func DefaultMapping() (*Mapping, error) { return ParseMapping(defaultMappingYAML) }

// ParseMapping reads a mapping file.
func ParseMapping(data []byte) (*Mapping, error) {
	var f mappingFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("sigma mapping: %w", err)
	}
	m := &Mapping{}
	for i, s := range f.Sources {
		src := &Source{
			LogSource: LogSource{Product: s.LogSource.Product, Category: s.LogSource.Category, Service: s.LogSource.Service},
			Table:     s.Table, Keywords: s.Keywords, fallback: s.Fallback, fields: map[string]string{}, noColumns: s.NoColumns,
		}
		if src.Table == "" {
			return nil, fmt.Errorf("sigma mapping: source %d (%s) has no table", i+1, src.LogSource)
		}
		for k, v := range s.Fields {
			if from, ok := strings.CutSuffix(k, "*"); ok {
				src.prefixes = append(src.prefixes, prefixField{lower(from), strings.TrimSuffix(v, "*")})
				continue
			}
			src.fields[lower(k)] = v
		}
		w, err := whereFilters(&s.Where)
		if err != nil {
			return nil, fmt.Errorf("sigma mapping: source %s: %w", src.LogSource, err)
		}
		src.Where = w
		m.sources = append(m.sources, src)
	}
	m.addChannels(&f)
	return m, nil
}

// addChannels adds a WindowsEvent source for each service of windows_channels, sorted.
func (m *Mapping) addChannels(f *mappingFile) {
	wc := f.WindowsChannels
	names := make([]string, 0, len(wc.Services))
	for s := range wc.Services {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		src := &Source{
			LogSource: LogSource{Product: "windows", Service: s}, Table: "WindowsEvent",
			Where: []WhereFilter{{Column: "Channel", Values: wc.Services[s]}}, fallback: "EventData.{}",
			fields: map[string]string{}, Keywords: []string{"EventData"},
		}
		for k, v := range wc.Fields {
			src.fields[lower(k)] = v
		}
		m.sources = append(m.sources, src)
	}
}

func whereFilters(n *yaml.Node) ([]WhereFilter, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	var raw map[string]any
	if err := n.Decode(&raw); err != nil {
		return nil, fmt.Errorf("where: %w", err)
	}
	out := make([]WhereFilter, 0, len(raw))
	for col, v := range raw {
		f := WhereFilter{Column: col}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				f.Values = append(f.Values, fmt.Sprint(e))
			}
		default:
			f.Values = []string{fmt.Sprint(x)}
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Column < out[j].Column })
	return out, nil
}

// Source returns the source of a rule's log source: every key the mapping names must equal
// the rule's, and the rule may not name a key the mapping omits. A rule without a product is
// taken as windows when nothing else matches.
func (m *Mapping) Source(ls LogSource) (*Source, bool) {
	for _, s := range m.sources {
		if s.LogSource == ls {
			return s, true
		}
	}
	if ls.Product == "" {
		ls.Product = "windows"
		return m.Source(ls)
	}
	return nil, false
}

// Sources lists the mapped log sources.
func (m *Mapping) Sources() []*Source { return m.sources }

// fieldExpr returns the field expression for a Sigma field in this source, or "" if unmapped.
func (s *Source) fieldExpr(field string, t *schema.Table) string {
	l := lower(field)
	if e, ok := s.fields[l]; ok {
		return e
	}
	for _, p := range s.prefixes {
		if rest, ok := strings.CutPrefix(l, p.from); ok && rest != "" {
			return p.to + field[len(field)-len(rest):]
		}
	}
	if s.noColumns {
		return strings.ReplaceAll(s.fallback, "{}", field)
	}
	if i, ok := t.Column(field); ok {
		return t.Columns[i].Name
	}
	if head, _, ok := strings.Cut(field, "."); ok {
		if i, ok := t.Column(head); ok && isJSONType(t.Columns[i].Type) {
			return t.Columns[i].Name + field[len(head):]
		}
	}
	if s.fallback != "" {
		return strings.ReplaceAll(s.fallback, "{}", field)
	}
	return ""
}

func isJSONType(t schema.Type) bool { return t == schema.TypeDynamic || t == schema.TypeString }

// resolveField maps a Sigma field to an accessor over table t.
func (s *Source) resolveField(field string, t *schema.Table) (*accessor, error) {
	e := s.fieldExpr(field, t)
	if e == "" {
		return nil, fmt.Errorf("field %s is not mapped for logsource %s (table %s has no such column and no fallback)", field, s.LogSource, t.Name)
	}
	a, err := parseAccessor(e, t)
	if err != nil {
		return nil, fmt.Errorf("field %s (mapped to %s): %w", field, e, err)
	}
	return a, nil
}

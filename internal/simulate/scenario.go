package simulate

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Scenario is an attack written as data: who takes part and what happens when. See the
// package documentation for the file format.
type Scenario struct {
	Name, Description string
	Actors            []Actor
	Decoys            []Decoy
	Indicators        []Indicator
	Steps             []Step // in time order
}

// Actor is a named participant; its fields are the selectors the file gives.
type Actor struct {
	Name                                          string
	User, Host, IP, Country, City, Account, Email string
	Line                                          int
}

// Decoy is a tripwire the demo registers before the attack (kind as the decoy API names it:
// account, host, ip, mailbox, ...).
type Decoy struct {
	Kind, Value, Description string
}

// Indicator is a threat-intelligence indicator the demo imports before the attack.
type Indicator struct {
	Type        string // ipv4-addr, domain-name, url, file:hashes.'SHA-256'
	Value       string
	Name        string
	Description string
	Line        int
}

// Step is one action of the attack: a builder kind with its parameters at a time relative
// to the start, repeated Repeat times Every apart.
type Step struct {
	At     time.Duration
	Kind   string
	Repeat int
	Every  time.Duration
	With   map[string]string
	Line   int
	lines  map[string]int // parameter -> line
}

// ScenarioError is a fault in a scenario file, at a line and column.
type ScenarioError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ScenarioError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// LoadScenarioFile reads and parses a scenario file.
func LoadScenarioFile(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return ParseScenario(path, b)
}

// scenarioParser walks the YAML tree strictly, so that every fault has a line.
type scenarioParser struct {
	file string
	s    *Scenario
}

func (p *scenarioParser) errf(n *yaml.Node, format string, a ...any) error {
	return &ScenarioError{File: p.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, a...)}
}

// ParseScenario parses a scenario file's contents; name is used in error messages. Unknown
// keys, unknown step kinds and parameters, bad times and placeholders naming unknown actors
// are errors with their line.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, &ScenarioError{File: name, Line: 1, Col: 1, Msg: strings.Join(te.Errors, "; ")}
		}
		return nil, &ScenarioError{File: name, Line: yamlErrLine(err.Error()), Col: 1, Msg: err.Error()}
	}
	if len(doc.Content) == 0 {
		return nil, &ScenarioError{File: name, Line: 1, Col: 1, Msg: "empty scenario"}
	}
	p := &scenarioParser{file: name, s: &Scenario{}}
	if err := p.top(doc.Content[0]); err != nil {
		return nil, err
	}
	sort.SliceStable(p.s.Steps, func(i, j int) bool { return p.s.Steps[i].At < p.s.Steps[j].At })
	return p.s, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(msg string) int {
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

// mapping iterates the key/value pairs of a mapping node, calling f for each.
func (p *scenarioParser) mapping(n *yaml.Node, what string, f func(key string, k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n, "%s must be a mapping", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return p.errf(k, "duplicate key %q in %s", k.Value, what)
		}
		seen[k.Value] = true
		if err := f(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *scenarioParser) scalar(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.errf(n, "%s must be a single value", what)
	}
	return n.Value, nil
}

func (p *scenarioParser) top(n *yaml.Node) error {
	err := p.mapping(n, "the scenario", func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "name":
			p.s.Name, err = p.scalar(v, "name")
		case "description":
			p.s.Description, err = p.scalar(v, "description")
		case "actors":
			err = p.mapping(v, "actors", p.actor)
		case "decoys":
			err = p.list(v, "decoys", p.decoy)
		case "indicators":
			err = p.list(v, "indicators", p.indicator)
		case "steps":
			err = p.list(v, "steps", p.step)
		default:
			err = p.errf(k, "unknown key %q (want name, description, actors, decoys, indicators, steps)", key)
		}
		return err
	})
	if err != nil {
		return err
	}
	if p.s.Name == "" {
		return p.errf(n, "missing name")
	}
	if len(p.s.Steps) == 0 {
		return p.errf(n, "no steps")
	}
	return p.checkRefs()
}

func (p *scenarioParser) list(n *yaml.Node, what string, f func(*yaml.Node) error) error {
	if n.Kind != yaml.SequenceNode {
		return p.errf(n, "%s must be a list", what)
	}
	for _, c := range n.Content {
		if err := f(c); err != nil {
			return err
		}
	}
	return nil
}

// fields decodes a mapping of single values into the named string fields.
func (p *scenarioParser) fields(n *yaml.Node, what string, dst map[string]*string) error {
	return p.mapping(n, what, func(key string, k, v *yaml.Node) error {
		f, ok := dst[key]
		if !ok {
			return p.errf(k, "unknown key %q in %s (want %s)", key, what, strings.Join(sortedKeys(dst), ", "))
		}
		s, err := p.scalar(v, key)
		*f = s
		return err
	})
}

func (p *scenarioParser) actor(name string, k, v *yaml.Node) error {
	a := Actor{Name: name, Line: k.Line}
	if !actorName.MatchString(name) {
		return p.errf(k, "actor name %q must be a lower-case word", name)
	}
	err := p.fields(v, "actor "+name, map[string]*string{"user": &a.User, "host": &a.Host, "ip": &a.IP,
		"country": &a.Country, "city": &a.City, "account": &a.Account, "email": &a.Email})
	p.s.Actors = append(p.s.Actors, a)
	return err
}

var actorName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (p *scenarioParser) decoy(n *yaml.Node) error {
	var d Decoy
	if err := p.fields(n, "a decoy", map[string]*string{"kind": &d.Kind, "value": &d.Value, "description": &d.Description}); err != nil {
		return err
	}
	if d.Kind == "" || d.Value == "" {
		return p.errf(n, "a decoy needs kind and value")
	}
	p.s.Decoys = append(p.s.Decoys, d)
	return nil
}

func (p *scenarioParser) indicator(n *yaml.Node) error {
	in := Indicator{Line: n.Line}
	if err := p.fields(n, "an indicator", map[string]*string{"type": &in.Type, "value": &in.Value,
		"name": &in.Name, "description": &in.Description}); err != nil {
		return err
	}
	if _, ok := stixPaths[in.Type]; !ok {
		return p.errf(n, "indicator type %q is not one of %s", in.Type, strings.Join(sortedKeys(stixPaths), ", "))
	}
	if in.Value == "" {
		return p.errf(n, "an indicator needs a value")
	}
	p.s.Indicators = append(p.s.Indicators, in)
	return nil
}

func (p *scenarioParser) step(n *yaml.Node) error {
	st := Step{Line: n.Line, Repeat: 1, With: map[string]string{}, lines: map[string]int{}}
	var withNode *yaml.Node
	err := p.mapping(n, "a step", func(key string, k, v *yaml.Node) error {
		s, err := p.scalarOrMap(key, v)
		if err != nil {
			return err
		}
		switch key {
		case "at":
			st.At, err = p.duration(v, s)
		case "every":
			st.Every, err = p.duration(v, s)
		case "kind":
			st.Kind = s
		case "repeat":
			st.Repeat, err = strconv.Atoi(s)
			if err != nil || st.Repeat < 1 || st.Repeat > 10000 {
				return p.errf(v, "repeat %q must be a number from 1 to 10000", s)
			}
		case "with":
			withNode = v
		default:
			return p.errf(k, "unknown key %q in a step (want at, kind, repeat, every, with)", key)
		}
		return err
	})
	if err != nil {
		return err
	}
	kind, ok := stepKinds()[st.Kind]
	if !ok {
		return p.errf(n, "unknown step kind %q (want one of %s)", st.Kind, strings.Join(kindNames(), ", "))
	}
	if withNode != nil {
		if err := p.params(withNode, &st, kind); err != nil {
			return err
		}
	}
	for _, r := range kind.required {
		if _, ok := st.With[r]; !ok {
			return p.errf(n, "step %s needs parameter %q", st.Kind, r)
		}
	}
	p.s.Steps = append(p.s.Steps, st)
	return nil
}

func (p *scenarioParser) scalarOrMap(key string, v *yaml.Node) (string, error) {
	if key == "with" {
		return "", nil
	}
	return p.scalar(v, key)
}

func (p *scenarioParser) params(n *yaml.Node, st *Step, kind *stepKind) error {
	return p.mapping(n, "with", func(key string, k, v *yaml.Node) error {
		if !kind.allows(key) {
			return p.errf(k, "step %s has no parameter %q (want %s)", st.Kind, key, strings.Join(kind.paramNames(), ", "))
		}
		s, err := p.scalar(v, key)
		st.With[key], st.lines[key] = s, v.Line
		return err
	})
}

func (p *scenarioParser) duration(n *yaml.Node, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 7*24*time.Hour {
		return 0, p.errf(n, "%q is not a duration such as 2m30s (from 0 to 168h)", s)
	}
	return d, nil
}

// placeholder matches ${name.field} and ${i}.
var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

// checkRefs checks that every placeholder names a known actor or variable.
func (p *scenarioParser) checkRefs() error {
	actors := map[string]bool{"org": true, "dc": true, "egress": true}
	for _, a := range p.s.Actors {
		actors[a.Name] = true
	}
	check := func(s string, line int) error {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			ref := m[1]
			if ref == "i" {
				continue
			}
			name, field, ok := strings.Cut(ref, ".")
			if !ok || !actors[name] || field == "" {
				return &ScenarioError{File: p.file, Line: line, Col: 1, Msg: fmt.Sprintf("placeholder ${%s} names no actor field", ref)}
			}
		}
		return nil
	}
	for _, st := range p.s.Steps {
		for _, k := range sortedKeys(st.With) {
			if err := check(st.With[k], st.lines[k]); err != nil {
				return err
			}
		}
	}
	for _, in := range p.s.Indicators {
		if err := check(in.Value, in.Line); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

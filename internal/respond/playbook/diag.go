package playbook

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Diagnostic is a problem found in a playbook file, at a position.
type Diagnostic struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Msg    string `json:"message"`
}

// Error renders the diagnostic as file:line:col: message.
func (d Diagnostic) Error() string {
	if d.File == "" {
		return fmt.Sprintf("%d:%d: %s", d.Line, d.Column, d.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Column, d.Msg)
}

// Diagnostics are the problems of one file, in order of position; as an error it lists
// them one a line.
type Diagnostics []Diagnostic

// Error implements error.
func (ds Diagnostics) Error() string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Error()
	}
	return strings.Join(parts, "\n")
}

// Checker reads YAML nodes and collects diagnostics for one file; automation rules are read
// with it too.
type Checker struct {
	File string
	list Diagnostics
}

// At records a diagnostic at node n (the start of the file when n is nil).
func (d *Checker) At(n *yaml.Node, format string, args ...any) {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	d.list = append(d.list, Diagnostic{File: d.File, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

// Err returns the diagnostics collected, sorted by position, or nil.
func (d *Checker) Err() error {
	if len(d.list) == 0 {
		return nil
	}
	slices.SortStableFunc(d.list, func(a, b Diagnostic) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return d.list
}

// Fields walks the pairs of mapping node n, reporting keys not in known (and a node that is
// not a mapping) and calling fn for the others.
func (d *Checker) Fields(n *yaml.Node, what string, known []string, fn func(key string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.At(n, "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(known, k.Value):
			d.At(k, "unknown field %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
		case seen[k.Value]:
			d.At(k, "field %q given twice in %s", k.Value, what)
		default:
			seen[k.Value] = true
			fn(k.Value, k, v)
		}
	}
}

// List returns the items of sequence node n, reporting a node that is not a sequence (or, with
// nonEmpty, an empty one) as "what must be a list" and returning nil.
func (d *Checker) List(n *yaml.Node, what string, nonEmpty bool) []*yaml.Node {
	switch {
	case n.Kind != yaml.SequenceNode:
	case nonEmpty && len(n.Content) == 0:
	default:
		return n.Content
	}
	if nonEmpty {
		d.At(n, "%s must be a non-empty list", what)
	} else {
		d.At(n, "%s must be a list", what)
	}
	return nil
}

// Str reads a scalar string.
func (d *Checker) Str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.At(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

// Strs reads a string or a sequence of strings.
func (d *Checker) Strs(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{d.Str(n, what)}
	}
	if n.Kind != yaml.SequenceNode {
		d.At(n, "%s must be a string or a list of strings", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, d.Str(c, what))
	}
	return out
}

// Decode decodes a scalar into v (an int, bool or duration), reporting what was wrong.
func (d *Checker) Decode(n *yaml.Node, what string, v any) {
	if n.Kind != yaml.ScalarNode {
		d.At(n, "%s must be a scalar", what)
		return
	}
	if err := n.Decode(v); err != nil {
		d.At(n, "%s: %s", what, yamlReason(err))
	}
}

// yamlReason strips yaml.v3's "yaml: line N:" prefixes, which the diagnostic's position replaces.
func yamlReason(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  ")
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
		msg = msg[i+2:]
	}
	return strings.TrimPrefix(msg, "yaml: ")
}

// ParseDocument parses src as one YAML document, reporting a syntax error with its line.
func ParseDocument(file string, src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line := 1
		msg := err.Error()
		if _, err := fmt.Sscanf(strings.TrimPrefix(msg, "yaml: "), "line %d:", &line); err == nil {
			msg = msg[strings.Index(msg, ":")+1:]
			msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		}
		return nil, Diagnostics{{File: file, Line: line, Column: 1, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, Diagnostics{{File: file, Line: 1, Column: 1, Msg: "empty document"}}
	}
	return doc.Content[0], nil
}

package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxRuleBytes bounds one rule file.
const MaxRuleBytes = 4 << 20

// LoadFile reads every rule of a Sigma YAML file (one rule per YAML document).
func LoadFile(path string) ([]*Rule, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator names the rule files
	if err != nil {
		return nil, fmt.Errorf("read rule: %w", err)
	}
	return Load(b, path)
}

// LoadDir reads every .yml and .yaml file under dir, in name order. It returns the rules that
// loaded and one error per file that did not.
func LoadDir(dir string) ([]*Rule, []error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); !d.IsDir() && (ext == ".yml" || ext == ".yaml") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, []error{fmt.Errorf("walk %s: %w", dir, err)}
	}
	sort.Strings(files)
	var rules []*Rule
	var errs []error
	for _, f := range files {
		rs, err := LoadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, rs...)
	}
	return rules, errs
}

// Load parses the rules in data; file names the source in errors ("file:line: reason").
func Load(data []byte, file string) (rules []*Rule, err error) {
	defer func() {
		if r := recover(); r != nil {
			rules, err = nil, &LoadError{File: file, Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	if len(data) > MaxRuleBytes {
		return nil, &LoadError{File: file, Msg: fmt.Sprintf("file larger than %d bytes", MaxRuleBytes)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, &LoadError{File: file, Line: yamlErrLine(err), Msg: "invalid yaml: " + yamlErrMsg(err)}
		}
		if len(doc.Content) == 0 {
			continue
		}
		r, err := loadRule(doc.Content[0], file)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	if len(rules) == 0 {
		return nil, &LoadError{File: file, Msg: "no rule in file"}
	}
	return rules, nil
}

// yamlErrLine digs the line out of a yaml.v3 error ("yaml: line 3: ...").
func yamlErrLine(err error) int {
	var n int
	if _, e := fmt.Sscanf(err.Error(), "yaml: line %d:", &n); e == nil {
		return n
	}
	return 0
}

func yamlErrMsg(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(s, ": "); strings.HasPrefix(s, "line ") && i > 0 {
		return s[i+2:]
	}
	return s
}

// loader holds the file name while one rule document is read.
type loader struct{ file string }

func (l loader) errf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &LoadError{File: l.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func loadRule(n *yaml.Node, file string) (*Rule, error) {
	l := loader{file}
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "a rule must be a mapping")
	}
	r := &Rule{File: file, Line: n.Line}
	var det, corr, detKey *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "detection":
			det, detKey = v, k
		case "correlation":
			corr = v
		case "logsource":
			err = l.logSource(v, &r.LogSource)
		case "action":
			err = l.errf(k, "rule collections (action: %s) are not supported; write each rule in full", v.Value)
		default:
			err = l.meta(k, v, r)
		}
		if err != nil {
			return nil, err
		}
	}
	return r, l.finish(n, r, det, corr, detKey)
}

// finish checks the required keys and reads the detection or correlation.
func (l loader) finish(n *yaml.Node, r *Rule, det, corr, detKey *yaml.Node) error {
	if r.Title == "" {
		return l.errf(n, "missing title")
	}
	switch {
	case det != nil && corr != nil:
		return l.errf(corr, "a rule has either detection or correlation, not both")
	case corr != nil:
		c, err := l.correlation(corr)
		r.Correlation = c
		return err
	case det == nil:
		return l.errf(n, "missing detection")
	}
	if r.LogSource == (LogSource{}) {
		return l.errf(n, "missing logsource")
	}
	return l.detection(detKey, det, &r.Detection)
}

// meta reads one descriptive key; unknown keys are ignored, as the specification allows.
func (l loader) meta(k, v *yaml.Node, r *Rule) error {
	str := map[string]*string{
		"id": &r.ID, "name": &r.Name, "title": &r.Title, "status": &r.Status, "level": &r.Level,
		"description": &r.Description, "author": &r.Author, "date": &r.Date, "modified": &r.Modified,
	}
	list := map[string]*[]string{"tags": &r.Tags, "references": &r.References, "falsepositives": &r.FalsePositives}
	if p, ok := str[k.Value]; ok {
		if v.Kind != yaml.ScalarNode {
			return l.errf(v, "%s must be a string", k.Value)
		}
		*p = v.Value
		if k.Value == "level" || k.Value == "status" {
			*p = strings.ToLower(v.Value)
		}
		return l.checkMeta(k.Value, v)
	}
	if p, ok := list[k.Value]; ok {
		s, err := l.strings(v, k.Value)
		*p = s
		return err
	}
	return nil
}

var levels = map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}

func (l loader) checkMeta(key string, v *yaml.Node) error {
	if key == "level" && !levels[strings.ToLower(v.Value)] {
		return l.errf(v, "unknown level %q (want informational, low, medium, high or critical)", v.Value)
	}
	return nil
}

// strings reads a scalar or a list of scalars.
func (l loader) strings(v *yaml.Node, what string) ([]string, error) {
	if v.Kind == yaml.ScalarNode {
		if v.Tag == "!!null" {
			return nil, nil
		}
		return []string{v.Value}, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, l.errf(v, "%s must be a list of strings", what)
	}
	out := make([]string, 0, len(v.Content))
	for _, e := range v.Content {
		if e.Kind != yaml.ScalarNode {
			return nil, l.errf(e, "%s must be a list of strings", what)
		}
		out = append(out, e.Value)
	}
	return out, nil
}

func (l loader) logSource(v *yaml.Node, ls *LogSource) error {
	if v.Kind != yaml.MappingNode {
		return l.errf(v, "logsource must be a mapping")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, x := v.Content[i], v.Content[i+1]
		if x.Kind != yaml.ScalarNode {
			return l.errf(x, "logsource %s must be a string", k.Value)
		}
		switch k.Value {
		case "product":
			ls.Product = strings.ToLower(x.Value)
		case "category":
			ls.Category = strings.ToLower(x.Value)
		case "service":
			ls.Service = strings.ToLower(x.Value)
		}
	}
	return nil
}

// LoadPaths loads every rule under the files and directories given, with an error for each
// path or rule that could not be read.
func LoadPaths(paths []string) ([]*Rule, []error) {
	var rules []*Rule
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if st.IsDir() {
			rs, es := LoadDir(p)
			rules, errs = append(rules, rs...), append(errs, es...)
			continue
		}
		rs, err := LoadFile(p)
		if err != nil {
			errs = append(errs, err)
		}
		rules = append(rules, rs...)
	}
	return rules, errs
}

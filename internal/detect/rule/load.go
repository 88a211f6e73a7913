package rule

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Parse reads the rules of one file, choosing the format from the name and content:
// .yaml/.yml is Sentinel YAML; JSON with queryCondition or detectionAction is a Defender
// custom detection; other JSON is a Sentinel ARM export.
func Parse(file string, data []byte) ([]*Rule, []Finding) {
	ext := strings.ToLower(filepath.Ext(file))
	trimmed := bytes.TrimSpace(data)
	isJSON := ext == ".json" || (len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['))
	switch {
	case !isJSON:
		r, fs := ParseSentinelYAML(file, data)
		if r == nil {
			return nil, fs
		}
		return []*Rule{r}, fs
	case bytes.Contains(data, []byte(`"queryCondition"`)) || bytes.Contains(data, []byte(`"detectionAction"`)):
		return ParseDefenderJSON(file, data)
	default:
		return ParseSentinelARM(file, data)
	}
}

// Files expands paths: a file stands for itself, a directory for the .yaml, .yml and .json
// files under it, in lexical order. A Sentinel solution folder (one with an "Analytic Rules"
// directory) stands for the files of that directory only: its workbooks, parsers, hunting
// queries and data connectors are not rules.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		if ar, ok := analyticRulesDir(p); ok {
			p = ar
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// Load reads and parses every rule file under paths.
func Load(paths []string) ([]*Rule, []Finding, error) {
	files, err := Files(paths)
	if err != nil {
		return nil, nil, err
	}
	var rules []*Rule
	var findings []Finding
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		rs, fs := Parse(f, data)
		rules, findings = append(rules, rs...), append(findings, fs...)
	}
	return rules, findings, nil
}

// analyticRulesDir returns the "Analytic Rules" directory of a Sentinel solution folder
// (the name compared case-insensitively), if dir has one.
func analyticRulesDir(dir string) (string, bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if e.IsDir() && strings.EqualFold(e.Name(), "Analytic Rules") {
			return filepath.Join(dir, e.Name()), true
		}
	}
	return "", false
}

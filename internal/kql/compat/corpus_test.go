package compat

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// query is one named query of a corpus file.
type query struct {
	name string
	src  string
}

// marker starts each query in a corpus file; the rest of its line names it.
const marker = "// ==== "

// loadQueries reads every file matching pattern and splits it at marker
// lines. Query names are "file/name"; a duplicate name is a test error.
func loadQueries(tb testing.TB, pattern string) []query {
	tb.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		tb.Fatalf("no files match %s: %v", pattern, err)
	}
	sort.Strings(files)
	var out []query
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		chunks := strings.Split(string(data), marker)
		if strings.TrimSpace(chunks[0]) != "" {
			tb.Errorf("%s: text before the first %q line", f, marker)
		}
		for _, chunk := range chunks[1:] {
			name, body, _ := strings.Cut(chunk, "\n")
			q := query{name: filepath.Base(f) + "/" + strings.TrimSpace(name), src: body}
			if seen[q.name] {
				tb.Errorf("duplicate query name %s", q.name)
			}
			seen[q.name] = true
			out = append(out, q)
		}
	}
	return out
}
